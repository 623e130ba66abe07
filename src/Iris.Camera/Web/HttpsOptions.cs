using System.Net;
using Iris.Camera.Platform;

namespace Iris.Camera.Web;

/// <summary>HTTPS listener settings. There is no plaintext listener to configure.</summary>
public sealed class HttpsOptions : ISettings, IBoundSettings<HttpsOptions>
{
    public const string SectionName = "Iris:Https";

    public static HttpsOptions? Bind(IConfiguration section) => section.Get<HttpsOptions>(SettingsBinding.Strict);

    /// <summary>ADDRESS:PORT, IPv4 or [IPv6]. Port 0 picks a free port (tests).</summary>
    public string Listen { get; set; } = "127.0.0.1:8443";

    /// <summary>Largest request body accepted by any endpoint, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Connections the device holds at once, the owner's included.</summary>
    public int MaxConnections { get; set; } = 512;

    /// <summary>Slots only sources the owner has signed in from may take, so strangers cannot fill the device.</summary>
    public int ConnectionsReservedForKnownSources { get; set; } = 64;

    /// <summary>Connections one unfamiliar source (an IPv4 address or an IPv6 /64) may hold at once.</summary>
    public int MaxConnectionsPerSource { get; set; } = 16;

    /// <summary>Connections one source the owner has signed in from may hold at once.</summary>
    public int MaxConnectionsPerKnownSource { get; set; } = 64;

    /// <summary>How long a client may take to finish the TLS handshake.</summary>
    public TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long an idle connection is kept between requests.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    public IPEndPoint ParseListen() =>
        IPEndPoint.TryParse(Listen, out var endpoint) && Listen.Contains(':', StringComparison.Ordinal)
            ? endpoint
            : throw new FormatException($"'{Listen}' is not ADDRESS:PORT.");

    public IEnumerable<string> Validate()
    {
        IPEndPoint? endpoint = null;
        try
        {
            endpoint = ParseListen();
        }
        catch (FormatException)
        {
        }

        if (endpoint is null)
        {
            yield return $"{SectionName}:Listen '{Listen}' is not ADDRESS:PORT (for example 127.0.0.1:8443 or [::]:443).";
        }
        else if (endpoint.Port is < 0 or > 65535)
        {
            yield return $"{SectionName}:Listen port must be 0-65535.";
        }

        if (MaxRequestBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            yield return $"{SectionName}:MaxRequestBodyBytes must be between 1024 and 67108864.";
        }

        if (MaxConnections is < 16 or > 65536)
        {
            yield return $"{SectionName}:MaxConnections must be 16 to 65536.";
        }

        if (ConnectionsReservedForKnownSources < 0 || ConnectionsReservedForKnownSources >= MaxConnections)
        {
            yield return $"{SectionName}:ConnectionsReservedForKnownSources must be at least 0 and less than MaxConnections.";
        }

        if (MaxConnectionsPerSource < 2 || MaxConnectionsPerSource > MaxConnectionsPerKnownSource)
        {
            yield return $"{SectionName}:MaxConnectionsPerSource must be at least 2 and at most MaxConnectionsPerKnownSource.";
        }

        if (MaxConnectionsPerKnownSource > MaxConnections)
        {
            yield return $"{SectionName}:MaxConnectionsPerKnownSource must not exceed MaxConnections.";
        }

        if (HandshakeTimeout < TimeSpan.FromSeconds(1) || HandshakeTimeout > TimeSpan.FromSeconds(60))
        {
            yield return $"{SectionName}:HandshakeTimeout must be 1 to 60 seconds.";
        }

        if (KeepAliveTimeout < TimeSpan.FromSeconds(5) || KeepAliveTimeout > TimeSpan.FromMinutes(5))
        {
            yield return $"{SectionName}:KeepAliveTimeout must be 5 seconds to 5 minutes.";
        }
    }
}
