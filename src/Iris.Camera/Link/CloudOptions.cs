namespace Iris.Camera.Link;

/// <summary>
/// Settings of the platform link (section Iris:Cloud). Everything is off until an administrator names a broker
/// or a webhook: a camera never connects anywhere on its own.
/// </summary>
public sealed class CloudOptions : Platform.IBoundSettings<CloudOptions>
{
    public const string SectionName = "Iris:Cloud";

    public static CloudOptions? Bind(IConfiguration section) => section.Get<CloudOptions>(Platform.SettingsBinding.Strict);

    /// <summary>Host name or address of the MQTT 5 broker (TLS only); empty keeps the MQTT link off.</summary>
    public string? BrokerHost { get; set; }

    public int BrokerPort { get; set; } = 8883;

    /// <summary>PEM file with the only CA the link trusts for the broker's (and the webhook's) server certificate.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>First part of every topic; the device serial follows it, so each camera has one prefix of its own.</summary>
    public string TopicRoot { get; set; } = "iris";

    /// <summary>HTTPS address alerts are also posted to, signed with HMAC-SHA-256; empty keeps the webhook off.</summary>
    public Uri? WebhookUrl { get; set; }

    /// <summary>Most alerts kept while the platform cannot be reached; beyond it the oldest go and are counted.</summary>
    public int OutboxLimit { get; set; } = 10_000;

    public TimeSpan KeepAlive { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest wait for a connection, a handshake or an acknowledgement before the link is given up and retried.</summary>
    public TimeSpan OperationTimeout { get; set; } = TimeSpan.FromSeconds(15);

    public TimeSpan MinimumRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Cap of the exponential back-off: the link is retried at least this often once the network returns.</summary>
    public TimeSpan MaximumRetryDelay { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Publishes Home Assistant MQTT discovery for this camera (read-only entities); off by default.</summary>
    public bool HomeAssistantDiscovery { get; set; }

    /// <summary>
    /// Lets Home Assistant, which cannot sign, turn privacy mode on or off and ask for a snapshot on its unsigned
    /// command topics; off by default, nothing else is ever accepted there. Anyone who may publish to those topics
    /// on the broker can then do both.
    /// </summary>
    public bool HomeAssistantCommands { get; set; }

    /// <summary>Discovery prefix Home Assistant listens on.</summary>
    public string HomeAssistantPrefix { get; set; } = "homeassistant";

    /// <summary>Longest a remote view may last before the camera ends it (a new signed command starts another).</summary>
    public TimeSpan RemoteViewLimit { get; set; } = TimeSpan.FromMinutes(10);

    public bool MqttConfigured => !string.IsNullOrWhiteSpace(BrokerHost);

    public bool WebhookConfigured => WebhookUrl is not null;

    public bool IsConfigured => MqttConfigured || WebhookConfigured;

    public IEnumerable<string> Validate()
    {
        if (IsConfigured && string.IsNullOrWhiteSpace(CaCertificateFile))
        {
            yield return $"{SectionName}:CaCertificateFile is required with a broker or a webhook (the link trusts that CA only).";
        }

        if (BrokerPort is < 1 or > 65535)
        {
            yield return $"{SectionName}:BrokerPort must be 1-65535.";
        }

        if (string.IsNullOrWhiteSpace(TopicRoot) || TopicRoot.IndexOfAny(['#', '+', '\0']) >= 0 || TopicRoot.StartsWith('$') || TopicRoot.Length > 64)
        {
            yield return $"{SectionName}:TopicRoot must be 1-64 characters without MQTT wildcards and not start with '$'.";
        }

        if (string.IsNullOrWhiteSpace(HomeAssistantPrefix) || HomeAssistantPrefix.IndexOfAny(['#', '+', '\0']) >= 0 || HomeAssistantPrefix.Length > 64)
        {
            yield return $"{SectionName}:HomeAssistantPrefix must be 1-64 characters without MQTT wildcards.";
        }

        if (WebhookUrl is { } url && (!url.IsAbsoluteUri || url.Scheme != Uri.UriSchemeHttps))
        {
            yield return $"{SectionName}:WebhookUrl must be an absolute https:// address.";
        }

        if (OutboxLimit is < 10 or > 1_000_000)
        {
            yield return $"{SectionName}:OutboxLimit must be 10-1000000.";
        }

        if (KeepAlive < TimeSpan.FromSeconds(1) || KeepAlive > TimeSpan.FromHours(1))
        {
            yield return $"{SectionName}:KeepAlive must be between 1 second and 1 hour.";
        }

        if (OperationTimeout < TimeSpan.FromSeconds(1) || OperationTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{SectionName}:OperationTimeout must be between 1 second and 5 minutes.";
        }

        if (RemoteViewLimit < TimeSpan.FromSeconds(5) || RemoteViewLimit > TimeSpan.FromHours(1))
        {
            yield return $"{SectionName}:RemoteViewLimit must be between 5 seconds and 1 hour.";
        }

        if (MinimumRetryDelay < TimeSpan.FromMilliseconds(100) || MaximumRetryDelay < MinimumRetryDelay || MaximumRetryDelay > TimeSpan.FromHours(1))
        {
            yield return $"{SectionName}:MinimumRetryDelay must be at least 100 ms and MaximumRetryDelay between it and 1 hour.";
        }
    }
}
