using System.Security.Cryptography;
using System.Text;

namespace Iris.Camera.Accounts;

/// <summary>A stored password hash: PBKDF2-HMAC-SHA-256 with a per-password random salt.</summary>
public sealed record PasswordHash(byte[] Hash, byte[] Salt, int Iterations);

/// <summary>
/// PBKDF2-HMAC-SHA-256 (5.4.1.2), compared in constant time. <see cref="Computations"/> counts every derivation,
/// so tests and operators can see that throttling stops hashing under a flood.
/// </summary>
public sealed class PasswordHasher(int iterations)
{
    private const int HashBytes = 32;
    private const int SaltBytes = 16;
    private long _computations;

    // A fixed hash to verify against when the account does not exist, so both answers take the same time.
    private readonly Lazy<PasswordHash> _decoy = new(() => new PasswordHash(new byte[HashBytes], new byte[SaltBytes], iterations));

    public long Computations => Interlocked.Read(ref _computations);

    public PasswordHash Hash(string password)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new PasswordHash(Derive(password, salt, iterations), salt, iterations);
    }

    public bool Verify(string password, PasswordHash stored)
    {
        var candidate = Derive(password, stored.Salt, stored.Iterations);
        return CryptographicOperations.FixedTimeEquals(candidate, stored.Hash);
    }

    /// <summary>Spends the same work as a real verification and always fails.</summary>
    public bool VerifyAgainstDecoy(string password)
    {
        _ = Verify(password, _decoy.Value);
        return false;
    }

    private byte[] Derive(string password, byte[] salt, int rounds)
    {
        Interlocked.Increment(ref _computations);
        var bytes = Encoding.UTF8.GetBytes(PasswordPolicy.Normalize(password));
        try
        {
            return Rfc2898DeriveBytes.Pbkdf2(bytes, salt, rounds, HashAlgorithmName.SHA256, HashBytes);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(bytes);
        }
    }
}
