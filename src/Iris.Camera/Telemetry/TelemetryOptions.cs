namespace Iris.Camera.Telemetry;

/// <summary>Telemetry settings (section Iris:Telemetry). Without an endpoint, telemetry cannot be turned on.</summary>
public sealed class TelemetryOptions : Platform.IBoundSettings<TelemetryOptions>
{
    public const string SectionName = "Iris:Telemetry";

    public static TelemetryOptions? Bind(IConfiguration section) => section.Get<TelemetryOptions>(Platform.SettingsBinding.Strict);

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
