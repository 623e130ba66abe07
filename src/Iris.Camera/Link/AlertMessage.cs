using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Camera.Identity;

namespace Iris.Camera.Link;

/// <summary>
/// An alert as the platform receives it (docs/platform-protocol.md): the device serial and model, what happened,
/// when and from where, an id to de-duplicate on (delivery is at least once), the outbox sequence number (delivery
/// is in order), and how many alerts the full outbox ever had to drop.
/// </summary>
public sealed record AlertMessage(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("seq")] long Seq,
    [property: JsonPropertyName("serial")] string Serial,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("at")] DateTimeOffset At,
    [property: JsonPropertyName("source")] string? Source,
    [property: JsonPropertyName("referenceId")] long ReferenceId,
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("overflowed")] long Overflowed)
{
    public const int Version = 1;

    public static AlertMessage From(OutboxEntry entry, DeviceIdentity identity, long overflowed) =>
        new(entry.MessageId, entry.Seq, identity.Serial, identity.Model, entry.Kind, entry.At, entry.Source, entry.ReferenceId, entry.Message, overflowed);

    public byte[] ToUtf8() => JsonSerializer.SerializeToUtf8Bytes(this, LinkMessageJson.Default.AlertMessage);
}
