using Iris.Camera.Storage;

namespace Iris.Camera.Events;

/// <summary>
/// The personal fields of the security log and the alert inbox (source address, account name, detail, message, and
/// each record's commitment salt) are sealed under one field key, <see cref="KeyName"/>. The owner's deletion
/// redacts every record and then destroys the key, so any copy of a record the disk still holds no longer opens.
/// Records stay readable by time and kind, and the chain verifies over commitments to the plaintext.
/// </summary>
internal sealed class EventFields(IDataKeys keys)
{
    public const string KeyName = "security-log";

    /// <summary>What a sealed field that does not open reads as: never equal to a real value, so a record whose field was replaced fails its commitment.</summary>
    internal const string SaltContext = "security_events.salt";

    public const string Unreadable = "\u0000(unreadable)";

    public string? Seal(string? value, string column) => value is null ? null : keys.Get(KeyName).SealText(value, column);

    public string? Open(string? stored, string column) => stored is null ? null : keys.Get(KeyName).OpenText(stored, column) ?? Unreadable;

    public byte[]? SealSalt(byte[]? salt) => salt is null ? null : keys.Get(KeyName).Seal(salt, SaltContext);

    /// <summary>The salt, or a value that verifies nothing when the sealed salt does not open.</summary>
    public byte[]? OpenSalt(byte[]? stored) => stored is null ? null : keys.Get(KeyName).Open(stored, SaltContext) ?? [];

    public void DestroyKey() => keys.Destroy(KeyName);
}
