using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using Iris.Camera.Events;
using Iris.Camera.Platform;
using Iris.Camera.Identity;
using Iris.Camera.Media;
using Iris.Camera.Storage;
using Iris.Camera.Web;

namespace Iris.Camera.Telemetry;

/// <summary>Telemetry settings (section Iris:Telemetry). Without an endpoint, telemetry cannot be turned on.</summary>
public sealed class TelemetryOptions
{
    public const string SectionName = "Iris:Telemetry";

    public string? Endpoint { get; set; }

    /// <summary>PEM with the CA(s) the receiver's certificate must chain to.</summary>
    public string? CaCertificateFile { get; set; }

    public TimeSpan Interval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Who receives the data, named on the consent screen.</summary>
    public string Recipient { get; set; } = "the camera's vendor";

    /// <summary>Third parties the recipient passes the data on to, named on the consent screen ("none" if none).</summary>
    public string ThirdParties { get; set; } = "none";

    public bool IsConfigured => !string.IsNullOrWhiteSpace(Endpoint);

    public IEnumerable<string> Validate()
    {
        if (Interval < TimeSpan.FromMinutes(1) || Interval > TimeSpan.FromDays(31))
        {
            yield return $"{SectionName}:Interval must be between 1 minute and 31 days.";
        }

        if (!IsConfigured)
        {
            yield break;
        }

        if (!Uri.TryCreate(Endpoint, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            yield return $"{SectionName}:Endpoint must be an https:// address.";
        }

        if (string.IsNullOrWhiteSpace(CaCertificateFile) || !File.Exists(CaCertificateFile))
        {
            yield return $"{SectionName}:CaCertificateFile must name the receiver's CA PEM file.";
        }
    }
}

/// <summary>What is sent: health and usage counters only. No serial, no names, no addresses, no video.</summary>
public sealed record TelemetryPayload(
    string ConsentTextVersion,
    string Model,
    string SoftwareVersion,
    long UptimeSeconds,
    long Starts,
    long RecordingSegments,
    long RecordingMegabytes,
    string RecordingMode,
    bool PrivacyMode);

public sealed record ConsentRecord(DateTimeOffset At, string Action, string TextVersion, string Account);

public sealed record TelemetryStatus(
    bool Available,
    bool Consented,
    string TextVersion,
    string ConsentText,
    string Recipient,
    string ThirdParties,
    string? Endpoint,
    TimeSpan Interval,
    TelemetryPayload Preview,
    ConsentRecord? LastConsentChange,
    DateTimeOffset? LastSent);

/// <summary>
/// Telemetry with informed consent (IoT-1005-1 5.7.1.2): off until an administrator accepts the current consent
/// text; each grant and withdrawal is recorded with time, account and text version; the payload can be
/// previewed exactly; withdrawing cancels a send in flight and nothing more is sent. Transport is the daemon's
/// client TLS policy to the configured receiver only.
/// </summary>
internal sealed partial class TelemetryService : BackgroundService
{
    public const string TextVersion = "2026-11-1";
    private const int KeptPayloads = 100;

    private readonly TelemetryOptions _options;
    private readonly CameraDatabase _database;
    private readonly DeviceIdentity _identity;
    private readonly SoftwareInfo _software;
    private readonly RecordingStore _recordings;
    private readonly Recorder _recorder;
    private readonly PrivacyMode _privacy;
    private readonly SecurityEventLog _events;
    private readonly TimeProvider _time;
    private readonly ILogger<TelemetryService> _logger;
    private readonly HttpClient? _client;
    private readonly DateTimeOffset _started;
    private readonly Lock _lock = new();
    private CancellationTokenSource _sending = new();

    public TelemetryService(TelemetryOptions options, CameraDatabase database, DeviceIdentity identity, SoftwareInfo software, RecordingStore recordings,
        Recorder recorder, PrivacyMode privacy, SecurityEventLog events, TimeProvider time, ILogger<TelemetryService> logger)
    {
        (_options, _database, _identity, _software, _recordings, _recorder, _privacy, _events, _time, _logger) =
            (options, database, identity, software, recordings, recorder, privacy, events, time, logger);
        _started = time.GetUtcNow();
        if (options.IsConfigured)
        {
            _client = new HttpClient(ClientTls.CreateHandler(ClientTls.LoadTrust(options.CaCertificateFile!), time)) { Timeout = TimeSpan.FromSeconds(30) };
        }
    }

    /// <summary>Raised after each scheduled round (sent or not); tests wait on it instead of sleeping.</summary>
    public event Action<bool>? RoundCompleted;

