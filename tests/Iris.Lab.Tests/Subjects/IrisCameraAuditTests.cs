using System.Globalization;
using System.Text.Json;
using Iris.Lab.Tests.Support;
using Json.Schema;

namespace Iris.Lab.Tests.Subjects;

/// <summary>The Iris camera is the lab's first subject: started as an owner starts it, audited with its own IXIT.</summary>
public sealed class IrisCameraAuditTests
{
    // Items the lab judges from the network today; each must pass on the Iris camera.
    private static readonly string[] RemotelyTested = ["5.1.1.3", "5.1.2.2", "5.1.3.1", "5.2.2.1", "5.4.2.1", "5.4.2.2", "5.5.2.1"];

    private static readonly string[] PassOrManual = ["pass", "manual"];

    [Fact]
    public async Task IrisCamera_ServesASchemaValidIxit_AndPassesEveryItemTheLabTestsRemotely()
    {
        using var data = new TempDirectory();
        // Its own loopback address, so the scan around its port meets no other test's listeners.
        var port = TargetProcess.FreePort();
        using var camera = await IrisCamera.StartAsync($"127.0.0.93:{port}", data.File("camera"));
        var ixit = await camera.GetAsync("/api/device/ixit");
        using (var document = JsonDocument.Parse(ixit))
        {
            var schema = JsonSchema.FromFile(Path.Combine(AppContext.BaseDirectory, "ixit.schema.json"));
            var result = schema.Evaluate(document.RootElement, new EvaluationOptions { OutputFormat = OutputFormat.List });
            Assert.True(result.IsValid, string.Join("\n", (result.Details ?? []).Where(d => d.Errors is { Count: > 0 })
                .Select(d => $"{d.InstanceLocation}: {string.Join("; ", d.Errors!.Values)}")));
        }

        var ports = string.Create(CultureInfo.InvariantCulture, $"{Math.Max(1, port - 50)}-{Math.Min(65535, port + 50)}");

        // The lab's account is the owner's first-start one: the camera writes its default password where the owner
        // finds it when no terminal is watching (<data-dir>/default-password).
        var account = data.File("account");
        await File.WriteAllTextAsync(account, "admin:" + (await File.ReadAllTextAsync(Path.Combine(camera.DataDirectory, "default-password"))).Trim());

        using var run = await LabRun.AuditAsync($"127.0.0.93:{port}", ports, Probes.Default(), ixit, "--account", account);

        foreach (var item in RemotelyTested)
        {
            Assert.True(run.Verdict(item) == "pass", $"{item}: {run.Verdict(item)}: {run.Evidence(item)}");
        }

        Assert.All(run.Report.RootElement.GetProperty("items").EnumerateArray(),
            i => Assert.Contains(i.GetProperty("verdict").GetString(), PassOrManual));
        Assert.Empty(run.Findings);
        Assert.Equal(0, run.ExitCode);
    }
}
