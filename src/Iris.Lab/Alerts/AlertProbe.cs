using System.Globalization;
using Iris.Lab.Audit;
using Iris.Lab.Auth;

namespace Iris.Lab.Alerts;

/// <summary>
/// 5.8.1.1 from outside, where the IXIT names an alert channel (MQTT topic or webhook) and the device identifier:
/// after the wrong passwords of the authentication series (or its own, if that series did not run), waits up to
/// <see cref="AuditContext.AlertWait"/> for a message on a declared channel that carries the identifier (and, for
/// a webhook whose HMAC key the IXIT gives, whose signature verifies). One arrives: pass. Messages without the
/// identifier, with a signature that does not verify, or none at all: fail.
/// </summary>
internal sealed class AlertProbe : IProbe
{
    /// <summary>Wrong passwords the probe sends itself when the authentication series sent none.</summary>
    public const int OwnSeries = 8;

    public string Name => "alert";

    public IReadOnlyList<string> Items { get; } = ["5.8.1.1"];

    /// <summary>It judges what the wrong passwords of the login probes raised.</summary>
    public IReadOnlyList<string>? After { get; } = ["alert-listen", "auth", "service-login"];

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        try
        {
            await JudgeAsync(context, recorder, cancellationToken);
        }
        finally
        {
            foreach (var subscription in context.AlertSubscriptions)
            {
                await subscription.DisposeAsync();
            }

            context.AlertSubscriptions.Clear();
        }
    }

    private static async Task JudgeAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        if (context.AlertSubscriptions.Count == 0)
        {
            return;
        }

        if (string.IsNullOrEmpty(context.Ixit?.DeviceIdentifier))
        {
            recorder.Inconclusive("5.8.1.1", "The IXIT names an alert channel but no deviceIdentifier, so the lab cannot tell whether an alert names the device.");
            return;
        }

        var identifier = context.Ixit.DeviceIdentifier;
        if (context.WrongLoginsSent == 0)
        {
            if (LoginEndpoint.Find(context, out var why) is not { } endpoint)
            {
                recorder.Inconclusive("5.8.1.1", $"No failed logins could be made to trigger an alert: {why}.");
                return;
            }

            using var http = endpoint.CreateHttp(context.ConnectTimeout * 10);
            var client = new LoginClient(http, endpoint.Login, context.Time);
            for (var n = 0; n < OwnSeries; n++)
            {
                var attempt = await client.TryAsync(endpoint.Login.Username ?? "admin", $"iris-lab-alert-{n}", cancellationToken);
                context.WrongLoginsSent += attempt.Outcome is LoginOutcome.Refused or LoginOutcome.Throttled ? 1 : 0;
            }
        }

        var started = context.Time.GetTimestamp();
        while (!Arrived(context, identifier) && context.Time.GetElapsedTime(started) < context.AlertWait)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), context.Time, cancellationToken);
        }

        var waited = context.Time.GetElapsedTime(started).TotalSeconds;
        var channels = string.Join(", ", context.AlertSubscriptions.Select(s => s.Describe));
        var received = context.AlertSubscriptions.SelectMany(s => s.Received).ToList();
        var reproduce = $"Subscribe to {channels}, send {context.WrongLoginsSent} wrong passwords to the login interface, watch for an alert naming {identifier}";
        if (received.FirstOrDefault(m => Names(m, identifier)) is { } alert)
        {
            recorder.Pass("5.8.1.1", string.Create(CultureInfo.InvariantCulture,
                $"After {context.WrongLoginsSent} failed logins an alert naming {identifier} arrived on {alert.Where}{(alert.SignatureValid == true ? " with a valid HMAC-SHA-256 signature" : "")} within {waited:0.0} s: {Excerpt(alert.Payload)}"));
        }
        else if (received.FirstOrDefault(m => m.SignatureValid == false && m.Payload.Contains(identifier, StringComparison.Ordinal)) is { } forged)
        {
            recorder.Fail(new Finding("5.8.1.1", Severity.High, "Webhook alert signature does not verify",
                $"An alert naming {identifier} arrived on {forged.Where}, but its HMAC-SHA-256 signature does not verify under the key the IXIT gives: a receiver cannot tell it from a forgery; {Excerpt(forged.Payload)}", reproduce));
        }
        else if (received.Count > 0)
        {
            recorder.Fail(new Finding("5.8.1.1", Severity.Medium, "Login alert does not name the device",
                string.Create(CultureInfo.InvariantCulture, $"After {context.WrongLoginsSent} failed logins {received.Count} message(s) arrived on {channels}, none naming {identifier}; first: {Excerpt(received[0].Payload)}"), reproduce));
        }
        else
        {
            recorder.Fail(new Finding("5.8.1.1", Severity.High, "No alert after failed logins",
                string.Create(CultureInfo.InvariantCulture, $"After {context.WrongLoginsSent} failed logins nothing arrived on {channels} within {waited:0} s"), reproduce));
        }
    }

    private static bool Arrived(AuditContext context, string identifier) =>
        context.AlertSubscriptions.Any(s => s.Received.Any(m => Names(m, identifier)));

    /// <summary>The identifier must be in the message itself: a topic is routing, which a receiver may not keep.</summary>
    private static bool Names(ReceivedAlert message, string identifier) =>
        message.Payload.Contains(identifier, StringComparison.Ordinal) && message.SignatureValid != false;

    private static string Excerpt(string payload) => payload.Length <= 300 ? payload : payload[..300] + "...";
}
