using BenchmarkDotNet.Attributes;
using Iris.Camera.Accounts;

namespace Iris.Bench;

/// <summary>
/// Cost of one password verification at candidate PBKDF2-HMAC-SHA-256 iteration counts; the basis for the
/// default (Iris:Accounts:PasswordIterations = 600,000, OWASP's figure for this hash).
/// </summary>
public class PasswordHashBenchmarks
{
    private PasswordHasher _hasher = null!;
    private PasswordHash _stored = null!;

    [Params(100_000, 310_000, 600_000)]
    public int Iterations { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _hasher = new PasswordHasher(Iterations);
        _stored = _hasher.Hash("violet harbour lantern 47");
    }

    [Benchmark]
    public bool Verify() => _hasher.Verify("violet harbour lantern 47", _stored);
}
