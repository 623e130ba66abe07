using Iris.Camera.Platform;
using Iris.Camera.Identity;
using Iris.Camera.Media;
using Iris.Camera.Storage;

namespace Iris.Camera.Telemetry;

/// <summary>
/// Collects the payload: exactly the counters the consent text names. Media is read only through
/// <see cref="IMediaStatus"/>; the serial, names, addresses and video are not within reach of this class.
/// </summary>
internal sealed class TelemetryCounters(TelemetryOptions options, DeviceIdentity identity, SoftwareInfo software, CameraDatabase database, IMediaStatus media, TimeProvider time)
{
    private readonly DateTimeOffset _started = time.GetUtcNow();

    /// <summary>Exactly what the next send would carry.</summary>
    public TelemetryPayload Current() => new(
        TelemetryConsentText.VersionOf(options),
        identity.Model,
        software.Version,
        (long)(time.GetUtcNow() - _started).TotalSeconds,
        database.CountBoots(),
        media.RecordingSegments,
        media.RecordingBytes / (1024 * 1024),
        media.RecordingMode,
        media.PrivacyMode);
}
