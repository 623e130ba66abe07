using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;

namespace Iris.Firmware.Slots;

/// <summary>
/// One slot's boot state, in the style of Android's A/B slot metadata. <paramref name="TriesGranted"/> is how
/// many trial boots the install gave the slot (0 in records written before it was kept), so a rollback can
/// say how often the new version failed to start.
/// </summary>
public sealed record SlotState(
    string Version,
    long SecurityVersion,
    DateOnly? SupportEnd,
    string Entry,
    int Priority,
    int TriesRemaining,
    bool Successful,
    int TriesGranted = 0)
{
    public static readonly SlotState Empty = new("", 0, null, "", 0, 0, false);
}

/// <summary>Something the launcher or the daemon wants the status page to say.</summary>
public sealed record SlotEvent(DateTimeOffset At, string Kind, string Slot, string Reason)
{
    public const string Rollback = "rollback";
    public const string Installed = "installed";
    public const string MarkedGood = "marked-good";
    public const string BootFailed = "boot-failed";
}

/// <summary>
/// The boot control record: both slots, the anti-rollback counter (advanced only when a slot proves good),
/// and the last boot event and rollback. Stored twice, each copy checksummed and replaced atomically.
/// </summary>
public sealed record SlotRecord(long Sequence, long SecurityCounter, SlotState A, SlotState B, SlotEvent? LastEvent, SlotEvent? LastRollback)
{
    public const string SlotA = "a";
    public const string SlotB = "b";
    public static readonly IReadOnlyList<string> SlotNames = [SlotA, SlotB];

    public SlotState this[string slot] => slot switch
    {
        SlotA => A,
        SlotB => B,
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "Slots are 'a' and 'b'."),
    };

    public SlotRecord With(string slot, SlotState state) => slot switch
    {
        SlotA => this with { A = state },
        SlotB => this with { B = state },
        _ => throw new ArgumentOutOfRangeException(nameof(slot), slot, "Slots are 'a' and 'b'."),
    };

    public static string Other(string slot) => slot == SlotA ? SlotB : SlotA;
}

/// <summary>
/// Reads and writes the slot record as two files, <c>slot-record.0</c> and <c>slot-record.1</c>. Each write goes to
/// the copy the newest one is not in (write, fsync, rename, fsync the directory), so a power cut at any moment
/// leaves at least one valid copy; a copy is valid when its SHA-256 trailer matches its body.
/// </summary>
public sealed class SlotRecordStore(IDurableFileSystem fs, string bootDirectory)
{
    // Members this version does not know are skipped, not refused: the launcher is installed once and is not
    // updated with the slots, so a newer daemon that adds a member must not leave it without a valid record.
    private static readonly JsonSerializerOptions Json = new(FirmwareJson.Metadata) { WriteIndented = false, UnmappedMemberHandling = JsonUnmappedMemberHandling.Skip };
    private const string ChecksumPrefix = "\nsha256=";

    public string BootDirectory { get; } = bootDirectory;

    public string CopyPath(int copy) => Path.Combine(BootDirectory, $"slot-record.{copy}");

    /// <summary>The newest valid copy, or null when neither copy is valid (a blank or destroyed record).</summary>
    public SlotRecord? Load() =>
        Enumerable.Range(0, 2).Select(ReadCopy).Where(r => r is not null).OrderByDescending(r => r!.Sequence).FirstOrDefault();

    /// <summary>How many copies are valid now (the power-loss suite checks this is never zero).</summary>
    public int ValidCopies() => Enumerable.Range(0, 2).Count(c => ReadCopy(c) is not null);

    /// <summary>Writes <paramref name="record"/> as the next sequence and returns what was written.</summary>
    public SlotRecord Save(SlotRecord record)
    {
        var current = Load();
        var next = record with { Sequence = Math.Max(record.Sequence, current?.Sequence ?? 0) + 1 };
        var body = JsonSerializer.SerializeToUtf8Bytes(next, FirmwareJson.Info<SlotRecord>(Json));
        var text = Encoding.UTF8.GetBytes(ChecksumPrefix + Convert.ToHexStringLower(SHA256.HashData(body)) + "\n");
        DurableFile.WriteAtomically(fs, CopyPath((int)(next.Sequence % 2)), [.. body, .. text], DurableFile.OwnerOnly);
        return next;
    }

    private SlotRecord? ReadCopy(int copy)
    {
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(CopyPath(copy));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(bytes);
        var split = text.LastIndexOf(ChecksumPrefix, StringComparison.Ordinal);
        if (split < 0)
        {
            return null;
        }

        var body = Encoding.UTF8.GetBytes(text[..split]);
        var checksum = text[(split + ChecksumPrefix.Length)..].Trim();
        if (!CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Convert.ToHexStringLower(SHA256.HashData(body))), Encoding.ASCII.GetBytes(checksum)))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(body, FirmwareJson.Info<SlotRecord>(Json));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
