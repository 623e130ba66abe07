using System.Text.RegularExpressions;
using Iris.Camera.Platform;

namespace Iris.Camera.Identity;

/// <summary>What the product is. Serial and keys come from the identity files, never from here.</summary>
public sealed partial class DeviceOptions : ISettings, IBoundSettings<DeviceOptions>
{
    public const string SectionName = "Iris:Device";

    public static DeviceOptions? Bind(IConfiguration section) => section.Get<DeviceOptions>(SettingsBinding.Strict);

    /// <summary>Model name used for a development identity; a factory identity carries its own.</summary>
    public string Model { get; set; } = "Iris Camera DEV";

    public string Vendor { get; set; } = "Iris";

    public const string RequestMode = "request";

    /// <summary>"request" (command line <c>--provisioning request</c>): make the device key and a signing request, then stop.</summary>
    public string? Provisioning { get; set; }

    /// <summary>
    /// The vendor's root CA (PEM), shipped in the image: a factory provisioning package is imported only when its
    /// device certificate chains to it. Unset (development images), the package is taken as the station made it.
    /// </summary>
    public string? VendorRootCertificateFile { get; set; }

    public IEnumerable<string> Validate()
    {
        if (!DisplayText().IsMatch(Model))
        {
            yield return $"{SectionName}:Model must be 1-64 letters, digits, spaces or ._()+-.";
        }

        if (!DisplayText().IsMatch(Vendor))
        {
            yield return $"{SectionName}:Vendor must be 1-64 letters, digits, spaces or ._()+-.";
        }

        foreach (var problem in ValidateProvisioning())
        {
            yield return problem;
        }
    }

    private IEnumerable<string> ValidateProvisioning()
    {
        if (Provisioning is not (null or RequestMode))
        {
            yield return $"{SectionName}:Provisioning must be '{RequestMode}' or unset.";
        }
    }

    [GeneratedRegex(@"^[\p{L}\p{N} ._()+-]{1,64}$", RegexOptions.CultureInvariant)]
    private static partial Regex DisplayText();
}
