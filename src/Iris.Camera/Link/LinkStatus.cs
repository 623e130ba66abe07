using System.Text.Json.Serialization;

namespace Iris.Camera.Link;

[JsonConverter(typeof(JsonStringEnumConverter<LinkState>))]
public enum LinkState
{
    Off,
    Connecting,
    Connected,
    Retrying,
}

/// <summary>What the owner sees about one channel: its state, why it is retrying, and when it last delivered.</summary>
public sealed record ChannelStatus(LinkState State, string? Reason, DateTimeOffset? Since, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastDeliveryAt, int Queued);

/// <summary>The link as the settings page and GET /api/link show it.</summary>
public sealed record LinkStatusView(bool Configured, string TopicPrefix, ChannelStatus Mqtt, ChannelStatus Webhook, long Overflowed, bool WebhookSecretSet);

/// <summary>The live state of each sender, kept in memory (it describes this run only).</summary>
internal sealed class LinkStatus(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<LinkChannel, (LinkState State, string? Reason, DateTimeOffset? Since, DateTimeOffset? Next, DateTimeOffset? Last)> _channels = new()
    {
        [LinkChannel.Mqtt] = (LinkState.Off, null, null, null, null),
        [LinkChannel.Webhook] = (LinkState.Off, null, null, null, null),
    };

    public void Set(LinkChannel channel, LinkState state, string? reason = null, DateTimeOffset? nextAttemptAt = null)
    {
        lock (_lock)
        {
            var current = _channels[channel];
            var since = current.State == state ? current.Since : time.GetUtcNow();
            _channels[channel] = (state, reason, since, nextAttemptAt, current.Last);
        }
    }

    public void Delivered(LinkChannel channel)
    {
        lock (_lock)
        {
            _channels[channel] = _channels[channel] with { Last = time.GetUtcNow() };
        }
    }

    public LinkState StateOf(LinkChannel channel)
    {
        lock (_lock)
        {
            return _channels[channel].State;
        }
    }

    public ChannelStatus Of(LinkChannel channel, int queued)
    {
        lock (_lock)
        {
            var c = _channels[channel];
            return new ChannelStatus(c.State, c.Reason, c.Since, c.Next, c.Last, queued);
        }
    }
}
