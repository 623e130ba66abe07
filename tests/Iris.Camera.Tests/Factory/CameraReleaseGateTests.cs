using System.IO.Compression;
using System.Text;
using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Factory.Gate;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// The camera's own release passes the release gate with the allow list it ships with (issue 13), and what made it
/// fail once is told apart from real endpoints by rule, not by waving hosts through. A `dotnet publish` takes over
/// two minutes on a loaded build machine, so the test takes what a publish ships from what is already built: the
/// camera's files named by its deps.json (Linux assets, as the publish keeps them) and the installed shared
/// frameworks, the same assemblies and native libraries a self-contained publish copies.
/// </summary>
public sealed class CameraReleaseGateTests
{
    private static readonly string[] ShippedDirectories = ["wwwroot", "openssl", "debug"];
    private static readonly HostAllowList Shipped = HostAllowList.Load(Path.Combine(AppContext.BaseDirectory, "release-gate-allow.txt"));

    [Fact]
    public void TheCameraApplication_AsPublished_HasNoFindings()
    {
        using var dir = new TempDirectory();
        var release = dir.Combine("publish");
        var copied = CopyCameraRelease(release);

        var report = ReleaseGate.Scan(release, Shipped);

        Assert.Empty(report.Findings);
        Assert.Contains("Iris.Camera.dll", copied);
        Assert.Contains("runtimes/linux-arm64/native/libSkiaSharp.so", copied);
        Assert.Contains("runtimes/linux-arm64/native/libe_sqlite3.so", copied);
        Assert.True(report.BytesScanned > 10 << 20, $"only {report.BytesScanned} bytes scanned");
    }

    [Theory]
    [InlineData("Microsoft.NETCore.App")]
    [InlineData("Microsoft.AspNetCore.App")]
    public void TheRuntimeASelfContainedReleaseCarries_HasNoFindings(string framework)
    {
        var directory = Path.GetDirectoryName((framework == "Microsoft.NETCore.App" ? typeof(object) : typeof(Microsoft.AspNetCore.Builder.WebApplication)).Assembly.Location)!;
        Assert.Contains(framework, directory, StringComparison.Ordinal);

        var report = ReleaseGate.Scan(directory, Shipped);

        Assert.Empty(report.Findings);
        Assert.True(report.BytesScanned > 5 << 20, $"only {report.BytesScanned} bytes scanned in {directory}");
    }

    [Theory]
    // A string heap runs the end of one string ("Not Found"), a length byte and the next string together.
    [InlineData("Not Found\u0001ehttps://tools.ietf.org/html/rfc9110#section-15.5.5", null)]
    [InlineData("XsrfId\u0001uhttp://schemas.xmlsoap.org/ws/2005/05/identity/claims/name", null)]
    [InlineData("Not Found\u0001ehttps://collect.example.net/v1", "undeclared endpoint https://collect.example.net")]
    [InlineData("Timeout\u0001gmqtt://github.com", "plaintext protocol mqtt://github.com")]
    // Kestrel's and IIS's defaults: what the server binds to, not where it connects.
    [InlineData("\u0001http://0.0.0.0:5000", null)]
    [InlineData("\u0001http://[::]:5000", null)]
    [InlineData("\u0001https://127.0.0.1:5001", null)]
    // ReadyToRun code keeps "http://www.w3.org/2000/xmlns/" as its first and last 16 characters.
    [InlineData("\u0001http://www.w3.or.w3.org/g/2000/x0/xmlns/", null)]
    [InlineData("\u0001http://www3.org/", "undeclared endpoint http://www3.org")]
    public void InAManagedAssembly_NamesAreNotEndpoints_ButEndpointsStillAre(string literal, string? finding)
    {
        var report = ScanBytes("Lib.dll", ManagedAssembly(literal));

        Assert.Equal(finding is null ? [] : [$"Lib.dll: {finding}"], report.Findings);
    }

    [Theory]
    [InlineData("app.conf")]
    [InlineData("agent.so")]
    public void ANamespaceHost_OutsideAManagedAssembly_IsStillAnEndpoint(string name)
    {
        byte[] content = name.EndsWith(".so", StringComparison.Ordinal)
            ? [0x7F, .. "ELF\u0002\u0001\u0001\0\0\0\0\0\0\0\0\0\0https://tools.ietf.org/x\0"u8]
            : Encoding.ASCII.GetBytes("feed https://tools.ietf.org/x\n");

        var report = ScanBytes(name, content);

        Assert.Equal([$"{name}: undeclared endpoint https://tools.ietf.org"], report.Findings);
    }

    [Theory]
    [InlineData("The X509 Basic Constraints extension with OID 2.5.29.10 is not supported.", null)]
    [InlineData("oid=2.5.29.17", null)]
    [InlineData("1.3.6.1.4.1.311.10.3.3", null)]
    [InlineData("connect to 2.5.29.10 now", "IP address 2.5.29.10")]
    [InlineData("server=203.0.113.7", "IP address 203.0.113.7")]
    public void AnOidNamedAsOne_IsNoAddress_ButTheSameDigitsElsewhereAre(string text, string? finding)
    {
        var report = ScanBytes("notes.txt", Encoding.ASCII.GetBytes(text + "\n"));

        Assert.Equal(finding is null ? [] : [$"notes.txt: {finding}"], report.Findings);
    }

