using System.Text.Json;
using System.Text.Json.Serialization;
using Iris.Camera.Storage;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

// The generic string converter on the type, as on every other enum the daemon serializes: it makes the AOT binary
// contain EnumConverter<RecordingMode>, which the camel-case converter of the HTTP options (Platform/EnumNames.cs)
// creates by reflection; with a converter of its own here, that type was missing and every recordings request failed
// under AOT. The wire format is the property's converter (RecordingSettings.Mode) or the HTTP options', as before.
[JsonConverter(typeof(JsonStringEnumConverter<RecordingMode>))]
public enum RecordingMode
{
    Off,
    Continuous,
    Motion,
}

/// <summary>One mode by its name (any case; written "off", "continuous", "motion"); a number ("mode": 7) or a combination ("off, motion") is not a mode.</summary>
public sealed class RecordingModeJsonConverter : JsonConverter<RecordingMode>
{
    public override RecordingMode Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        var name = reader.TokenType == JsonTokenType.String ? reader.GetString() : null;
        foreach (var mode in Enum.GetValues<RecordingMode>())
        {
            if (string.Equals(name, mode.ToString(), StringComparison.OrdinalIgnoreCase))
            {
                return mode;
            }
        }

        throw new JsonException("The recording mode must be off, continuous or motion.");
    }

    public override void Write(Utf8JsonWriter writer, RecordingMode value, JsonSerializerOptions options) =>
        writer.WriteStringValue(JsonNamingPolicy.CamelCase.ConvertName(value.ToString()));
}

/// <summary>What recordings are written as now, and, when that is not the configured format, why.</summary>
public sealed record RecordingFormatState(string Format, string? Problem);

public sealed class RecordingSettings
{
    // On the property: converters in the serializer options take precedence over one on the enum type.
    [System.ComponentModel.DataAnnotations.Required, JsonConverter(typeof(RecordingModeJsonConverter))]
    public RecordingMode? Mode { get; set; }
}

