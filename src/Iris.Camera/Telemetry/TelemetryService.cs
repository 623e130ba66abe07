using Iris.Camera.Events;

namespace Iris.Camera.Telemetry;

/// <summary>
/// Telemetry consent (IoT-1005-1 5.7.1.2), what the endpoints call: the consent screen, a grant to the text shown
/// now, and a withdrawal that stops sending at once. Each grant and withdrawal is recorded with time, account and
/// text version, and is a security event.
/// </summary>
internal sealed class TelemetryService(
    TelemetryOptions options, TelemetryConsentStore consent, TelemetrySentHistory history, TelemetryCounters counters, TelemetrySender sender, SecurityEventLog events)
{
    /// <summary>The version (hash) of the consent text the settings give now.</summary>
    public string TextVersion { get; } = TelemetryConsentText.VersionOf(options);

    public TelemetryStatus Status() => new(
        options.IsConfigured, consent.ConsentedTo(TextVersion), TextVersion, TelemetryConsentText.For(options), options.Recipient, options.ThirdParties, options.Endpoint,
        options.Interval, counters.Current(), consent.Last(), history.LastSentAt());

    /// <summary>Exactly what the next send would carry.</summary>
    public TelemetryPayload Preview() => counters.Current();

    /// <summary>Records consent to <paramref name="textVersion"/>; false when that is not the text shown now.</summary>
    public bool Grant(string textVersion, string account, string? source)
    {
        if (textVersion != TextVersion || !options.IsConfigured)
        {
            return false;
        }

        consent.Record(TelemetryConsentStore.Granted, TextVersion, account);
        events.Append(SecurityEventKinds.TelemetryConsentGranted, source, account, $"consent text {TextVersion}");
        return true;
    }

    /// <summary>Withdraws consent: a send in flight is cancelled, and nothing more is sent.</summary>
    public void Withdraw(string account, string? source)
    {
        consent.Record(TelemetryConsentStore.Withdrawn, TextVersion, account);
        sender.CancelInFlight();
        events.Append(SecurityEventKinds.TelemetryConsentWithdrawn, source, account, $"consent text {TextVersion}");
    }
}
