namespace Iris.Camera.Vault;

/// <summary>
/// Holds the device storage key and wraps per-item data keys with it. The storage key itself never leaves the
/// provider: a file provider keeps it in a 0600 file, a token provider (PKCS#11, TPM) inside the token.
/// </summary>
internal interface IStorageKeyProvider : IDisposable
{
    /// <summary>Short stable name recorded in every sealed item, so a later migration knows which provider sealed it.</summary>
    string Id { get; }

    /// <summary>Encrypts and authenticates a data key; <paramref name="context"/> binds it to one item.</summary>
    byte[] WrapDataKey(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> context);

    /// <summary>Returns the data key, or null when the wrapped bytes or the context fail authentication.</summary>
    byte[]? UnwrapDataKey(ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> context);
}
