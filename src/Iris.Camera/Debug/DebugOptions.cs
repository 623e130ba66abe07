using Iris.Camera.Platform;

namespace Iris.Camera.Debug;

/// <summary>The debug console (5.5.1.1): off unless the vendor's debug key is installed and a token unlocks it.</summary>
public sealed class DebugOptions : ISettings, IBoundSettings<DebugOptions>
{
    public const string SectionName = "Iris:Debug";

    public static DebugOptions? Bind(IConfiguration section) => section.Get<DebugOptions>(SettingsBinding.Strict);

    /// <summary>The vendor's debug public key (PEM). Without it no token is accepted and the console stays closed.</summary>
    public string? VendorKeyFile { get; set; }

    /// <summary>
    /// A file that exists only while the console is open (on a device <c>/run/iris/debug-unlocked</c>, on a tmpfs,
    /// so it is gone after a reboot): the systemd path unit in deploy/systemd starts the serial console while it is there.
    /// </summary>
    public string? UnlockFlagFile { get; set; }

    public IEnumerable<string> Validate()
    {
        if (VendorKeyFile is { Length: 0 })
        {
            yield return $"{SectionName}:VendorKeyFile must be a path or unset.";
        }

        if (UnlockFlagFile is { } flag && !Path.IsPathFullyQualified(flag))
        {
            yield return $"{SectionName}:UnlockFlagFile must be an absolute path or unset.";
        }
    }
}
