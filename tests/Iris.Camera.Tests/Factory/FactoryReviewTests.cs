using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Iris.Camera.Tests.Support;
using Iris.Factory;
using Iris.Factory.Sbom;
using Iris.Firmware.Slots;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// What the third outside review (fresh clone, README only) found in the factory's command line: a guessed .NET
/// version in the SBOM, an SBOM written into the tree being released, a release that skipped the CVE gate with a
/// warning, raw runtime messages, and help naming the assembly instead of the command.
/// </summary>
public sealed class FactoryReviewTests
{
    [Fact]
    public void ASelfContainedFactory_RefusesToGuessTheRuntimeOfAFrameworkDependentRelease_AndAsksForDotnetRoot()
    {
        using var dir = new TempDirectory();
        var camera = dir.Combine("camera");
        CameraApplication.Copy(CameraApplication.BuildOutput, camera);

        // Self-contained: CoreLib beside the program; single-file: no location at all.
        var selfContained = Assert.Throws<ArgumentException>(() => DotnetComponents.Read(camera, null, "/opt/iris-factory/System.Private.CoreLib.dll").ToList());
        var singleFile = Assert.Throws<ArgumentException>(() => DotnetComponents.Read(camera, null, "").ToList());

        Assert.Contains("--dotnet-root", selfContained.Message, StringComparison.Ordinal);
        Assert.Contains("--dotnet-root", singleFile.Message, StringComparison.Ordinal);
        // An installed runtime is read where it is; the self-contained layout is not mistaken for one (it resolved to "/").
        Assert.Equal("/usr/share/dotnet", DotnetComponents.InstalledDotnetRoot("/usr/share/dotnet/shared/Microsoft.NETCore.App/10.0.12/System.Private.CoreLib.dll"));
        Assert.Null(DotnetComponents.InstalledDotnetRoot("/opt/iris-factory/System.Private.CoreLib.dll"));
        // Control: given the target's runtime, the same self-contained tool records its patch.
        Directory.CreateDirectory(dir.Combine("dotnet", "shared", "Microsoft.NETCore.App", "10.0.7"));
        Directory.CreateDirectory(dir.Combine("dotnet", "shared", "Microsoft.AspNetCore.App", "10.0.7"));
        var runtime = DotnetComponents.Read(camera, dir.Combine("dotnet"), "/opt/iris-factory/System.Private.CoreLib.dll").First(c => c.Name == "Microsoft.NETCore.App");
        Assert.Equal("10.0.7", runtime.Version);
    }

    [Fact]
    public async Task ADotnetRootWithoutTheRuntime_IsRefusedWithOneLine_NotRecordedAsTheLowestVersion()
    {
        using var dir = new TempDirectory();
        var camera = dir.Combine("camera");
        CameraApplication.Copy(CameraApplication.BuildOutput, camera);
        Directory.CreateDirectory(dir.Combine("empty-dotnet"));

        var (exit, _, error) = await RunAsync("sbom", "--from", camera, "--version", "0.1.0", "--out", dir.Combine("sbom.json"), "--dotnet-root", dir.Combine("empty-dotnet"));

        Assert.Equal(FactoryCli.Failed, exit);
        Assert.StartsWith("iris-factory: No Microsoft.NETCore.App 10.0.0 or a later patch of it is installed under", error, StringComparison.Ordinal);
        Assert.Single(error.Trim().Split('\n'));
        Assert.False(File.Exists(dir.Combine("sbom.json")));
    }

