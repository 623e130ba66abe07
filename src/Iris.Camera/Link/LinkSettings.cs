using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using Iris.Camera.Vault;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Link;

/// <summary>What the link page changes: where alerts go and what Home Assistant may do. Absent fields keep their value.</summary>
public sealed class LinkSettingsRequest
{
    /// <summary>Broker host name or address; empty turns the MQTT link off.</summary>
    [StringLength(253)]
    public string? BrokerHost { get; set; }

    [Range(1, 65535)]
    public int? BrokerPort { get; set; }

    [StringLength(64, MinimumLength = 1)]
    public string? TopicRoot { get; set; }

    /// <summary>https:// receiver; empty turns the webhook off; the masked address shown means "keep it".</summary>
    [StringLength(2048)]
    public string? WebhookUrl { get; set; }

    public bool? HomeAssistantDiscovery { get; set; }

    public bool? HomeAssistantCommands { get; set; }
}

/// <summary>The link's settings as the page shows them: the webhook address with its path hidden (it may carry a token).</summary>
public sealed record LinkSettingsView(string? BrokerHost, int BrokerPort, string TopicRoot, string? WebhookUrl, bool HomeAssistantDiscovery, bool HomeAssistantCommands, bool CaConfigured);

/// <summary>
/// The link settings an administrator saved on the link page, sealed in the vault (a webhook address often holds a
/// token in its path) and laid over <see cref="CloudOptions"/>, which stays the one place every part of the link
/// reads. The CA file stays a configuration setting: it is a file on the device, chosen by whoever installed it.
/// A change is checked with <see cref="CloudOptions.Validate"/> before anything changes, then the senders restart
/// on it (<see cref="LinkRestart"/>).
/// </summary>
internal sealed partial class LinkSettings(CloudOptions options, SecretVault vault, LinkRestart restart, ILogger<LinkSettings> logger)
{
    public const string VaultItem = "link-settings";
    private readonly Lock _lock = new();

    /// <summary>Lays the saved settings over the configuration at start; saved settings the rules refuse are ignored (and logged).</summary>
    public void ApplyStored()
    {
        using var read = vault.Unseal(VaultItem);
        if (read.Status != VaultReadStatus.Ok || JsonSerializer.Deserialize(read.Secret, StoredLinkSettingsJson.Default.LinkSettingsRequest) is not { } stored)
        {
            return;
        }

        var candidate = Resolve(stored);
        if (candidate.Validate().Any())
        {
            LogStoredRefused(logger);
            return;
        }

        CopyInto(candidate, options);
    }

    public LinkSettingsView Show() => new(
        options.BrokerHost, options.BrokerPort, options.TopicRoot, Mask(options.WebhookUrl),
        options.HomeAssistantDiscovery, options.HomeAssistantCommands, !string.IsNullOrWhiteSpace(options.CaCertificateFile));

    /// <summary>
    /// What the page says for each setting it shows, in place of the configuration's own sentence (which names
    /// <c>Iris:Cloud:…</c> keys). Web/FieldTexts has the same sentences in Traditional Chinese.
    /// </summary>
    private static readonly Dictionary<string, string> PageWords = new(StringComparer.Ordinal)
    {
        [nameof(CloudOptions.BrokerPort)] = "The port must be 1-65535.",
        [nameof(CloudOptions.TopicRoot)] = "The topic root must be 1-64 characters without the MQTT wildcards # and + and must not start with $.",
        [nameof(CloudOptions.WebhookUrl)] = "The receiver address must be an absolute https:// address.",
        [nameof(CloudOptions.CaCertificateFile)] = "No CA file is installed for the link (Iris:Cloud:CaCertificateFile), so no broker or receiver can be checked yet.",
    };

    /// <summary>Every problem with the settings after the change, by field; empty when they can be used.</summary>
    public Dictionary<string, string[]> Check(LinkSettingsRequest request)
    {
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request.WebhookUrl is { Length: > 0 } url && url != Mask(options.WebhookUrl) && !Uri.TryCreate(url, UriKind.Absolute, out _))
        {
            problems["webhookUrl"] = [PageWords[nameof(CloudOptions.WebhookUrl)]];
            return problems;
        }

        foreach (var problem in Resolve(request).Validate())
        {
            // "Iris:Cloud:TopicRoot must be …" is about the field topicRoot; the CA is not on the page, so its
            // problem goes to the address that needs it.
            var key = problem.Split(':', 3) is { Length: 3 } parts ? parts[2].Split(' ')[0] : "Settings";
            var field = key == nameof(CloudOptions.CaCertificateFile)
                ? (string.IsNullOrWhiteSpace(request.BrokerHost) ? "webhookUrl" : "brokerHost")
                : char.ToLowerInvariant(key[0]) + key[1..];
            problems[field] = [.. problems.GetValueOrDefault(field, []), PageWords.GetValueOrDefault(key, problem)];
        }