    public string ConsentText =>
        "Telemetry sends, once a " + (_options.Interval.TotalHours >= 24 ? "day" : "scheduled interval") + ", these counters: model, software version, uptime, " +
        "number of starts, number and size of stored recordings, recording mode and whether privacy mode is on. " +
        "It never sends the serial number, account names, addresses, pictures or video. " +
        $"Why: so that {_options.Recipient} can see how the software behaves in use and fix faults. " +
        $"To whom: {_options.Recipient}; passed on to third parties: {_options.ThirdParties}. " +
        "Sent over TLS to " + (_options.Endpoint ?? "(no receiver configured)") + ". " +
        "You can withdraw at any time on this page (or DELETE /api/telemetry/consent); sending stops at once, and you can delete what was recorded as sent.";

    public bool Consented => LastConsentChange()?.Action == "granted";

    public TelemetryStatus Status() => new(
        _options.IsConfigured, Consented, TextVersion, ConsentText, _options.Recipient, _options.ThirdParties, _options.Endpoint, _options.Interval,
        Preview(), LastConsentChange(), LastSent());

    /// <summary>Exactly what the next send would carry.</summary>
    public TelemetryPayload Preview()
    {
        var segments = _recordings.List(null, null);
        return new TelemetryPayload(TextVersion, _identity.Model, _software.Version,
            (long)(_time.GetUtcNow() - _started).TotalSeconds, _database.CountBoots(), segments.Count,
            segments.Sum(s => s.Bytes) / (1024 * 1024), _recorder.Mode.ToString().ToLowerInvariant(), _privacy.Enabled);
    }

    /// <summary>Records consent to <paramref name="textVersion"/>; false when that is not the text shown now.</summary>
    public bool Grant(string textVersion, string account, string? source)
    {
        if (textVersion != TextVersion || !_options.IsConfigured)
        {
            return false;
        }

        Record("granted", account);
        _events.Append(SecurityEventKinds.TelemetryConsentGranted, source, account, $"consent text {TextVersion}");
        return true;
    }

    /// <summary>Withdraws consent: a send in flight is cancelled, and nothing more is sent.</summary>
    public void Withdraw(string account, string? source)
    {
        Record("withdrawn", account);
        lock (_lock)
        {
            _sending.Cancel();
            _sending.Dispose();
            _sending = new CancellationTokenSource();
        }

        _events.Append(SecurityEventKinds.TelemetryConsentWithdrawn, source, account, $"consent text {TextVersion}");
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

            var sent = false;
            if (Consented)
            {
                sent = await SendAsync(stoppingToken);
            }

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
        var payload = Preview();
        var json = JsonSerializer.Serialize(payload, JsonSerializerOptions.Web);
        string result;
        try
        {
            // Consent is checked again right before the bytes leave.
            if (!Consented)
            {
                return false;
            }

            using var response = await _client!.PostAsJsonAsync(new Uri(_options.Endpoint!), payload, JsonSerializerOptions.Web, linked.Token);
            result = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
        catch (HttpRequestException e)
        {
            result = "failed: " + e.Message;
            LogSendFailed(_logger, e.Message);
        }

        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = """
            INSERT INTO telemetry_sent (at, payload, result) VALUES ($at, $payload, $result);
            DELETE FROM telemetry_sent WHERE id NOT IN (SELECT id FROM telemetry_sent ORDER BY id DESC LIMIT $keep);
            """;
        command.Parameters.AddWithValue("$at", _time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$payload", json);
        command.Parameters.AddWithValue("$result", result);
        command.Parameters.AddWithValue("$keep", KeptPayloads);
        command.ExecuteNonQuery();
        return result.StartsWith('2');
    }

    private void Record(string action, string account)
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "INSERT INTO telemetry_consent (at, action, text_version, account) VALUES ($at, $action, $version, $account);";
        command.Parameters.AddWithValue("$at", _time.GetUtcNow().UtcDateTime.ToString("O", CultureInfo.InvariantCulture));
        command.Parameters.AddWithValue("$action", action);
        command.Parameters.AddWithValue("$version", TextVersion);
        command.Parameters.AddWithValue("$account", account);
        command.ExecuteNonQuery();
    }

    private ConsentRecord? LastConsentChange()
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at, action, text_version, account FROM telemetry_consent ORDER BY id DESC LIMIT 1;";
        using var reader = command.ExecuteReader();
        return reader.Read()
            ? new ConsentRecord(DateTimeOffset.Parse(reader.GetString(0), CultureInfo.InvariantCulture), reader.GetString(1), reader.GetString(2), reader.GetString(3))
            : null;
    }

    private DateTimeOffset? LastSent()
    {
        using var connection = _database.OpenConnection();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT at FROM telemetry_sent ORDER BY id DESC LIMIT 1;";
        return command.ExecuteScalar() is string at ? DateTimeOffset.Parse(at, CultureInfo.InvariantCulture) : null;
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
