using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.RegularExpressions;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// A factory line for tests: an offline root, a device CA whose key is a file or lives in its own SoftHSM2
/// token (a store of its own, like FactoryCliTests, since this process's SoftHSM is the vault tests'), an order
/// file and a serial ledger, all driven through the real <c>iris-factory</c> process.
/// </summary>
internal sealed partial class ProvisioningLine : IDisposable
{
    public const string SetupUrl = "https://setup.example.com/start";
    public const string Model = "Iris Cam 2";

    /// <summary>The order's vendor: printed on the label and carried by the device certificate (O=).</summary>
    public const string Vendor = "Iris Labs";

    private ProvisioningLine(TempDirectory dir, Dictionary<string, string> environment)
    {
        Dir = dir;
        Environment = environment;
    }

    public TempDirectory Dir { get; }

    public Dictionary<string, string> Environment { get; }

    public string Ca => Dir.Combine("ca");

    public string Ledger => Dir.Combine("ledger.db");

    public string Labels => Dir.Combine("labels");

    public X509Certificate2 Root => X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(Dir.Combine("root"), "root-ca.cert.pem")));

    public static async Task<ProvisioningLine> CreateAsync(bool tokenKey = false, int count = 2)
    {
        var dir = new TempDirectory();
        var environment = new Dictionary<string, string>();
        if (tokenKey)
        {
            var tokens = dir.Combine("tokens");
            Directory.CreateDirectory(tokens);
            var config = dir.Combine("softhsm2.conf");
            await File.WriteAllTextAsync(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
            environment["SOFTHSM2_CONF"] = config;
            environment["IRIS_PKCS11_PIN"] = "314159";
            using var init = ChildProcess.StartExecutable("softhsm2-util", ["--init-token", "--free", "--label", "device-ca", "--pin", "314159", "--so-pin", "271828"], environment);
            Assert.Equal(0, await init.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        }

        var line = new ProvisioningLine(dir, environment);
        await line.RunAsync("ca", "root", "--out", dir.Combine("root"));
        await line.RunAsync(tokenKey
            ? ["ca", "key", "--ca", line.Ca, "--pkcs11-module", SoftHsm.Module, "--token-label", "device-ca"]
            : ["ca", "key", "--ca", line.Ca]);
        await line.RunAsync("ca", "intermediate", "--root", dir.Combine("root"), "--ca", line.Ca);
        line.WriteOrder("order.json", count);
        return line;
    }

    public string WriteOrder(string name, int count)
    {
        var path = Dir.Combine(name);
        File.WriteAllText(path, JsonSerializer.Serialize(new { order = "PO-4711", model = Model, prefix = "IC2", vendor = Vendor, count, setupUrl = SetupUrl }));
        return path;
    }

    public Task<string> ProvisionBatchAsync(string outDirectory) =>
        RunAsync("provision", "--order", Dir.Combine("order.json"), "--ca", Ca, "--ledger", Ledger, "--labels", Labels, "--out", outDirectory);

    public Task<string> ProvisionDeviceAsync(string dataDirectory) =>
        RunAsync("provision", "--order", Dir.Combine("order.json"), "--ca", Ca, "--ledger", Ledger, "--labels", Labels, "--device", dataDirectory);

    /// <summary>The default password as the label shows it (read from the SVG's text).</summary>
    public string PasswordOnLabel(string serial) =>
        PasswordText().Match(File.ReadAllText(Path.Combine(Labels, serial + ".svg"))).Groups[1].Value;

    public async Task<string> RunAsync(params string[] args)
    {
        using var process = ChildProcess.Start("Iris.Factory", args, Environment);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(180));
        Assert.True(exit == 0, $"iris-factory {string.Join(' ', args)} exited {exit}:\n{process.StandardOutput}\n{process.StandardError}");
        return process.StandardOutput;
    }

    public void Dispose() => Dir.Dispose();

    [GeneratedRegex(">([2-9A-Z]{4}(?:-[2-9A-Z]{4}){4})<")]
    private static partial Regex PasswordText();
}
