using Iris.Lab.Audit;

namespace Iris.Lab.Alerts;

/// <summary>
/// First half of 5.8.1.1: subscribes to every MQTT alert channel the IXIT declares, and opens the HTTPS receiver of
/// every declared webhook, before the authentication probes send wrong passwords (an MQTT message published while
/// nobody listens is gone; a webhook the device cannot reach may be given up). <see cref="AlertProbe"/> judges what
/// arrived. A broker the lab cannot reach or subscribe to, or a receiver it cannot open, makes the item inconclusive.
/// </summary>
internal sealed class AlertListenProbe : IProbe
{
    public string Name => "alert-listen";

    public IReadOnlyList<string> Items { get; } = ["5.8.1.1"];

    /// <summary>Subscribing needs nothing the other probes find; it must only be open before the wrong passwords.</summary>
    public IReadOnlyList<string>? After { get; } = [];

    public async Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(recorder);
        foreach (var channel in context.Ixit?.Alerts ?? [])
        {
            try
            {
                context.AlertSubscriptions.Add(channel.Kind == "webhook"
                    ? WebhookReceiver.Open(channel, context.AlertClientCertificate)
                    : await AlertSubscription.OpenAsync(channel, context.AlertClientCertificate, context.AlertCa, context.ConnectTimeout * 5, cancellationToken));
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                var what = channel.Kind == "webhook" ? $"open the webhook receiver for {channel.Url}" : $"subscribe to {channel.Topic} at {channel.Broker}";
                recorder.Inconclusive("5.8.1.1", $"Could not {what} ({e.GetType().Name}: {e.Message}); whether an alert arrives was not observed.");
            }
        }
    }
}
