using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Factory;
using Json.Schema;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// The release SBOM (issue 13, point 3): CycloneDX 1.6 JSON that validates against the vendored schema and names
/// every assembly and native library the camera build ships, the .NET runtime, and a root file system's Debian packages.
/// </summary>
public sealed class SbomTests
{
    private static readonly Lazy<JsonSchema> CycloneDx = new(LoadSchema);

    [Fact]
    public async Task TheCameraBuildsSbom_ValidatesAgainstCycloneDx16_AndNamesEveryShippedAssembly()
    {
        using var dir = new TempDirectory();
        var camera = dir.Combine("camera");
        CameraApplication.Copy(CameraApplication.BuildOutput, camera);

        var exit = await FactoryCli.RunAsync(["sbom", "--from", camera, "--version", "0.1.0", "--out", dir.Combine("sbom.json")], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        using var sbom = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("sbom.json")));
        AssertValid(sbom.RootElement);
        var components = sbom.RootElement.GetProperty("components").EnumerateArray().ToList();
        var located = components.Where(c => c.TryGetProperty("evidence", out _))
            .SelectMany(c => c.GetProperty("evidence").GetProperty("occurrences").EnumerateArray().Select(o => o.GetProperty("location").GetString()))
            .ToHashSet(StringComparer.Ordinal);
        var shipped = Directory.EnumerateFiles(camera, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(camera, f)).Where(f => f.EndsWith(".dll", StringComparison.Ordinal) || f.EndsWith(".so", StringComparison.Ordinal)).ToList();
        Assert.Contains("Iris.Camera.dll", shipped);
        Assert.Contains(shipped, f => f.EndsWith("libSkiaSharp.so", StringComparison.Ordinal));
        Assert.All(shipped, file => Assert.Contains(file, located));
        var purls = components.Where(c => c.TryGetProperty("purl", out _)).Select(c => c.GetProperty("purl").GetString()).ToList();
        Assert.Contains("pkg:nuget/SkiaSharp@3.119.4", purls);
        Assert.Contains("pkg:nuget/Microsoft.Data.Sqlite.Core@10.0.15", purls);
        var runtime = Assert.Single(components, c => c.GetProperty("name").GetString() == "Microsoft.NETCore.App");
        Assert.Equal("framework", runtime.GetProperty("type").GetString());
        Assert.StartsWith("cpe:2.3:a:microsoft:.net:10.", runtime.GetProperty("cpe").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ARootFileSystem_ListsItsInstalledDebianPackages_WithPackageUrlsAndCpes()
    {
        using var dir = new TempDirectory();
        var root = dir.Combine("rootfs");
        Directory.CreateDirectory(Path.Combine(root, "var", "lib", "dpkg"));
        await File.WriteAllTextAsync(Path.Combine(root, "var", "lib", "dpkg", "status"), DpkgStatus);

        var exit = await FactoryCli.RunAsync(["sbom", "--from", root, "--version", "2.0.0", "--out", dir.Combine("sbom.json")], TextWriter.Null, TextWriter.Null);

        Assert.Equal(0, exit);
        using var sbom = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("sbom.json")));
        AssertValid(sbom.RootElement);
        var components = sbom.RootElement.GetProperty("components").EnumerateArray()
            .ToDictionary(c => c.GetProperty("name").GetString()!, c => (Purl: c.GetProperty("purl").GetString(), Cpe: c.GetProperty("cpe").GetString()));
        Assert.Equal(["libssl3", "openssh-server", "zlib1g"], components.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(("pkg:deb/debian/libssl3@3.0.11-1~deb12u2?arch=amd64", "cpe:2.3:a:openssl:openssl:3.0.11:*:*:*:*:*:*:*"), components["libssl3"]);
        Assert.Equal(("pkg:deb/debian/zlib1g@1%3A1.2.13.dfsg-1?arch=amd64", "cpe:2.3:a:zlib:zlib:1.2.13.dfsg:*:*:*:*:*:*:*"), components["zlib1g"]);
        Assert.Equal("cpe:2.3:a:openbsd:openssh:9.2p1:*:*:*:*:*:*:*", components["openssh-server"].Cpe);
    }

    [Fact]
    public void TheVendoredSchema_RefusesWhatIsNotCycloneDx16()
    {
        using var wrongFormat = JsonDocument.Parse("""{ "bomFormat": "SPDX", "specVersion": "1.6" }""");
        using var badComponent = JsonDocument.Parse("""{ "bomFormat": "CycloneDX", "specVersion": "1.6", "components": [ { "type": "gadget", "name": "x" } ] }""");
        using var badLicense = JsonDocument.Parse("""{ "bomFormat": "CycloneDX", "specVersion": "1.6", "components": [ { "type": "library", "name": "x", "licenses": [ { "license": { "id": "NOT-A-LICENSE" } } ] } ] }""");

        Assert.False(CycloneDx.Value.Evaluate(wrongFormat.RootElement).IsValid);
        Assert.False(CycloneDx.Value.Evaluate(badComponent.RootElement).IsValid);
        Assert.False(CycloneDx.Value.Evaluate(badLicense.RootElement).IsValid);
    }

    public const string DpkgStatus = """
        Package: libssl3
        Status: install ok installed
        Architecture: amd64
        Source: openssl
        Version: 3.0.11-1~deb12u2
        Description: Secure Sockets Layer toolkit - shared libraries

        Package: telnetd
        Status: deinstall ok config-files
        Architecture: amd64
        Version: 0.17+2.4-2

        Package: zlib1g
        Status: install ok installed
        Architecture: amd64
        Source: zlib
        Version: 1:1.2.13.dfsg-1
        Description: compression library - runtime
         continued description line

        Package: openssh-server
        Status: install ok installed
        Architecture: amd64
        Source: openssh
        Version: 1:9.2p1-2+deb12u3

        """;

    private static void AssertValid(JsonElement sbom)
    {
        var result = CycloneDx.Value.Evaluate(sbom, new EvaluationOptions { OutputFormat = OutputFormat.List });
        Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
            .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
    }

    private static JsonSchema LoadSchema()
    {
        var directory = Path.Combine(AppContext.BaseDirectory, "Factory", "Schemas");
        var options = new BuildOptions { SchemaRegistry = new SchemaRegistry() };
        JsonSchema.FromFile(Path.Combine(directory, "spdx.schema.json"), options);
        JsonSchema.FromFile(Path.Combine(directory, "jsf-0.82.schema.json"), options);
        return JsonSchema.FromFile(Path.Combine(directory, "bom-1.6.schema.json"), options);
    }
}
