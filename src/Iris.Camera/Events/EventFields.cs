using System.Globalization;
using Iris.Camera.Storage;

namespace Iris.Camera.Events;

/// <summary>
/// The personal fields of the security log and the alert inbox (source address, account name, detail, message, and
/// each record's commitment salt) are sealed under a field key per calendar month (UTC) of the record's time,
/// <see cref="KeyFor(DateTimeOffset)"/>. Retention destroys a month's key once it has removed the month's last
/// record, so a removed record that a free block or a never-overwriting medium keeps no longer opens; the owner's
/// deletion redacts every record and destroys every key. Records stay readable by time and kind, and the chain
/// verifies over commitments to the plaintext.
/// </summary>
internal sealed class EventFields(IDataKeys keys)
{
    /// <summary>The one key of schema 9 (before keys per month); its rows are moved to their months' keys at start.</summary>
    public const string KeyName = "security-log";

    public const string MonthKeyPrefix = KeyName + ".";

    internal const string SaltContext = "security_events.salt";

    /// <summary>What a sealed field that does not open reads as: never equal to a real value, so a record whose field was replaced fails its commitment.</summary>
    public const string Unreadable = "\u0000(unreadable)";

    public static string KeyFor(DateTimeOffset at) => MonthKeyPrefix + at.UtcDateTime.ToString("yyyy-MM", CultureInfo.InvariantCulture);

    public static string KeyFor(string storedAt) => KeyFor(DbTime.Parse(storedAt));

    /// <summary>Whether the key named is one of the security log's (the legacy key or a month's).</summary>
    public static bool IsLogKey(string name) => name == KeyName || name.StartsWith(MonthKeyPrefix, StringComparison.Ordinal);

    public string? Seal(string? value, string column, DateTimeOffset at) => value is null ? null : keys.Get(KeyFor(at)).SealText(value, column);

    public string? Open(string? stored, string column, DateTimeOffset at) => stored is null ? null : keys.Find(KeyFor(at))?.OpenText(stored, column) ?? Unreadable;

    public string? Open(string? stored, string column, string storedAt) => stored is null ? null : Open(stored, column, DbTime.Parse(storedAt));

    public byte[]? SealSalt(byte[]? salt, DateTimeOffset at) => salt is null ? null : keys.Get(KeyFor(at)).Seal(salt, SaltContext);

    /// <summary>The salt, or a value that verifies nothing when the sealed salt does not open.</summary>
    public byte[]? OpenSalt(byte[]? stored, string storedAt) => stored is null ? null : keys.Find(KeyFor(storedAt))?.Open(stored, SaltContext) ?? [];

    /// <summary>The key of the month a record stored at <paramref name="storedAt"/> belongs to, made on first use.</summary>
    public FieldKey MonthKey(string storedAt) => keys.Get(KeyFor(storedAt));

    /// <summary>The legacy single key, while rows may still be sealed under it.</summary>
    public FieldKey? LegacyKey() => keys.Find(KeyName);

    public void DestroyLegacyKey() => keys.Destroy(KeyName);

    /// <summary>Destroys every key of the log (the owner's deletion, after every record was redacted).</summary>
    public void DestroyAllKeys()
    {
        foreach (var name in keys.Names(KeyName).Where(IsLogKey))
        {
            keys.Destroy(name);
        }
    }

    /// <summary>The months (<c>yyyy-MM</c>) that have a key.</summary>
    public IEnumerable<string> KeyedMonths() =>
        keys.Names(MonthKeyPrefix).Select(n => n[MonthKeyPrefix.Length..]);

    public void DestroyMonth(string month) => keys.Destroy(MonthKeyPrefix + month);
}