        return problems;
    }

    /// <summary>Seals and applies settings that passed <see cref="Check"/>, then restarts the senders on them.</summary>
    public LinkSettingsView Save(LinkSettingsRequest request)
    {
        lock (_lock)
        {
            var resolved = Resolve(request);
            var stored = new LinkSettingsRequest
            {
                BrokerHost = resolved.BrokerHost ?? "", BrokerPort = resolved.BrokerPort, TopicRoot = resolved.TopicRoot,
                WebhookUrl = resolved.WebhookUrl?.ToString() ?? "", HomeAssistantDiscovery = resolved.HomeAssistantDiscovery,
                HomeAssistantCommands = resolved.HomeAssistantCommands,
            };
            vault.Seal(VaultItem, JsonSerializer.SerializeToUtf8Bytes(stored, StoredLinkSettingsJson.Default.LinkSettingsRequest));
            CopyInto(resolved, options);
        }

        restart.Restart();
        return Show();
    }

    /// <summary>What changed, for the security log: names and flags, never a webhook path (it may carry a token).</summary>
    public static string Describe(LinkSettingsView before, LinkSettingsView after)
    {
        var changes = new List<string>();
        if (before.BrokerHost != after.BrokerHost || before.BrokerPort != after.BrokerPort)
        {
            changes.Add(after.BrokerHost is null ? "broker off" : $"broker {after.BrokerHost}:{after.BrokerPort}");
        }

        if (before.TopicRoot != after.TopicRoot)
        {
            changes.Add($"topic root {after.TopicRoot}");
        }

        if (before.WebhookUrl != after.WebhookUrl)
        {
            changes.Add(after.WebhookUrl is null ? "webhook off" : $"webhook {after.WebhookUrl}");
        }

        if (before.HomeAssistantDiscovery != after.HomeAssistantDiscovery)
        {
            changes.Add($"Home Assistant discovery {(after.HomeAssistantDiscovery ? "on" : "off")}");
        }

        if (before.HomeAssistantCommands != after.HomeAssistantCommands)
        {
            changes.Add($"Home Assistant commands {(after.HomeAssistantCommands ? "on" : "off")}");
        }

        return "platform link settings: " + (changes.Count == 0 ? "saved unchanged" : string.Join(", ", changes));
    }

    /// <summary>The address without its path, query or credentials: enough to recognise, nothing to reuse.</summary>
    public static string? Mask(Uri? url) =>
        url is null ? null : url.AbsolutePath.Length > 1 || url.Query.Length > 0 ? url.GetLeftPart(UriPartial.Authority) + "/…" : url.GetLeftPart(UriPartial.Authority) + "/";

    private CloudOptions Resolve(LinkSettingsRequest request)
    {
        var next = new CloudOptions();
        CopyInto(options, next);
        next.CaCertificateFile = options.CaCertificateFile;
        if (request.BrokerHost is not null)
        {
            next.BrokerHost = request.BrokerHost.Trim().Length == 0 ? null : request.BrokerHost.Trim();
        }

        next.BrokerPort = request.BrokerPort ?? next.BrokerPort;
        next.TopicRoot = request.TopicRoot ?? next.TopicRoot;
        if (request.WebhookUrl is not null && request.WebhookUrl != Mask(options.WebhookUrl))
        {
            next.WebhookUrl = request.WebhookUrl.Trim().Length == 0 ? null : new Uri(request.WebhookUrl.Trim(), UriKind.Absolute);
        }

        next.HomeAssistantDiscovery = request.HomeAssistantDiscovery ?? next.HomeAssistantDiscovery;
        next.HomeAssistantCommands = request.HomeAssistantCommands ?? next.HomeAssistantCommands;
        return next;
    }

    /// <summary>Only the fields the page changes; everything else (timeouts, limits, the CA) stays configuration.</summary>
    private static void CopyInto(CloudOptions from, CloudOptions to)
    {
        to.BrokerHost = from.BrokerHost;
        to.BrokerPort = from.BrokerPort;
        to.TopicRoot = from.TopicRoot;
        to.WebhookUrl = from.WebhookUrl;
        to.HomeAssistantDiscovery = from.HomeAssistantDiscovery;
        to.HomeAssistantCommands = from.HomeAssistantCommands;
    }

    [LoggerMessage(EventId = 7040, Level = LogLevel.Warning, Message = "The saved platform link settings are no longer accepted; the configured ones apply.")]
    private static partial void LogStoredRefused(ILogger logger);
}
