namespace Iris.Relay;

/// <summary>Settings of the relay (section Iris:Relay). The relay keeps no accounts: its only trust anchor is the device CA.</summary>
public sealed class RelayOptions
{
    public const string SectionName = "Iris:Relay";

    /// <summary>Address and port to listen on (TLS only), e.g. 0.0.0.0:8443.</summary>
    public string Listen { get; set; } = "0.0.0.0:8443";

    /// <summary>PEM file with the relay's server certificate (and any intermediates after it).</summary>
    public string? CertificateFile { get; set; }

    /// <summary>PEM file with the private key of <see cref="CertificateFile"/>.</summary>
    public string? KeyFile { get; set; }

    /// <summary>PEM file with the CA (or CAs) that issue device certificates; a camera must chain to one of them.</summary>
    public string? DeviceCaFile { get; set; }

    /// <summary>Longest a viewer token may still be valid when shown: a camera that issues longer ones is not believed.</summary>
    public TimeSpan TokenLifetimeLimit { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Largest sealed fragment forwarded; a camera sending more is cut off.</summary>
    public int FrameLimit { get; set; } = 4 * 1024 * 1024;

    /// <summary>Most live sessions at once on this instance.</summary>
    public int SessionLimit { get; set; } = 1000;

    /// <summary>Most live sessions one camera (one device certificate serial) may hold at once; the camera itself opens at most two.</summary>
    public int SessionsPerCamera { get; set; } = 2;

    public IEnumerable<string> Validate()
    {
        if (!System.Net.IPEndPoint.TryParse(Listen, out var endpoint) || endpoint.Port is < 0 or > 65535)
        {
            yield return $"{SectionName}:Listen must be ADDRESS:PORT.";
        }

        foreach (var (name, value) in new[] { ("CertificateFile", CertificateFile), ("KeyFile", KeyFile), ("DeviceCaFile", DeviceCaFile) })
        {
            if (string.IsNullOrWhiteSpace(value))
            {
                yield return $"{SectionName}:{name} is required.";
            }
            else if (!File.Exists(value))
            {
                yield return $"{SectionName}:{name} '{value}' does not exist.";
            }
        }

        if (TokenLifetimeLimit < TimeSpan.FromSeconds(10) || TokenLifetimeLimit > TimeSpan.FromHours(1))
        {
            yield return $"{SectionName}:TokenLifetimeLimit must be between 10 seconds and 1 hour.";
        }

        if (FrameLimit is < 64 * 1024 or > 64 * 1024 * 1024)
        {
            yield return $"{SectionName}:FrameLimit must be 64 KiB-64 MiB.";
        }

        if (SessionsPerCamera is < 1 or > 100)
        {
            yield return $"{SectionName}:SessionsPerCamera must be 1-100.";
        }

        if (SessionLimit is < 1 or > 1_000_000)
        {
            yield return $"{SectionName}:SessionLimit must be 1-1000000.";
        }
    }
}
