namespace Iris.Camera.Vault;

/// <summary>
/// The provider as other services see it: the container disposes <see cref="OpenedVault"/>, which owns the
/// real provider, so this view must not dispose it a second time.
/// </summary>
internal sealed class NonOwningProvider(IStorageKeyProvider inner) : IStorageKeyProvider
{
    public string Id => inner.Id;

    public byte[] WrapDataKey(ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> context) => inner.WrapDataKey(dataKey, context);

    public byte[]? UnwrapDataKey(ReadOnlySpan<byte> wrappedKey, ReadOnlySpan<byte> context) => inner.UnwrapDataKey(wrappedKey, context);

    public void Dispose()
    {
    }
}
