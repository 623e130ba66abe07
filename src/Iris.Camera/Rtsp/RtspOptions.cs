using System.Net;
using Iris.Camera.Platform;

namespace Iris.Camera.Rtsp;

/// <summary>
/// RTSPS listener settings. Whether it runs at all is the administrator's stored choice (<c>PUT /api/rtsp</c>,
/// off on a new or reset camera); these only say where and within which limits. There is no plaintext option.
/// </summary>
public sealed class RtspOptions : ISettings, IBoundSettings<RtspOptions>
{
    public const string SectionName = "Iris:Rtsp";

    public static RtspOptions? Bind(IConfiguration section) => section.Get<RtspOptions>(SettingsBinding.Strict);

    /// <summary>ADDRESS:PORT for RTSP over TLS (322 is the registered rtsps port). Port 0 picks a free port (tests).</summary>
    public string Listen { get; set; } = "0.0.0.0:322";

    /// <summary>Bytes of one request's line and headers; a longer one is answered 400 and the connection closed.</summary>
    public int MaxRequestBytes { get; set; } = 8 * 1024;

    /// <summary>Header lines in one request.</summary>
    public int MaxHeaders { get; set; } = 32;

    /// <summary>Body bytes a request may carry (GET_PARAMETER keep-alives carry none or a few).</summary>
    public int MaxBodyBytes { get; set; } = 1024;

    /// <summary>How long a client may take to send one whole request once it has begun.</summary>
    public TimeSpan RequestTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// A connection that sends nothing (no request, no RTCP) for this long is closed; announced to clients in the
    /// Session header, so they send keep-alives in time.
    /// </summary>
    public TimeSpan SessionTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How long DESCRIBE waits for the encoder's first keyframe.</summary>
    public TimeSpan StartTimeout { get; set; } = TimeSpan.FromSeconds(10);

    public IPEndPoint ParseListen() =>
        IPEndPoint.TryParse(Listen, out var endpoint) && Listen.Contains(':', StringComparison.Ordinal)
            ? endpoint
            : throw new FormatException($"'{Listen}' is not ADDRESS:PORT.");

    public IEnumerable<string> Validate()
    {
        if (!IPEndPoint.TryParse(Listen, out var endpoint) || !Listen.Contains(':', StringComparison.Ordinal))
        {
            yield return $"{SectionName}:Listen '{Listen}' is not ADDRESS:PORT (for example 0.0.0.0:322 or [::]:322).";
        }
        else if (endpoint.Port is < 0 or > 65535)
        {
            yield return $"{SectionName}:Listen port must be 0-65535.";
        }

        if (MaxRequestBytes is < 1024 or > 64 * 1024)
        {
            yield return $"{SectionName}:MaxRequestBytes must be 1024 to 65536.";
        }

        if (MaxHeaders is < 8 or > 256)
        {
            yield return $"{SectionName}:MaxHeaders must be 8 to 256.";
        }

        if (MaxBodyBytes is < 0 or > 64 * 1024)
        {
            yield return $"{SectionName}:MaxBodyBytes must be 0 to 65536.";
        }

        if (RequestTimeout < TimeSpan.FromSeconds(1) || RequestTimeout > TimeSpan.FromMinutes(1))
        {
            yield return $"{SectionName}:RequestTimeout must be 1 second to 1 minute.";
        }

        if (SessionTimeout < TimeSpan.FromSeconds(10) || SessionTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{SectionName}:SessionTimeout must be 10 seconds to 5 minutes.";
        }

        if (StartTimeout < TimeSpan.FromSeconds(1) || StartTimeout > TimeSpan.FromMinutes(1))
        {
            yield return $"{SectionName}:StartTimeout must be 1 second to 1 minute.";
        }
    }
}
