using System.Text;
using System.Text.RegularExpressions;

namespace Iris.Lab.Firmware;

/// <summary>A component found in a firmware image, as the SBOM lists it.</summary>
internal sealed record FirmwareComponent(string Name, string Version, string Purl, string Cpe, string Location);

/// <summary>
/// The versions of common camera daemons and libraries, read from the strings their binaries carry (BusyBox's
/// banner, OpenSSL's version text, a server's "name/version" header, glibc's release line) or from a library's
/// versioned file name. Each anchor is looked up as bytes, and only the few bytes after it are parsed, so a binary
/// of any size costs one pass per anchor. The CPE vendor:product pairs are the ones NVD files the CVEs under.
/// </summary>
internal static partial class DaemonVersions
{
    private const int MaxFileBytes = 64 << 20;
    private const int Window = 96;

    private sealed record Pattern(string Anchor, Regex Version, string Name, string Vendor, string Product);

    private static readonly Pattern[] Patterns =
    [
        new("BusyBox v", BusyBoxRegex(), "busybox", "busybox", "busybox"),
        new("Dropbear", DropbearRegex(), "dropbear", "dropbear_ssh_project", "dropbear_ssh"),
        new("dropbear_", DropbearBannerRegex(), "dropbear", "dropbear_ssh_project", "dropbear_ssh"),
        new("OpenSSL ", OpenSslRegex(), "openssl", "openssl", "openssl"),
        new("lighttpd/", ServerRegex(), "lighttpd", "lighttpd", "lighttpd"),
        new("nginx/", ServerRegex(), "nginx", "f5", "nginx"),
        new("OpenSSH_", OpenSshRegex(), "openssh", "openbsd", "openssh"),
        new("uClibc", UClibcRegex(), "uclibc", "uclibc", "uclibc"),
        new("GNU C Library", GlibcRegex(), "glibc", "gnu", "glibc"),
    ];

    /// <summary>Every (name, version) the file's bytes or its name show.</summary>
    public static IReadOnlyList<FirmwareComponent> Read(string path, string location)
    {
        var found = new List<FirmwareComponent>();
        void Add(string name, string version, string vendor, string product)
        {
            if (!found.Any(c => c.Name == name && c.Version == version))
            {
                found.Add(Component(name, version, vendor, product, location));
            }
        }

        if (LibraryFileRegex().Match(Path.GetFileName(path)) is { Success: true } library)
        {
            if (library.Groups[1].Value == "uClibc")
            {
                Add("uclibc", library.Groups[2].Value, "uclibc", "uclibc");
            }
            else
            {
                Add("glibc", library.Groups[2].Value, "gnu", "glibc");
            }
        }

        var info = new FileInfo(path);
        if (info.Length is 0 or > MaxFileBytes)
        {
            return found;
        }

        var bytes = File.ReadAllBytes(path);
        foreach (var pattern in Patterns)
        {
            var anchor = Encoding.ASCII.GetBytes(pattern.Anchor);
            for (var start = 0; start < bytes.Length;)
            {
                var index = bytes.AsSpan(start).IndexOf(anchor);
                if (index < 0)
                {
                    break;
                }

                var at = start + index;
                var text = Encoding.Latin1.GetString(bytes, at, Math.Min(Window, bytes.Length - at));
                if (pattern.Version.Match(text) is { Success: true } match)
                {
                    Add(pattern.Name, match.Groups[1].Value, pattern.Vendor, pattern.Product);
                }

                start = at + anchor.Length;
            }
        }

        return found;
    }

    private static FirmwareComponent Component(string name, string version, string vendor, string product, string location) =>
        new(name, version, $"pkg:generic/{name}@{Uri.EscapeDataString(version)}", $"cpe:2.3:a:{vendor}:{product}:{version.ToLowerInvariant()}:*:*:*:*:*:*:*", location);

    [GeneratedRegex(@"^BusyBox v(\d+\.\d+(?:\.\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex BusyBoxRegex();

    [GeneratedRegex(@"^Dropbear (?:sshd |SSH |client )?v(\d{4}\.\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex DropbearRegex();

    [GeneratedRegex(@"^dropbear_(\d{4}\.\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex DropbearBannerRegex();

    // "OpenSSL 1.1.1w  11 Sep 2023", "OpenSSL 3.0.15 3 Sep 2024": the version and then its date.
    [GeneratedRegex(@"^OpenSSL (\d+\.\d+\.\d+[a-z]{0,2}) +\d{1,2} [A-Z][a-z]{2} \d{4}", RegexOptions.CultureInvariant)]
    private static partial Regex OpenSslRegex();

    [GeneratedRegex(@"^[a-z]+/(\d+\.\d+\.\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex ServerRegex();

    [GeneratedRegex(@"^OpenSSH_(\d+\.\d+(?:p\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex OpenSshRegex();

    [GeneratedRegex(@"^uClibc(?:-ng)?[ -]v?(\d+\.\d+\.\d+(?:\.\d+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex UClibcRegex();

    [GeneratedRegex(@"^GNU C Library \([^)\n]{0,40}\) (?:stable )?release version (\d+\.\d+)", RegexOptions.CultureInvariant)]
    private static partial Regex GlibcRegex();

    [GeneratedRegex(@"^lib(uClibc|c)-(\d+\.\d+(?:\.\d+){0,2})\.so$", RegexOptions.CultureInvariant)]
    private static partial Regex LibraryFileRegex();
}
