namespace Iris.Camera.Telemetry;

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

/// <summary>One grant or withdrawal of consent, as recorded in telemetry_consent.</summary>
public sealed record ConsentRecord(DateTimeOffset At, string Action, string TextVersion, string Account);

/// <summary>The consent screen: what would be sent, to whom, why, and the consent state (GET /api/telemetry).</summary>
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
