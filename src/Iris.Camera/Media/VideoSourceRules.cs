using System.Text.RegularExpressions;

namespace Iris.Camera.Media;

/// <summary>
/// The video sources the product supports, and nothing else (the same rules for the configuration and the API):
/// the built-in test pattern; a V4L2 device /dev/videoN; a network stream over https:// whose server certificate
/// chains to <see cref="MediaOptions.StreamCaCertificateFile"/>. No file, no generator, no other scheme: the
/// settings must not let anyone make the daemon read a local file or connect anywhere in plaintext.
/// rtsps:// is refused because the ffmpeg the device ships cannot check an RTSPS server's certificate.
/// </summary>
internal static partial class VideoSourceRules
{
    public const int MaxUrlLength = 2048;

    /// <summary>Every problem with <paramref name="video"/>, as (field, message); empty when it can be used.</summary>
    public static IReadOnlyList<(string Field, string Message)> Check(ActiveVideo video, bool streamTrustConfigured)
    {
        var problems = new List<(string, string)>();
        if (video.Source is not (MediaOptions.TestPatternSource or MediaOptions.V4l2Source or MediaOptions.StreamSource))
        {
            problems.Add(("source", $"Source must be {MediaOptions.TestPatternSource}, {MediaOptions.V4l2Source} or {MediaOptions.StreamSource}."));
        }

        if (video.Source == MediaOptions.V4l2Source && !V4l2Device().IsMatch(video.Device))
        {
            problems.Add(("device", "Device must be a V4L2 device such as /dev/video0."));
        }

        // A URL is checked even when another source is chosen: switching the source later must not activate it unchecked.
        if (video.Source == MediaOptions.StreamSource || video.StreamUrl.Length > 0)
        {
            if (StreamUrlProblem(video.StreamUrl) is { } problem)
            {
                problems.Add(("streamUrl", problem));
            }
            else if (video.Source == MediaOptions.StreamSource && !streamTrustConfigured)
            {
                problems.Add(("streamUrl", $"An https:// stream needs {MediaOptions.SectionName}:StreamCaCertificateFile (the CA, or the camera's own certificate, that the stream server's certificate chains to) in the device settings."));
            }
        }

        if (video.Width is < 160 or > 3840 || video.Height is < 120 or > 2160 || video.Width % 2 != 0 || video.Height % 2 != 0)
        {
            problems.Add(("width", "Width must be 160-3840 and Height 120-2160, both even."));
        }

        if (video.FramesPerSecond is < 1 or > 30)
        {
            problems.Add(("framesPerSecond", "FramesPerSecond must be 1-30."));
        }

        return problems;
    }

    /// <summary>Why <paramref name="url"/> is not an acceptable stream address, or null when it is.</summary>
    public static string? StreamUrlProblem(string url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "StreamUrl must name an https:// stream for the stream source.";
        }

        if (url.Length > MaxUrlLength || url.Any(c => c is <= ' ' or >= '\u007F'))
        {
            return $"StreamUrl must be at most {MaxUrlLength} characters of printable ASCII, without spaces.";
        }

        if (url.StartsWith("rtsps://", StringComparison.OrdinalIgnoreCase))
        {
            return "rtsps:// streams are not accepted: the ffmpeg on this device cannot verify an RTSPS server's certificate. Use the camera's https:// stream (MJPEG or MPEG-TS).";
        }

        if (!url.StartsWith("https://", StringComparison.OrdinalIgnoreCase) || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || uri.Scheme != Uri.UriSchemeHttps || uri.Host.Length == 0)
        {
            return "StreamUrl must be an https:// address: files, generators and unencrypted protocols (rtsp, http, ...) are not accepted.";
        }

        return null;
    }

    /// <summary>Why <paramref name="encoder"/> is not an allowed H.264 encoder, or null when it is.</summary>
    public static string? EncoderProblem(string encoder) =>
        EncoderArguments.Encoders.Contains(encoder) ? null : $"Encoder must be one of {string.Join(", ", EncoderArguments.Encoders)}.";

    /// <summary>
    /// Why <paramref name="device"/> is not an acceptable ALSA capture device, or null when it is: only "default" and
    /// "hw:CARD,DEVICE" by number, so no plugin definition, file or option can be named.
    /// </summary>
    public static string? AudioDeviceProblem(string device) =>
        device == "default" || AlsaHardware().IsMatch(device) ? null : "AudioDevice must be default or hw:CARD,DEVICE (numbers), such as hw:1,0.";

    /// <summary>The address a stream URL connects to, without credentials or path (for the service manifest).</summary>
    public static string Destination(string url)
    {
        var uri = new Uri(url, UriKind.Absolute);
        return $"{uri.Scheme}://{uri.Authority}";
    }

    [GeneratedRegex("^/dev/video[0-9]{1,3}$", RegexOptions.CultureInvariant)]
    private static partial Regex V4l2Device();

    [GeneratedRegex("^hw:[0-9]{1,2},[0-9]{1,2}$", RegexOptions.CultureInvariant)]
    private static partial Regex AlsaHardware();
}
