using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using Iris.Firmware.Durable;
using Iris.Firmware.Slots;

namespace Iris.Camera.Platform;

/// <summary>
/// The running software's version, security version and end of support. Started by Iris.Boot, these come from
/// the slot record (written from signed update metadata); otherwise from the assembly (Directory.Build.props).
/// </summary>
public sealed class SoftwareInfo
{
    public SoftwareInfo(BootOptions boot)
    {
        var assembly = typeof(SoftwareInfo).Assembly;
        var version = assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0";
        var supportEnd = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().FirstOrDefault(a => a.Key == "IrisSupportEnd")?.Value;
        Version = version;
        SupportEnd = DateOnly.TryParse(supportEnd, CultureInfo.InvariantCulture, out var end) ? end : null;
        if (boot.IsSlotted && new SlotRecordStore(DiskFileSystem.Instance, boot.Directory!).Load() is { } record && record[boot.Slot!].Version.Length > 0)
        {
            var slot = record[boot.Slot!];
            Version = slot.Version;
            SecurityVersion = slot.SecurityVersion;
            SupportEnd = slot.SupportEnd ?? SupportEnd;
            Slot = boot.Slot;
        }
    }

    public string Version { get; }

    public long SecurityVersion { get; }

    public DateOnly? SupportEnd { get; }

    /// <summary>The slot this daemon runs from, when Iris.Boot started it.</summary>
    public string? Slot { get; }

    /// <summary>
    /// A random name for this start of the daemon. A page waiting out a restart (a factory reset) compares it to tell
    /// the new start from the old process still answering: a start can take less than one poll interval, so "it
    /// went down" cannot be relied on. Random rather than a time so it says nothing about uptime.
    /// </summary>
    public string StartId { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));
}
