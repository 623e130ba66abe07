using System.Net.Http.Headers;
using System.Net.Security;
using Iris.Camera.Identity;
using Iris.Camera.Web;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Link;

/// <summary>
/// Posts each waiting alert to the webhook in order, through the daemon's client TLS policy with the device
/// certificate and its device CA as client certificate chain, the body signed with HMAC-SHA-256 (header <c>Iris-Signature</c>). A 2xx
/// answer marks the alert delivered; anything else (refused TLS, no answer, another status, no key yet) is
/// retried after the same back-off with jitter as the MQTT link.
/// </summary>
internal sealed partial class WebhookSender(
    CloudOptions options,
    AlertOutbox outbox,
    WebhookSecret secret,
    DeviceIdentity identity,
    LinkStatus status,
    IJitter jitter,
    LinkRestart restart,
    ClockFloor clock,
    TimeProvider time,
    ILogger<WebhookSender> logger) : BackgroundService
{
    public const string SignatureHeader = "Iris-Signature";

    /// <summary>One round per settings: a change (<see cref="LinkRestart"/>) ends the round and the next starts on the new ones.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => restart.RunRoundsAsync(() => options.WebhookConfigured, RunAsync, stoppingToken);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var signal = new OutboxSignal(outbox);
        using var client = CreateClient();
        var failures = 0;
        status.Set(LinkChannel.Webhook, LinkState.Connected);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var pending = outbox.Pending(LinkChannel.Webhook, 1);
                if (pending.Count == 0)
                {
                    await signal.WaitAsync(TimeSpan.FromSeconds(5), time, stoppingToken);
                    continue;
                }

                var reason = await PostAsync(client, pending[0], stoppingToken);
                if (reason is null)
                {
                    outbox.Delivered(LinkChannel.Webhook, pending[0].Seq);
                    status.Delivered(LinkChannel.Webhook);
                    if (failures > 0)
                    {
                        failures = 0;
                        status.Set(LinkChannel.Webhook, LinkState.Connected);
                    }

                    continue;
                }

                failures++;
                var delay = RetryDelay.For(failures, options.MinimumRetryDelay, options.MaximumRetryDelay, jitter);
                status.Set(LinkChannel.Webhook, LinkState.Retrying, reason, time.GetUtcNow() + delay);
                LogRetrying(logger, reason, delay.TotalSeconds);
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
        }

        status.Set(LinkChannel.Webhook, LinkState.Off);
    }

    /// <summary>Null when delivered; otherwise why not, in words for the status page.</summary>
    private async Task<string?> PostAsync(HttpClient client, OutboxEntry entry, CancellationToken stoppingToken)
    {
        var body = AlertMessage.From(entry, identity, outbox.Overflowed()).ToUtf8();
        var signature = secret.Sign(body);
        if (signature is null)
        {
            return "no webhook key yet: make one on the platform link page";
        }

        using var request = new HttpRequestMessage(HttpMethod.Post, options.WebhookUrl) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.TryAddWithoutValidation(SignatureHeader, signature);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        timeout.CancelAfter(options.OperationTimeout);
        try
        {
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            return response.IsSuccessStatusCode ? null : $"receiver answered {(int)response.StatusCode}";
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return "no answer from the receiver in time";
        }
        catch (HttpRequestException ex)
        {
            return MqttConnection.Describe(ex.InnerException ?? ex) is var described && described != "connection lost"
                ? described.Replace("broker", "receiver", StringComparison.Ordinal)
                : $"receiver unreachable ({ex.HttpRequestError})";
        }
    }

    private HttpClient CreateClient()
    {
        var handler = ClientTls.CreateHandler(ClientTls.LoadTrust(options.CaCertificateFile!), clock);
        // The device CA goes with the certificate, so a receiver that trusts only the vendor root can check it.
        handler.SslOptions.ClientCertificateContext = SslStreamCertificateContext.Create(identity.Certificate, identity.Chain, offline: true);
        return new HttpClient(handler) { Timeout = Timeout.InfiniteTimeSpan };
    }

    [LoggerMessage(EventId = 7010, Level = LogLevel.Warning, Message = "Alert webhook not delivered ({Reason}); retrying in {Seconds:F1} s.")]
    private static partial void LogRetrying(ILogger logger, string reason, double seconds);
}
