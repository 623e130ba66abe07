using Iris.Camera.Events;

namespace Iris.Camera.Link;

/// <summary>
/// The link's one alert channel: it only writes the alert into the outbox. It does so before its first await, so
/// the outbox order is the order <see cref="AlertCenter"/> raised the alerts; the senders deliver from there.
/// </summary>
internal sealed class OutboxChannel(AlertOutbox outbox) : IAlertChannel
{
    public Task SendAsync(SecurityAlert alert, CancellationToken cancellationToken)
    {
        outbox.Enqueue(alert);
        return Task.CompletedTask;
    }
}
