using System.Security.Cryptography;

namespace Iris.Camera.Vault;

internal enum VaultReadStatus
{
    Ok,
    NotFound,
    Corrupt,
}

/// <summary>
/// A secret's bytes with a lifetime: pinned, so the garbage collector never leaves a copy behind when it compacts,
/// and zeroed when disposed. Whoever holds one disposes it; reading after that throws.
/// </summary>
internal sealed class SecretBuffer : IDisposable
{
    private byte[]? _bytes;

    private SecretBuffer(byte[] bytes) => _bytes = bytes;

    public ReadOnlySpan<byte> Span => _bytes ?? throw new ObjectDisposedException(nameof(SecretBuffer));

    public int Length => Span.Length;

    /// <summary>A pinned buffer of <paramref name="length"/> bytes for the caller to fill (decrypt into, generate into).</summary>
    public static SecretBuffer Allocate(int length, out Span<byte> contents)
    {
        var bytes = GC.AllocateUninitializedArray<byte>(length, pinned: true);
        contents = bytes;
        return new SecretBuffer(bytes);
    }

    /// <summary>A new random secret (a generated key).</summary>
    public static SecretBuffer Random(int length)
    {
        var buffer = Allocate(length, out var contents);
        RandomNumberGenerator.Fill(contents);
        return buffer;
    }

    public void Dispose()
    {
        if (_bytes is { } bytes)
        {
            CryptographicOperations.ZeroMemory(bytes);
            _bytes = null;
        }
    }
}

/// <summary>
/// The outcome of opening a sealed item. Disposing it zeroes the secret, so callers write <c>using var read =
/// vault.Unseal(...)</c>; one that keeps the secret takes it over with <see cref="TakeSecret"/>.
/// </summary>
internal sealed class VaultRead : IDisposable
{
    private SecretBuffer? _secret;

    private VaultRead(VaultReadStatus status, SecretBuffer? secret, string? failure) => (Status, _secret, Failure) = (status, secret, failure);

    public VaultReadStatus Status { get; }

    public string? Failure { get; }

    /// <summary>The secret while this read owns it (Status is Ok).</summary>
    public ReadOnlySpan<byte> Secret => _secret is { } secret ? secret.Span : throw new InvalidOperationException($"No secret: {Failure ?? "taken over"}.");

    public static VaultRead Ok(SecretBuffer secret) => new(VaultReadStatus.Ok, secret, null);

    public static VaultRead Missing() => new(VaultReadStatus.NotFound, null, "no such item");

    public static VaultRead Corrupt(string reason) => new(VaultReadStatus.Corrupt, null, reason);

    /// <summary>Hands the secret to a caller that keeps it (and disposes it later); this read no longer zeroes it.</summary>
    public SecretBuffer TakeSecret()
    {
        var secret = _secret ?? throw new InvalidOperationException($"No secret: {Failure ?? "taken over"}.");
        _secret = null;
        return secret;
    }

    public void Dispose() => _secret?.Dispose();
}
