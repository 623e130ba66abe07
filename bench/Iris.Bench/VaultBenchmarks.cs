using BenchmarkDotNet.Attributes;
using Iris.Camera.Vault;

namespace Iris.Bench;

/// <summary>Seal and unseal cost of the vault with the file key provider (in memory: no disk I/O).</summary>
[MemoryDiagnoser]
public class VaultBenchmarks : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "iris-bench-" + Guid.NewGuid().ToString("N"));
    private FileStorageKeyProvider _provider = null!;
    private byte[] _secret = null!;
    private byte[] _sealed = null!;

    [Params(32, 4096)]
    public int SecretBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _provider = FileStorageKeyProvider.OpenOrCreate(Path.Combine(_directory, "storage.key"), sealedItemsExist: false);
        _secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(SecretBytes);
        _sealed = SealedItem.Seal("bench-item", _secret, _provider);
    }

    [Benchmark]
    public byte[] Seal() => SealedItem.Seal("bench-item", _secret, _provider);

    [Benchmark]
    public int Unseal() => SealedItem.Open("bench-item", _sealed, _provider).Secret?.Length ?? -1;

    [GlobalCleanup]
    public void Dispose()
    {
        _provider?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }
}
