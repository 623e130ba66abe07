using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Vault;
using Iris.Firmware.Slots;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace Iris.Camera.Updates;

/// <summary>
/// Marks the running slot good once the daemon has proven itself: the database answers, the vault opens, and
/// the HTTPS listener serves a real request over TLS with the device certificate. Only then does the
/// launcher end the trial and the anti-rollback counter advance. Until then a crash or hang means rollback.
/// </summary>
internal sealed partial class BootHealth(
    BootSlots slots,
    IServer server,
    IHostApplicationLifetime lifetime,
    CameraDatabase database,
    SecretVault vault,
    DeviceIdentity identity,
    SecurityEventLog events,
    TimeProvider time,
    ILogger<BootHealth> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (slots.Store is not { } store || slots.Running is not { } slot || store.Load() is not { } record || record[slot].Successful)
        {
            return;
        }

        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(started.SetResult))
        {
            await started.Task.WaitAsync(stoppingToken);
        }

        var failure = await CheckAsync(stoppingToken);
        if (failure is not null)
        {
            // No mark: the launcher's health timeout ends this trial and rolls back.
            LogHealthFailed(logger, slot, failure);
            return;
        }

        var marked = store.Save(BootDecisions.MarkGood(store.Load()!, slot, time.GetUtcNow()));
        events.Append(SecurityEventKinds.UpdateConfirmed, null, null,
            $"version {marked[slot].Version} on slot {slot} passed its health checks; security version counter {marked.SecurityCounter}");
        LogMarkedGood(logger, slot);
    }

    private async Task<string?> CheckAsync(CancellationToken cancellationToken)
    {
        try
        {
            database.CountSettings();

            if (vault.ProblemOpening(UpdateKeyStore.ItemName) is { } problem)
            {
                return $"vault: {problem}";
            }

            var address = server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
            if (address is null)
            {
                return "no listening address";
            }

            var uri = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal).Replace("[::]", "[::1]", StringComparison.Ordinal));
            using var handler = new SocketsHttpHandler
            {
                SslOptions = { RemoteCertificateValidationCallback = (_, certificate, _, _) => certificate is not null && certificate.GetCertHashString() == identity.Certificate.GetCertHashString() },
            };
            using var client = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(20) };
            using var response = await client.GetAsync(new Uri(uri, "/api/device"), cancellationToken);
            return response.IsSuccessStatusCode ? null : $"HTTPS self-check answered {(int)response.StatusCode}";
        }
        catch (Exception e) when (e is HttpRequestException or IOException or Microsoft.Data.Sqlite.SqliteException or InvalidOperationException)
        {
            return e.Message;
        }
    }

    [LoggerMessage(EventId = 6500, Level = LogLevel.Error, Message = "Health check failed on slot {Slot}: {Failure}")]
    private static partial void LogHealthFailed(ILogger logger, string slot, string failure);

    [LoggerMessage(EventId = 6501, Level = LogLevel.Information, Message = "Slot {Slot} marked good")]
    private static partial void LogMarkedGood(ILogger logger, string slot);
}
