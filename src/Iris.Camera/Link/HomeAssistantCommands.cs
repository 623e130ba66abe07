using Iris.Camera.Events;
using Iris.Camera.Media;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Link;

/// <summary>
/// Home Assistant's unsigned commands (issue 15, Deliver 4). Home Assistant cannot sign, so its command topics are
/// a separate setting (<see cref="CloudOptions.HomeAssistantCommands"/>), off by default, and even when on they can
/// do two things only: privacy mode on or off, and a snapshot (published to the image entity's topic). Everything
/// else arriving there, and anything at all while the setting is off, is refused and recorded as a security event.
/// The camera listens on these topics either way, so a refused attempt is seen, not silently dropped.
/// </summary>
internal sealed partial class HomeAssistantCommands(
    CloudOptions options,
    MqttConnection connection,
    MediaChanges media,
    RemoteSnapshot snapshot,
    SecurityEventLog log,
    RefusalLog refusals,
    ILogger<HomeAssistantCommands> logger)
{
    public const string Source = "home-assistant";

    /// <summary>Topic filter of every Home Assistant command (one level: the entity).</summary>
    public string Filter => $"{connection.Prefix}/ha/+/set";

    public string PrivacyTopic => $"{connection.Prefix}/ha/privacy/set";

    public string SnapshotTopic => $"{connection.Prefix}/ha/snapshot/set";

    public bool IsCommand(string topic) => topic.StartsWith(connection.Prefix + "/ha/", StringComparison.Ordinal) && topic.EndsWith("/set", StringComparison.Ordinal);

    /// <summary>Carries out an allowed command; returns what to publish afterwards (state or picture), or nothing when refused.</summary>
    public async Task<IReadOnlyList<(string Topic, byte[] Payload, bool Retain)>> HandleAsync(string topic, byte[] payload, CancellationToken cancellationToken)
    {
        var text = payload.Length <= 16 ? System.Text.Encoding.UTF8.GetString(payload).Trim() : "";
        if (!options.HomeAssistantCommands)
        {
            return Refuse(topic, "Home Assistant commands are off");
        }

        if (topic == PrivacyTopic && text is "ON" or "OFF")
        {
            var state = await media.SetPrivacyAsync(text == "ON", Source, "mqtt", cancellationToken);
            log.Append(RemoteCommands.AcceptedKind, "mqtt", Source, $"privacy-{(state.Enabled ? "on" : "off")} (Home Assistant, unsigned)");
            return [($"{connection.Prefix}/ha/privacy", state.Enabled ? "ON"u8.ToArray() : "OFF"u8.ToArray(), true)];
        }

        if (topic == SnapshotTopic && text == "PRESS")
        {
            var (status, detail, picture) = await snapshot.TakeAsync(cancellationToken);
            if (picture is null)
            {
                return Refuse(topic, $"snapshot {status}: {detail}");
            }

            log.Append(RemoteCommands.AcceptedKind, "mqtt", Source, "snapshot (Home Assistant, unsigned)");
            return [($"{connection.Prefix}/ha/snapshot", Convert.FromBase64String(picture.Jpeg), false)];
        }

        return Refuse(topic, "not allowed from Home Assistant (only privacy ON/OFF and snapshot PRESS)");
    }

    private List<(string, byte[], bool)> Refuse(string topic, string reason)
    {
        var entity = topic.Length > connection.Prefix.Length ? topic[(connection.Prefix.Length + 1)..] : topic;
        entity = entity.Length > 64 ? entity[..64] : entity;
        if (refusals.Append("mqtt", Source, $"{reason}; topic {entity}"))
        {
            LogRefused(logger, reason);
        }

        return [];
    }

    [LoggerMessage(EventId = 7041, Level = LogLevel.Warning, Message = "Home Assistant command refused: {Reason}.")]
    private static partial void LogRefused(ILogger logger, string reason);
}
