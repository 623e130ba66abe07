using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Iris.Camera.Storage;
using Iris.Camera.Vault;

namespace Iris.Camera.Accounts;

/// <summary>What an account row keeps sealed: the name and the password hash with its salt and iterations.</summary>
internal sealed record AccountSecrets(string Username, PasswordHash Password);

/// <summary>
/// How account rows are encrypted (issue 12). Each account has its own random data key (<c>data-key.account.ID</c>
/// in the vault); its name, password hash, the source addresses of its sessions and the addresses it signed in
/// from are sealed or indexed under that key alone. Deleting the account shreds the key, so every copy of those
/// rows a carver finds (database, WAL frames, free blocks) stays closed while the device's other keys live: a
/// table key would not do that, because it outlives the row. The one value outside the account key is the
/// username's blind index (HMAC under the <c>accounts</c> key), which the sign-in lookup needs before any
/// account is known; it confirms a guessed name only to someone holding that key, and never reveals one.
/// </summary>
internal sealed class AccountCipher(IDataKeys keys, SecretVault vault)
{
    internal const string IndexKey = "accounts";
    internal const string AccountKeyPrefix = "account.";
    internal const string IndexContext = "accounts.username";
    internal const string SourceContext = "sessions.source";

    public string UsernameIndex(string username) =>
        keys.Get(IndexKey).Index(username.ToLowerInvariant(), IndexContext);

    public static string NewKeyId() => Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    public byte[] Seal(string keyId, AccountSecrets secrets)
    {
        var name = Encoding.UTF8.GetBytes(secrets.Username);
        var password = secrets.Password;
        var plain = new byte[2 + name.Length + 2 + password.Hash.Length + 2 + password.Salt.Length + 4];
        var offset = Put(plain, 0, name);
        offset = Put(plain, offset, password.Hash);
        offset = Put(plain, offset, password.Salt);
        BinaryPrimitives.WriteInt32BigEndian(plain.AsSpan(offset), password.Iterations);
        try
        {
            return AccountKey(keyId).Seal(plain, SealContext(keyId));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>The sealed secrets, or null when the row does not open (its key destroyed, or the row damaged).</summary>
    public AccountSecrets? Open(string keyId, byte[] sealedRow) => OpenWith(keys.Find(AccountKeyPrefix + keyId), keyId, sealedRow);

    /// <summary>The sealed secrets opened with <paramref name="key"/>, or null when the key is gone or does not open them.</summary>
    internal static AccountSecrets? OpenWith(FieldKey? key, string keyId, byte[] sealedRow)
    {
        if (key?.Open(sealedRow, SealContext(keyId)) is not { } plain)
        {
            return null;
        }

        try
        {
            var span = plain.AsSpan();
            var name = Take(ref span);
            var hash = Take(ref span);
            var salt = Take(ref span);
            return new AccountSecrets(Encoding.UTF8.GetString(name), new PasswordHash(hash.ToArray(), salt.ToArray(), BinaryPrimitives.ReadInt32BigEndian(span)));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>A session's source address, sealed under its account's key.</summary>
    public string SealSource(string keyId, string source) => AccountKey(keyId).SealText(source, SourceContext)!;

    /// <summary>The index of an address the account signed in from: an HMAC under the account's own key.</summary>
    public string SourceIndex(string keyId, string source) => AccountKey(keyId).Index(source, "known_sources.source");

    /// <summary>Shreds the account's key: whatever of the account is left anywhere on the disk no longer opens.</summary>
    public void Destroy(string keyId) => keys.Destroy(AccountKeyPrefix + keyId);

    /// <summary>
    /// The ids of account keys in the vault that no row names: left by a crash between a delete's commit and the
    /// key's destruction (or between a key's creation and its row's insert). They are destroyed at start.
    /// </summary>
    public IEnumerable<string> KeyIdsInVault() =>
        vault.List().Where(n => n.StartsWith(VaultDataKeys.ItemPrefix + AccountKeyPrefix, StringComparison.Ordinal))
            .Select(n => n[(VaultDataKeys.ItemPrefix.Length + AccountKeyPrefix.Length)..]);

    private FieldKey AccountKey(string keyId) => keys.Get(AccountKeyPrefix + keyId);

    internal static string SealContext(string keyId) => "accounts.sealed\0" + keyId;

    private static int Put(byte[] target, int offset, ReadOnlySpan<byte> value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(target.AsSpan(offset), checked((ushort)value.Length));
        value.CopyTo(target.AsSpan(offset + 2));
        return offset + 2 + value.Length;
    }

    private static ReadOnlySpan<byte> Take(ref Span<byte> span)
    {
        var length = BinaryPrimitives.ReadUInt16BigEndian(span);
        var value = span.Slice(2, length);
        span = span[(2 + length)..];
        return value;
    }
}
