using System.Globalization;
using System.Text;

namespace Iris.Camera.Rtsp;

/// <summary>The small pieces of RTSP syntax a connection reads and writes: request URLs, the Transport header, answers.</summary>
internal static class RtspSyntax
{
    /// <summary>Whether a request URL names the live stream (<c>/live</c>, absolute or as a path).</summary>
    public static bool IsLivePath(string uri) => PathOf(uri).TrimEnd('/') == "/live";

    /// <summary>The track of a SETUP URL: Content-Base + <c>trackID=N</c>.</summary>
    public static int? TrackIndex(string uri)
    {
        var path = PathOf(uri);
        const string Prefix = "/live/trackID=";
        return path.StartsWith(Prefix, StringComparison.Ordinal) &&
            int.TryParse(path.AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var index) ? index : null;
    }

    /// <summary>
    /// The first RTP channel of the first <c>RTP/AVP/TCP</c> transport the client offers (its interleaved pair, or
    /// <paramref name="fallback"/> when it names none); null when it offers no TCP transport or an unusable channel.
    /// </summary>
    public static byte? InterleavedChannel(string? transportHeader, byte fallback)
    {
        var transport = transportHeader?.Split(',').Select(t => t.Trim())
            .FirstOrDefault(t => t.StartsWith("RTP/AVP/TCP", StringComparison.OrdinalIgnoreCase));
        if (transport is null)
        {
            return null;
        }

        var interleaved = transport.Split(';').FirstOrDefault(p => p.StartsWith("interleaved=", StringComparison.OrdinalIgnoreCase));
        if (interleaved is null)
        {
            return fallback;
        }

        return byte.TryParse(interleaved["interleaved=".Length..].Split('-')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var channel) && channel <= 253
            ? channel
            : null;
    }

    /// <summary>One answer: status line, CSeq (when the request had a readable one), headers, Content-Length, body.</summary>
    public static byte[] Answer(int cseq, int status, string reason, IEnumerable<(string Name, string Value)> headers, string? body)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"RTSP/1.0 {status} {reason}\r\n");
        if (cseq >= 0)
        {
            text.Append(CultureInfo.InvariantCulture, $"CSeq: {cseq}\r\n");
        }

        foreach (var (name, value) in headers)
        {
            text.Append(CultureInfo.InvariantCulture, $"{name}: {value}\r\n");
        }

        var content = body is null ? [] : Encoding.UTF8.GetBytes(body);
        text.Append(CultureInfo.InvariantCulture, $"Content-Length: {content.Length}\r\n\r\n");
        return [.. Encoding.ASCII.GetBytes(text.ToString()), .. content];
    }

    private static string PathOf(string uri) =>
        Uri.TryCreate(uri, UriKind.Absolute, out var absolute) && absolute.Scheme is "rtsps" or "rtsp" ? absolute.AbsolutePath
        : uri.StartsWith('/') ? uri : "";
}