/// <summary>
/// Writes frames into encrypted segments while recording is on (continuously, or while motion was seen within
/// the tail time), rotating segments by frame time and applying retention after each one.
/// </summary>
internal sealed partial class Recorder(
    FrameHub hub,
    ILiveMediaFeed live,
    RecordingStore store,
    CameraDatabase database,
    MotionDetector motion,
    MediaOptions options,
    TimeProvider time,
    ILogger<Recorder> logger) : ReconfigurableService(time)
{
    public const string SettingKey = "recording";

    /// <summary>Encoder runs in a row that end without output while the source delivers pictures before recordings fall back to MJPEG.</summary>
    private const int EncoderAttempts = 3;

    /// <summary>Raised after each segment is complete and indexed (for status pages and tests).</summary>
    public event Action<long>? SegmentCompleted;

    public RecordingMode Mode =>
        database.GetSetting(SettingKey) is { } json ? JsonSerializer.Deserialize(json, MediaJson.Default.RecordingSettings)!.Mode ?? RecordingMode.Off : RecordingMode.Off;

    private volatile TaskCompletionSource _idle = Completed();
    private volatile RecordingFormatState _format = new(options.RecordingFormat, null);

    /// <summary>The format segments are written in now: H.264 unless configured otherwise or its encoder could not start.</summary>
    public RecordingFormatState Format => _format;

    /// <summary>Stores the mode and applies it; switching off returns once the current segment is closed.</summary>
    public async Task SaveAsync(RecordingMode mode, CancellationToken cancellationToken)
    {
        database.SetSetting(SettingKey, JsonSerializer.Serialize(new RecordingSettings { Mode = mode }, MediaJson.Default.RecordingSettings), Time.GetUtcNow());
        var idle = _idle.Task;
        Reconfigure();
        if (mode == RecordingMode.Off)
        {
            await idle.WaitAsync(TimeSpan.FromSeconds(10), Time, cancellationToken);
        }
    }

    /// <summary>Ends the current round (privacy mode came on) and returns once its segment is closed.</summary>
    public async Task StopAndWaitAsync(CancellationToken cancellationToken)
    {
        var idle = _idle.Task;
        Reconfigure();
        await idle.WaitAsync(TimeSpan.FromSeconds(10), Time, cancellationToken);
    }

    private static TaskCompletionSource Completed()
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        done.SetResult();
        return done;
    }

    protected override async Task RunRoundAsync(CancellationToken cancellationToken)
    {
        var mode = Mode;
        if (mode != RecordingMode.Off && options.RecordingFormat == MediaOptions.H264Recording && await RecordEncodedAsync(mode, cancellationToken))
        {
            return;
        }

        if (mode == RecordingMode.Off || hub.TrySubscribe(asViewer: false, out var subscription) != SubscribeResult.Subscribed)
        {
            return;
        }

        SegmentWriter? segment = null;
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _idle = idle;
        try
        {
            using (subscription)
            {
                await foreach (var frame in subscription!.Frames.ReadAllAsync(cancellationToken))
                {
                    var wanted = mode == RecordingMode.Continuous || frame.CapturedAt - motion.LastMotionAt <= options.MotionRecordingTail;
                    if (segment is not null && (!wanted || frame.CapturedAt - segment.StartedAt >= options.SegmentLength))
                    {
                        Close(segment);
                        segment = null;
                    }

                    if (!wanted)
                    {
                        continue;
                    }

                    segment ??= store.Begin(frame.CapturedAt);
                    segment.Append(frame);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException ex)
        {
            LogWriteFailed(logger, ex);
        }
        finally
        {
            if (segment is not null)
            {
                Close(segment);
            }

            idle.TrySetResult();
        }
    }

    /// <summary>
    /// H.264 recording (format 3): follows the live encoder, so the picture is encoded once for viewers and the
    /// recorder. A segment starts at a keyframe with the init segment as its first record and is rotated only at a
    /// keyframe, so every segment plays on its own. When the encoding changes (new settings) the segment is closed and
    /// a new one starts with the new init segment; privacy mode ends the round (as for MJPEG). Returns false when the
    /// encoder gave no output <see cref="EncoderAttempts"/> times in a row while the source delivered pictures (no
    /// ffmpeg, a hardware encoder that is not there): the round then records MJPEG, and <see cref="Format"/> says why,
    /// rather than recording nothing without a word. The next round (new settings, mode or restart) tries H.264 again.
    /// </summary>
    private async Task<bool> RecordEncodedAsync(RecordingMode mode, CancellationToken cancellationToken)
    {
        SegmentWriter? segment = null;
        var idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _idle = idle;
        var failures = 0;
        try
        {
            while (!cancellationToken.IsCancellationRequested && !hub.PrivacyEnabled)
            {
                MediaFragment? init = null;
                await foreach (var piece in live.FollowAsync(cancellationToken))
                {
                    var now = Time.GetUtcNow();
                    if (piece.IsInitialization)
                    {
                        init = piece;
                        failures = 0;
                        _format = new RecordingFormatState(MediaOptions.H264Recording, null);
                        continue;
                    }

                    // Segments are timed by capture (the encoder's media clock), not by arrival: after a gap the
                    // encoder hands out the pictures that fill it at once, and arrival times would squeeze them.
                    var at = piece.CapturedAt ?? now;
                    var wanted = mode == RecordingMode.Continuous || now - motion.LastMotionAt <= options.MotionRecordingTail;
                    if (segment is not null && piece.StartsWithKeyframe && (!wanted || at - segment.StartedAt >= options.SegmentLength))
                    {
                        Close(segment);
                        segment = null;
                    }

                    if (segment is null && (!wanted || !piece.StartsWithKeyframe || init is null))
                    {
                        continue;
                    }

                    if (segment is null)
                    {
                        segment = store.Begin(at, SegmentFormat.Fmp4Version);
                        segment.Append(at, init!.Bytes.Span);
                    }

                    segment.Append(at, piece.Bytes.Span);
                }

                if (segment is not null)
                {
                    Close(segment);
                    segment = null;
                }

                if (init is null && !cancellationToken.IsCancellationRequested && hub.Signal.State == VideoSignal.Ok && ++failures >= EncoderAttempts)
                {
                    var reason = "the H.264 encoder did not start" + ((live as LiveMediaFeed)?.LastFailure is { } why ? $" ({why})" : "");
                    _format = new RecordingFormatState(MediaOptions.MjpegRecording, reason);
                    LogEncoderFallback(logger, reason);
                    return false;
                }

                // The encoding changed or the encoder stopped: follow again after a moment (no busy loop on a failing source).
                await Task.Delay(TimeSpan.FromMilliseconds(200), Time, cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (IOException ex)
        {
            LogWriteFailed(logger, ex);
        }
        finally
        {
            if (segment is not null)
            {
                Close(segment);
            }

            idle.TrySetResult();
        }

        return true;
    }

    private void Close(SegmentWriter segment)
    {
        segment.Complete();
        var removed = store.EnforceRetention();
        if (removed > 0)
        {
            LogRetention(logger, removed);
        }

        SegmentCompleted?.Invoke(segment.Id);
    }

    [LoggerMessage(EventId = 4300, Level = LogLevel.Error, Message = "Writing a recording segment failed; recording restarts on the next change.")]
    private static partial void LogWriteFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 4302, Level = LogLevel.Warning, Message = "Recording MJPEG instead of H.264: {Reason}.")]
    private static partial void LogEncoderFallback(ILogger logger, string reason);

    [LoggerMessage(EventId = 4301, Level = LogLevel.Information, Message = "Retention removed {Count} old recording segment(s).")]
    private static partial void LogRetention(ILogger logger, int count);
}