    [Fact]
    public void BrotlisBuiltInDictionary_IsNoListOfHosts_ButANumberAfterAScheme_IsAnAddress()
    {
        // Words of RFC 7932's dictionary as libSystem.IO.Compression.Native.so holds them, and one real address.
        var elf = "\u007FELF\u0002\u0001\u0001\0\0\0\0\0\0\0\0\0\0"u8.ToArray();
        var words = "inhttp://www.years of http://style=\"https://www.World http://www-http://html4\0http://3232235777/x\0"u8.ToArray();

        var report = ScanBytes("libSystem.IO.Compression.Native.so", [.. elf, .. words]);

        Assert.Equal(["libSystem.IO.Compression.Native.so: undeclared endpoint http://3232235777"], report.Findings);
    }

    [Fact]
    public void ABrotliFile_IsDecodedAndScanned_NotListedForReview()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("wwwroot"));
        File.WriteAllBytes(dir.Combine("wwwroot", "app.js.br"), Brotli("const feed = 'https://collect.example.net/v1';\n"));
        File.WriteAllBytes(dir.Combine("wwwroot", "index.html.br"), Brotli("<p>clean</p>\n"));
        File.WriteAllBytes(dir.Combine("wwwroot", "broken.css.br"), [0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0x02]);

        var report = ReleaseGate.Scan(dir.Path, Shipped);

        Assert.Equal(
            [
                "wwwroot/app.js.br!app.js: undeclared endpoint https://collect.example.net",
                "wwwroot/broken.css.br: Brotli content that could not be read to the end (InvalidOperationException)",
            ],
            report.Findings.Order(StringComparer.Ordinal));
        Assert.Empty(report.Review);
    }

    private static GateReport ScanBytes(string name, byte[] content)
    {
        var report = new GateReport();
        ReleaseGate.ScanStream(new MemoryStream(content), name, Shipped, report);
        return report;
    }

    /// <summary>A minimal PE32+ with a CLI header entry, followed by the literal as a .NET string heap holds it (UTF-16).</summary>
    private static byte[] ManagedAssembly(string literal)
    {
        var pe = new byte[512];
        pe[0] = (byte)'M';
        pe[1] = (byte)'Z';
        BitConverter.GetBytes(0x80).CopyTo(pe, 0x3C);
        "PE\0\0"u8.CopyTo(pe.AsSpan(0x80));
        BitConverter.GetBytes((ushort)0x20B).CopyTo(pe, 0x80 + 24);
        BitConverter.GetBytes(0x2008u).CopyTo(pe, 0x80 + 24 + 112 + (14 * 8));
        return [.. pe, .. Encoding.Unicode.GetBytes(literal), 0, 0];
    }

    private static byte[] Brotli(string text)
    {
        using var memory = new MemoryStream();
        using (var brotli = new BrotliStream(memory, CompressionLevel.Optimal))
        {
            brotli.Write(Encoding.UTF8.GetBytes(text));
        }

        return memory.ToArray();
    }

    /// <summary>Copies what a publish of the camera ships, by its deps.json: assemblies, and Linux native libraries only.</summary>
    private static List<string> CopyCameraRelease(string release)
    {
        var output = AppContext.BaseDirectory;
        var files = new List<string> { "Iris.Camera.dll", "Iris.Camera.deps.json", "Iris.Camera.runtimeconfig.json", "iris-camera.sh" };
        using var deps = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(output, "Iris.Camera.deps.json")));
        foreach (var library in deps.RootElement.GetProperty("targets").EnumerateObject().First().Value.EnumerateObject())
        {
            if (library.Value.TryGetProperty("runtime", out var runtime))
            {
                files.AddRange(runtime.EnumerateObject().Select(asset => Path.GetFileName(asset.Name)));
            }

            if (library.Value.TryGetProperty("runtimeTargets", out var targets))
            {
                files.AddRange(targets.EnumerateObject()
                    .Where(asset => asset.Value.GetProperty("rid").GetString() is { } rid && rid.StartsWith("linux-", StringComparison.Ordinal) && !rid.StartsWith("linux-bionic", StringComparison.Ordinal))
                    .Select(asset => asset.Name));
            }
        }

        foreach (var file in files.Distinct())
        {
            var target = Path.Combine(release, file);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(Path.Combine(output, file), target);
        }

        foreach (var asset in ShippedDirectories.Where(d => Directory.Exists(Path.Combine(output, d)))
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(output, d), "*", SearchOption.AllDirectories)))
        {
            var target = Path.Combine(release, Path.GetRelativePath(output, asset));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(asset, target);
        }

        return files;
    }
}
