namespace Iris.Camera.Vault;

internal enum VaultReadStatus
{
    Ok,
    NotFound,
    Corrupt,
}

/// <summary>The outcome of opening a sealed item. The caller owns <see cref="Secret"/> and should zero it after use.</summary>
internal readonly record struct VaultRead(VaultReadStatus Status, byte[]? Secret, string? Failure)
{
    public static VaultRead Ok(byte[] secret) => new(VaultReadStatus.Ok, secret, null);

    public static VaultRead Missing() => new(VaultReadStatus.NotFound, null, "no such item");

    public static VaultRead Corrupt(string reason) => new(VaultReadStatus.Corrupt, null, reason);
}
