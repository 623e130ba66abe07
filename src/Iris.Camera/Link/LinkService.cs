using Iris.Camera.Accounts;
using Iris.Camera.Events;

namespace Iris.Camera.Link;

/// <summary>What the settings page does with the link: show it, send a test alert, make a new webhook key.</summary>
internal sealed class LinkService(
    CloudOptions options,
    MqttConnection connection,
    AlertOutbox outbox,
    LinkStatus status,
    WebhookSecret secret,
    AlertCenter alerts,
    PairedKeys keys,
    SecurityEventLog log)
{
    public const string TestAlertKind = "test-alert";

    public LinkStatusView Status() => new(
        options.IsConfigured,
        connection.Prefix,
        status.Of(LinkChannel.Mqtt, options.MqttConfigured ? outbox.Count(LinkChannel.Mqtt) : 0),
        status.Of(LinkChannel.Webhook, options.WebhookConfigured ? outbox.Count(LinkChannel.Webhook) : 0),
        outbox.Overflowed(),
        secret.IsSet);

    /// <summary>Raises a real alert through the one dispatcher, so it travels exactly the way a security alert does.</summary>
    public SecurityAlert SendTestAlert(string account, string? source) =>
        alerts.Raise(TestAlertKind, source, account, $"Test alert sent by {account} from the settings page.");

    public (string Code, DateTimeOffset ExpiresAt) NewPairingCode(Role role, string label, string account, string? source)
    {
        log.Append(SecurityEventKinds.SettingsChanged, source, account, $"pairing code made for a {role} key ({label})");
        return keys.NewCode(role, label, account);
    }

    public IReadOnlyList<PairedKey> Keys() => keys.List();

    public bool Revoke(string keyId, string account, string? source)
    {
        var revoked = keys.Revoke(keyId);
        if (revoked)
        {
            log.Append(SecurityEventKinds.SettingsChanged, source, account, $"command key {keyId} revoked");
        }

        return revoked;
    }

    public string RenewWebhookSecret(string account, string? source)
    {
        var key = secret.Renew();
        log.Append(SecurityEventKinds.SettingsChanged, source, account, "new alert webhook key made");
        return key;
    }
}
