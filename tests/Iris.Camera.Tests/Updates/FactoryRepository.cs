using Iris.Camera.Tests.Support;
using Iris.Factory;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// A factory workspace for the Iris.Factory tests: file keys, a fleet update key and a repository with release
/// 0.2.0, made with the factory's own commands (in process, to keep the tests quick); the command under test
/// then runs as the real process.
/// </summary>
public sealed class FactoryRepository : IDisposable
{
    private FactoryRepository() => Directory.CreateDirectory(App);

    public TempDirectory Dir { get; } = new();

    public string Keys => Dir.Combine("keys");

    public string Repo => Dir.Combine("repo");

    public string App => Dir.Combine("app");

    public string ShippedRoot => Path.Combine(Repo, "metadata", "1.root.json");

    public static async Task<FactoryRepository> CreateAsync()
    {
        var factory = new FactoryRepository();
        await File.WriteAllTextAsync(Path.Combine(factory.App, "Iris.Camera"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(factory.App, "Iris.Camera"), (UnixFileMode)0x1ED);
        await InProcessAsync("keys", "generate", "--out", factory.Keys);
        await InProcessAsync("update-key", "generate", "--out", factory.Dir.Combine("fleet"));
        await InProcessAsync("repo", "init", "--repo", factory.Repo, "--keys", factory.Keys);
        await InProcessAsync([.. factory.ReleaseArguments("0.2.0")]);
        return factory;
    }

    /// <summary>A release command; <paramref name="overrides"/> (OPTION VALUE pairs) replace or add options.</summary>
    public List<string> ReleaseArguments(string version, string? keys = null, string? from = null, IReadOnlyList<string>? overrides = null)
    {
        var options = new List<(string Name, string Value)>
        {
            ("--repo", Repo), ("--keys", keys ?? Keys), ("--from", from ?? App), ("--model", "Iris Camera DEV"), ("--version", version),
            ("--security-version", "2"), ("--support-end", "2033-01-31"), ("--recipient", Dir.Combine("fleet.pub.pem")),
            ("--no-cve-gate", "update tests: no NVD mirror"),
        };
        for (var i = 0; overrides is not null && i + 1 < overrides.Count; i += 2)
        {
            options.RemoveAll(o => o.Name == overrides[i]);
            options.Add((overrides[i], overrides[i + 1]));
        }

        return ["release", .. options.SelectMany(o => new[] { o.Name, o.Value })];
    }

    /// <summary>Every file and directory of the repository (hidden ones too), files with their bytes.</summary>
    public SortedDictionary<string, string> Contents() =>
        new(Directory.EnumerateFileSystemEntries(Repo, "*", SearchOption.AllDirectories).ToDictionary(
            p => Path.GetRelativePath(Repo, p),
            p => Directory.Exists(p) ? "directory" : Convert.ToHexString(File.ReadAllBytes(p))), StringComparer.Ordinal);

    public static async Task InProcessAsync(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var exit = await FactoryCli.RunAsync(args, output, error);
        Assert.True(exit == 0, $"iris-factory {string.Join(' ', args)} exited {exit}:\n{output}\n{error}");
    }

    public static Task<(int Exit, string Output, string Error)> RunAsync(params string[] args) => RunProcessAsync(new Dictionary<string, string>(), args);

    public static async Task<(int Exit, string Output, string Error)> RunProcessAsync(Dictionary<string, string> environment, params string[] args)
    {
        using var process = ChildProcess.Start("Iris.Factory", args, environment);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(120));
        return (exit, process.StandardOutput, process.StandardError);
    }

    public void Dispose() => Dir.Dispose();
}
