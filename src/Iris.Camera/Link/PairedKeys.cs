using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Iris.Camera.Accounts;
using Iris.Camera.Storage;

namespace Iris.Camera.Link;

/// <summary>An owner-app or platform key allowed to send signed commands, with the role it acts in.</summary>
public sealed record PairedKey(string KeyId, Role Role, string Label, DateTimeOffset PairedAt, string PairedBy, DateTimeOffset? RevokedAt);

/// <summary>
/// Paired command keys (P-256) and one-time pairing codes. An administrator asks for a code with a role; the owner
/// app sends its public key with that code over the link; the key is then bound to the role. Codes live in memory
/// only (a restart voids them), expire after ten minutes, are stored as hashes, work once, and five wrong codes
/// void every open code, so guessing one is hopeless.
/// </summary>
internal sealed class PairedKeys(CameraDatabase database, TimeProvider time, LinkFields fields)
{
    private static readonly TimeSpan CodeLifetime = TimeSpan.FromMinutes(10);
    private const int WrongCodesAllowed = 5;
    private readonly Lock _lock = new();
    private readonly List<(byte[] Hash, Role Role, string Label, string Admin, DateTimeOffset Expires)> _codes = [];
    private int _wrongCodes;

    /// <summary>A new one-time code (10 characters of base32, 50 bits) for a key of <paramref name="role"/>.</summary>
    public (string Code, DateTimeOffset ExpiresAt) NewCode(Role role, string label, string admin)
    {
        const string Alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789";
        var code = string.Create(10, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = Alphabet[RandomNumberGenerator.GetInt32(Alphabet.Length)];
            }
        });
        var expires = time.GetUtcNow() + CodeLifetime;
        lock (_lock)
        {
            _codes.RemoveAll(c => c.Expires <= time.GetUtcNow());
            _codes.Add((Hash(code), role, label, admin, expires));
            _wrongCodes = 0;
        }

        return (code, expires);
    }

    /// <summary>Binds <paramref name="publicKey"/> (SubjectPublicKeyInfo, P-256) if the code is open; null with a reason otherwise.</summary>
    public (PairedKey? Key, string? Refusal) Pair(string code, byte[] publicKey)
    {
        string keyId;
        try
        {
            using var key = ECDsa.Create();
            key.ImportSubjectPublicKeyInfo(publicKey, out _);
            if (key.ExportParameters(false).Curve.Oid.Value != ECCurve.NamedCurves.nistP256.Oid.Value)
            {
                return (null, "key is not P-256");
            }

            keyId = KeyIdOf(publicKey);
        }
        catch (CryptographicException)
        {
            return (null, "key is not a valid public key");
        }

        (byte[] Hash, Role Role, string Label, string Admin, DateTimeOffset Expires) match;
        lock (_lock)
        {
            var hash = Hash(code);
            var index = _codes.FindIndex(c => c.Expires > time.GetUtcNow() && CryptographicOperations.FixedTimeEquals(c.Hash, hash));
            if (index < 0)
            {
                if (++_wrongCodes >= WrongCodesAllowed)
                {
                    _codes.Clear();
                }

                return (null, "wrong or expired pairing code");
            }

            match = _codes[index];
            _codes.RemoveAt(index);
        }

        var now = time.GetUtcNow();
        using (var connection = database.OpenConnection())
        {
            DbRows.Execute(connection, """
                INSERT INTO link_keys (key_id, public_key, role, label, paired_at, paired_by, sealed) VALUES ($id, $key, $role, $label, $at, $by, 1)
                ON CONFLICT (key_id) DO UPDATE SET role = excluded.role, label = excluded.label, paired_at = excluded.paired_at, paired_by = excluded.paired_by, sealed = 1, revoked_at = NULL;
                """,
                ("$id", keyId), ("$key", publicKey), ("$role", match.Role.ToString()), ("$label", match.Label), ("$at", DbTime.Format(now)), ("$by", fields.SealPairedBy(match.Admin)));
        }

        return (new PairedKey(keyId, match.Role, match.Label, now, match.Admin, null), null);
    }

    /// <summary>The public key and role of a paired key that is not revoked.</summary>
    public (byte[] PublicKey, Role Role)? Find(string keyId)
    {
        using var connection = database.OpenConnection();
        var rows = DbRows.Query(connection, "SELECT public_key, role FROM link_keys WHERE key_id = $id AND revoked_at IS NULL;",
            r => ((byte[])r.GetValue(0), Enum.Parse<Role>(r.GetString(1))), ("$id", keyId));
        return rows.Count == 1 ? rows[0] : null;
    }

    public IReadOnlyList<PairedKey> List()
    {
        using var connection = database.OpenConnection();
        return DbRows.Query(connection, "SELECT key_id, role, label, paired_at, paired_by, revoked_at FROM link_keys ORDER BY paired_at;",
            r => new PairedKey(r.GetString(0), Enum.Parse<Role>(r.GetString(1)), r.GetString(2), DbTime.Read(r, 3), fields.OpenPairedBy(r.GetString(4)), DbTime.ReadNullable(r, 5)));
    }

    public bool Revoke(string keyId)
    {
        using var connection = database.OpenConnection();
        return DbRows.Execute(connection, "UPDATE link_keys SET revoked_at = $now WHERE key_id = $id AND revoked_at IS NULL;",
            ("$now", DbTime.Format(time.GetUtcNow())), ("$id", keyId)) == 1;
    }

    /// <summary>Deletes every paired key and destroys the field key their administrators' names were sealed under.</summary>
    public int DeleteAll()
    {
        int deleted;
        using (var connection = database.OpenConnection())
        {
            deleted = DbRows.Execute(connection, "DELETE FROM link_keys;");
        }

        fields.DestroyPairedKeysKey();
        return deleted;
    }

    /// <summary>What a key paired by an administrator since deleted names as its pairer.</summary>
    public const string DeletedAdministrator = "(deleted account)";

    /// <summary>A deleted administrator's name leaves the keys they paired; the keys stay (they belong to the owner's apps).</summary>
    public int Forget(string username)
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var named = DbRows.Query(connection, "SELECT key_id, paired_by FROM link_keys WHERE sealed = 1;", r => (Id: r.GetString(0), By: fields.OpenPairedBy(r.GetString(1))))
            .Where(row => string.Equals(row.By, username, StringComparison.Ordinal)).ToList();
        foreach (var row in named)
        {
            DbRows.Execute(connection, "UPDATE link_keys SET paired_by = $by WHERE key_id = $id;", ("$by", fields.SealPairedBy(DeletedAdministrator)), ("$id", row.Id));
        }

        transaction.Commit();
        return named.Count;
    }

    /// <summary>Seals the pairers' names written before schema 10.</summary>
    public int SealLegacyRows()
    {
        using var connection = database.OpenConnection();
        using var transaction = connection.BeginTransaction();
        var rows = DbRows.Query(connection, "SELECT key_id, paired_by FROM link_keys WHERE sealed = 0;", r => (Id: r.GetString(0), By: r.GetString(1)));
        foreach (var row in rows)
        {
            DbRows.Execute(connection, "UPDATE link_keys SET paired_by = $by, sealed = 1 WHERE key_id = $id;", ("$by", fields.SealPairedBy(row.By)), ("$id", row.Id));
        }

        transaction.Commit();
        return rows.Count;
    }

    /// <summary>The key's id: base64url of the first 16 bytes of SHA-256 over its SubjectPublicKeyInfo.</summary>
    public static string KeyIdOf(byte[] subjectPublicKeyInfo) => Base64Url.Encode(SHA256.HashData(subjectPublicKeyInfo).AsSpan(0, 16));

    private static byte[] Hash(string code) => SHA256.HashData(Encoding.UTF8.GetBytes(code.Trim().ToUpperInvariant()));
}

/// <summary>base64url without padding (RFC 4648 §5), the encoding of every binary field of the protocol.</summary>
internal static class Base64Url
{
    public static string Encode(ReadOnlySpan<byte> bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);

    public static byte[]? TryDecode(string? text)
    {
        if (text is null)
        {
            return null;
        }

        try
        {
            return System.Buffers.Text.Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    public static string Invariant(long value) => value.ToString(CultureInfo.InvariantCulture);
}
