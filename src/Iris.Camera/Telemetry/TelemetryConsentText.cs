namespace Iris.Camera.Telemetry;

/// <summary>
/// The consent text (IoT-1005-1 5.7.1.2): what is sent, why, to whom and which third parties, and how to
/// withdraw. Consent is given to a <see cref="Version"/>; change the text and the version changes with it, so that
/// nothing is sent until an administrator has accepted the new text.
/// </summary>
internal static class TelemetryConsentText
{
    public const string Version = "2026-11-1";

    public static string For(TelemetryOptions options) =>
        "Telemetry sends, once a " + (options.Interval.TotalHours >= 24 ? "day" : "scheduled interval") + ", these counters: model, software version, uptime, " +
        "number of starts, number and size of stored recordings, recording mode and whether privacy mode is on. " +
        "It never sends the serial number, account names, addresses, pictures or video. " +
        $"Why: so that {options.Recipient} can see how the software behaves in use and fix faults. " +
        $"To whom: {options.Recipient}; passed on to third parties: {options.ThirdParties}. " +
        "Sent over TLS to " + (options.Endpoint ?? "(no receiver configured)") + ". " +
        "You can withdraw at any time on this page (or DELETE /api/telemetry/consent); sending stops at once, and you can delete what was recorded as sent.";
}