    [Fact]
    public async Task Release_NeverWritesIntoTheTreeItReleases_AndRefusesAStaleSbomThere()
    {
        using var dir = new TempDirectory();
        var app = await RepositoryAsync(dir);
        var before = Snapshot(app);

        var (exit, output, error) = await RunAsync([.. ReleaseArgs(dir, app, "0.2.0"), "--no-cve-gate", "lab build", "--sbom-out", dir.Combine("out.cdx.json")]);

        Assert.True(exit == 0, error);
        Assert.Contains("published iris-camera-0.2.0.irfw", output, StringComparison.Ordinal);
        Assert.Equal(before, Snapshot(app));
        Assert.Empty(Directory.GetDirectories(dir.Combine("repo"), ".staging-*"));
        // A stale SBOM left in the tree would ship beside the new one: refused, nothing published.
        await File.WriteAllTextAsync(Path.Combine(app, "sbom.cdx.json"), "{}");
        var stale = await RunAsync([.. ReleaseArgs(dir, app, "0.3.0"), "--no-cve-gate", "lab build"]);
        Assert.Equal(FactoryCli.Failed, stale.Exit);
        Assert.Contains("already holds sbom.cdx.json", stale.Error, StringComparison.Ordinal);
        Assert.DoesNotContain(Directory.GetFiles(dir.Combine("repo", "targets")), f => f.EndsWith("0.3.0.irfw", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Release_WithoutAnNvdMirror_IsRefused_UnlessNoCveGateStatesWhy_AndTheReasonIsInTheSbom()
    {
        using var dir = new TempDirectory();
        var app = await RepositoryAsync(dir);

        var silent = await RunAsync(ReleaseArgs(dir, app, "0.2.0"));
        var both = await RunAsync([.. ReleaseArgs(dir, app, "0.2.0"), "--nvd", dir.Path, "--no-cve-gate", "x"]);
        var empty = await RunAsync([.. ReleaseArgs(dir, app, "0.2.0"), "--no-cve-gate", " "]);
        var stated = await RunAsync([.. ReleaseArgs(dir, app, "0.2.0"), "--no-cve-gate", "internal test build, never shipped", "--sbom-out", dir.Combine("out.cdx.json")]);

        Assert.Equal(FactoryCli.Failed, silent.Exit);
        Assert.Contains("give the NVD mirror with --nvd DIR", silent.Error, StringComparison.Ordinal);
        Assert.Equal(FactoryCli.Failed, both.Exit);
        Assert.Contains("exclude each other", both.Error, StringComparison.Ordinal);
        Assert.Equal(FactoryCli.Failed, empty.Exit);
        Assert.Contains("--no-cve-gate needs a reason", empty.Error, StringComparison.Ordinal);
        Assert.True(stated.Exit == 0, stated.Error);
        Assert.Contains("cve: NOT CHECKED: the CVE gate did not run (--no-cve-gate: internal test build, never shipped)", stated.Output, StringComparison.Ordinal);
        using var sbom = JsonDocument.Parse(await File.ReadAllBytesAsync(dir.Combine("out.cdx.json")));
        var property = Assert.Single(sbom.RootElement.GetProperty("metadata").GetProperty("properties").EnumerateArray());
        Assert.Equal("iris:cve-gate-not-run", property.GetProperty("name").GetString());
        Assert.Equal("internal test build, never shipped", property.GetProperty("value").GetString());
    }

    [Fact]
    public async Task TheBundle_CarriesAnAddedFile_InItsManifest_AndRefusesOneTheDirectoryAlreadyHolds()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("app"));
        await File.WriteAllTextAsync(dir.Combine("app", "Iris.Camera"), "#!/bin/sh\n");
        await File.WriteAllTextAsync(dir.Combine("sbom.json"), "{\"bomFormat\":\"CycloneDX\"}");
        using var tar = new MemoryStream();

        await BundleManifest.WriteTarAsync(dir.Combine("app"), new Dictionary<string, string> { ["sbom.cdx.json"] = dir.Combine("sbom.json") }, tar);

        tar.Position = 0;
        using var reader = new TarReader(tar);
        var entries = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        while (reader.GetNextEntry(copyData: true) is { } entry)
        {
            using var copy = new MemoryStream();
            entry.DataStream?.CopyTo(copy);
            entries[entry.Name] = copy.ToArray();
        }

        Assert.Equal(["Iris.Camera", "iris-manifest.json", "sbom.cdx.json"], entries.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("{\"bomFormat\":\"CycloneDX\"}"u8.ToArray(), entries["sbom.cdx.json"]);
        var manifest = JsonSerializer.Deserialize<JsonElement>(entries["iris-manifest.json"]);
        Assert.Contains(manifest.GetProperty("files").EnumerateArray(), f => f.GetProperty("path").GetString() == "sbom.cdx.json"
            && f.GetProperty("sha256").GetString() == Convert.ToHexStringLower(SHA256.HashData("{\"bomFormat\":\"CycloneDX\"}"u8)));
        await File.WriteAllTextAsync(dir.Combine("app", "sbom.cdx.json"), "{}");
        await Assert.ThrowsAsync<InvalidDataException>(() => BundleManifest.WriteTarAsync(dir.Combine("app"), new Dictionary<string, string> { ["sbom.cdx.json"] = dir.Combine("sbom.json") }, Stream.Null));
    }

    [Fact]
    public async Task AMissingKeyDirectory_AndANonJsonSbom_AreOneLineMessages_WithExitOne()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("sbom.txt"), "components: none\n");
        await File.WriteAllTextAsync(dir.Combine("spdx.json"), "{\"spdxVersion\":\"SPDX-2.3\"}");
        Directory.CreateDirectory(dir.Combine("nvd"));

        var keys = await RunAsync("repo", "init", "--repo", dir.Combine("repo"), "--keys", dir.Combine("no-keys"));
        var text = await RunAsync("cve", "--sbom", dir.Combine("sbom.txt"), "--nvd", dir.Combine("nvd"));
        var spdx = await RunAsync("cve", "--sbom", dir.Combine("spdx.json"), "--nvd", dir.Combine("nvd"));

        Assert.Equal((FactoryCli.Failed, $"iris-factory: The key directory '{dir.Combine("no-keys")}' does not exist (give the directory 'iris-factory keys generate --out' wrote)."),
            (keys.Exit, keys.Error.TrimEnd()));
        Assert.Equal((FactoryCli.Failed, $"iris-factory: The SBOM '{dir.Combine("sbom.txt")}' is not JSON (line 1); give a CycloneDX JSON file such as 'iris-factory sbom' writes."),
            (text.Exit, text.Error.TrimEnd()));
        Assert.Equal((FactoryCli.Failed, $"iris-factory: The SBOM '{dir.Combine("spdx.json")}' is JSON but not CycloneDX (no \"bomFormat\": \"CycloneDX\")."),
            (spdx.Exit, spdx.Error.TrimEnd()));
    }

