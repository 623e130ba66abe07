using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Web;

namespace Iris.Camera.Telemetry;

/// <summary>
/// Sends the counters once per interval while consent holds, over the daemon's client TLS policy to the
/// configured receiver only (<see cref="ClientTls"/>). Consent is read again right before the bytes leave, and
/// <see cref="CancelInFlight"/> (a withdrawal) cancels a send under way. Each send is kept in the history.
/// </summary>
internal sealed partial class TelemetrySender : BackgroundService
{
    private readonly TelemetryOptions _options;
    private readonly TelemetryConsentStore _consent;
    private readonly TelemetrySentHistory _history;
    private readonly TelemetryCounters _counters;
    private readonly TimeProvider _time;
    private readonly ILogger<TelemetrySender> _logger;
    private readonly HttpClient? _client;
    private readonly string _textVersion;
    private readonly Lock _lock = new();
    private CancellationTokenSource _sending = new();

    public TelemetrySender(TelemetryOptions options, TelemetryConsentStore consent, TelemetrySentHistory history, TelemetryCounters counters,
        TimeProvider time, ILogger<TelemetrySender> logger)
    {
        (_options, _consent, _history, _counters, _time, _logger) = (options, consent, history, counters, time, logger);
        _textVersion = TelemetryConsentText.VersionOf(options);
        if (options.IsConfigured)
        {
            _client = new HttpClient(ClientTls.CreateHandler(ClientTls.LoadTrust(options.CaCertificateFile!), time)) { Timeout = TimeSpan.FromSeconds(30) };
        }
    }

    /// <summary>Raised after each scheduled round (sent or not); tests wait on it instead of sleeping.</summary>
    public event Action<bool>? RoundCompleted;

    /// <summary>Cancels a send under way; the next round sends only if consent holds again by then.</summary>
    public void CancelInFlight()
    {
        lock (_lock)
        {
            _sending.Cancel();
            _sending.Dispose();
            _sending = new CancellationTokenSource();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (_client is null)
        {
            return;
        }

        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(_options.Interval, _time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            var sent = _consent.ConsentedTo(_textVersion) && await SendAsync(stoppingToken);
            RoundCompleted?.Invoke(sent);
        }
    }

    private async Task<bool> SendAsync(CancellationToken stoppingToken)
    {
        CancellationToken withdrawn;
        lock (_lock)
        {
            withdrawn = _sending.Token;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, withdrawn);
        var payload = _counters.Current();
        // Consent is checked again right before the bytes leave.
        if (!_consent.ConsentedTo(_textVersion))
        {
            return false;
        }

        // In the history before the first byte leaves: a send cut short still may have arrived.
        var record = _history.Begin(JsonSerializer.Serialize(payload, TelemetryJson.Default.TelemetryPayload));
        string result;
        try
        {
            using var response = await _client!.PostAsJsonAsync(new Uri(_options.Endpoint!), payload, TelemetryJson.Default.TelemetryPayload, linked.Token);
            result = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (OperationCanceledException)
        {
            result = "cancelled during the send (it may have arrived)";
        }
        catch (HttpRequestException e)
        {
            result = "failed: " + e.Message;
            LogSendFailed(_logger, e.Message);
        }

        _history.Finish(record, result);
        return result.StartsWith('2');
    }

    public override void Dispose()
    {
        _client?.Dispose();
        _sending.Dispose();
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Telemetry send failed: {Reason}")]
    private static partial void LogSendFailed(ILogger logger, string reason);
}
