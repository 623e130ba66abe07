using System.Net;
using System.Text.RegularExpressions;

namespace Iris.Camera.Hosting;

/// <summary>HTTPS listener settings. There is no plaintext listener to configure.</summary>
public sealed class HttpsOptions
{
    public const string SectionName = "Iris:Https";

    /// <summary>ADDRESS:PORT, IPv4 or [IPv6]. Port 0 picks a free port (tests).</summary>
    public string Listen { get; set; } = "127.0.0.1:8443";

    /// <summary>Largest request body accepted by any endpoint, in bytes.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    public IPEndPoint ParseListen() =>
        IPEndPoint.TryParse(Listen, out var endpoint) && Listen.Contains(':', StringComparison.Ordinal)
            ? endpoint
            : throw new FormatException($"'{Listen}' is not ADDRESS:PORT.");
}

/// <summary>Where the daemon keeps its state.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Iris:Storage";

    public string DataDirectory { get; set; } = "data";
}

/// <summary>What the product is. Serial and keys come from the identity files, never from here.</summary>
public sealed partial class DeviceOptions
{
    public const string SectionName = "Iris:Device";

    /// <summary>Model name used for a development identity; a factory identity carries its own.</summary>
    public string Model { get; set; } = "Iris Camera DEV";

    public string Vendor { get; set; } = "Iris";

    [GeneratedRegex(@"^[\p{L}\p{N} ._()+-]{1,64}$", RegexOptions.CultureInvariant)]
    internal static partial Regex DisplayText();
}

/// <summary>Checks every section at once and reports all problems together, so one restart fixes them all.</summary>
internal static class CameraOptionsValidator
{
    public static IReadOnlyList<string> Validate(HttpsOptions https, StorageOptions storage, DeviceOptions device)
    {
        var errors = new List<string>();
        try
        {
            var endpoint = https.ParseListen();
            if (endpoint.Port is < 0 or > 65535)
            {
                errors.Add($"{HttpsOptions.SectionName}:Listen port must be 0-65535.");
            }
        }
        catch (FormatException)
        {
            errors.Add($"{HttpsOptions.SectionName}:Listen '{https.Listen}' is not ADDRESS:PORT (for example 127.0.0.1:8443 or [::]:443).");
        }

        if (https.MaxRequestBodyBytes is < 1024 or > 64 * 1024 * 1024)
        {
            errors.Add($"{HttpsOptions.SectionName}:MaxRequestBodyBytes must be between 1024 and 67108864.");
        }

        if (string.IsNullOrWhiteSpace(storage.DataDirectory))
        {
            errors.Add($"{StorageOptions.SectionName}:DataDirectory must not be empty.");
        }

        if (!DeviceOptions.DisplayText().IsMatch(device.Model))
        {
            errors.Add($"{DeviceOptions.SectionName}:Model must be 1-64 letters, digits, spaces or ._()+-.");
        }

        if (!DeviceOptions.DisplayText().IsMatch(device.Vendor))
        {
            errors.Add($"{DeviceOptions.SectionName}:Vendor must be 1-64 letters, digits, spaces or ._()+-.");
        }

        return errors;
    }
}
