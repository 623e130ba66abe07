using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Iris.Camera.Telemetry;

/// <summary>
/// The consent text (IoT-1005-1 5.7.1.2): what is sent, why, how often, to whom and which third parties, where,
/// and how to withdraw. Consent is given to a version that is a hash of the exact text shown
/// (<see cref="VersionOf"/>): a change of recipient, third parties, interval or endpoint in the settings changes the
/// text, so the version, so nothing is sent until an administrator has accepted the new text.
/// </summary>
internal static class TelemetryConsentText
{
    public static string VersionOf(TelemetryOptions options) =>
        "sha256:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(For(options))));

    public static string For(TelemetryOptions options) =>
        "Telemetry sends, once every " + options.Interval.ToString("c", CultureInfo.InvariantCulture) + " (days.hours:minutes:seconds), these counters: model, software version, uptime, " +
        "number of starts, number and size of stored recordings, recording mode and whether privacy mode is on. " +
        "It never sends the serial number, account names, addresses, pictures or video. " +
        $"Why: so that {options.Recipient} can see how the software behaves in use and fix faults. " +
        $"To whom: {options.Recipient}; passed on to third parties: {options.ThirdParties}. " +
        "Sent over TLS to " + (options.Endpoint ?? "(no receiver configured)") + ". " +
        "You can withdraw at any time on this page (or DELETE /api/telemetry/consent); sending stops at once, and you can delete what was recorded as sent.";
}