    [Fact]
    public async Task Help_NamesTheCommand_IrisFactory_NotTheAssembly()
    {
        var root = await RunAsync("--help");
        var release = await RunAsync("release", "--help");

        Assert.Equal(0, root.Exit);
        Assert.Contains("iris-factory [command] [options]", root.Output, StringComparison.Ordinal);
        Assert.Contains("iris-factory release [options]", release.Output, StringComparison.Ordinal);
        Assert.Contains("--no-cve-gate", release.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Iris.Factory", root.Output + release.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("testhost", root.Output + release.Output, StringComparison.Ordinal);
    }

    private static async Task<string> RepositoryAsync(TempDirectory dir)
    {
        Assert.Equal(0, (await RunAsync("keys", "generate", "--out", dir.Combine("keys"))).Exit);
        Assert.Equal(0, (await RunAsync("update-key", "generate", "--out", dir.Combine("fleet"))).Exit);
        Assert.Equal(0, (await RunAsync("repo", "init", "--repo", dir.Combine("repo"), "--keys", dir.Combine("keys"))).Exit);
        var app = dir.Combine("app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "Iris.Camera"), "#!/bin/sh\n");
        return app;
    }

    private static string[] ReleaseArgs(TempDirectory dir, string app, string version) =>
        ["release", "--repo", dir.Combine("repo"), "--keys", dir.Combine("keys"), "--from", app, "--model", "Iris Camera DEV", "--version", version,
            "--security-version", "1", "--support-end", "2033-01-31", "--recipient", dir.Combine("fleet.pub.pem")];

    private static SortedDictionary<string, string> Snapshot(string directory) =>
        new(Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories)
            .ToDictionary(p => Path.GetRelativePath(directory, p), p => Directory.Exists(p) ? "dir" : Convert.ToHexString(File.ReadAllBytes(p))), StringComparer.Ordinal);

    private static async Task<(int Exit, string Output, string Error)> RunAsync(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var exit = await FactoryCli.RunAsync(args, output, error);
        return (exit, output.ToString(), error.ToString());
    }
}
