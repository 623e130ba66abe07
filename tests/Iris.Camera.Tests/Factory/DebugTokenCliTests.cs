using System.Security.Cryptography;
using Iris.Camera.Debug;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// Issue 13, point 7: the vendor's half of debug access as the README runs it, the `iris-factory` program with the
/// debug key inside a PKCS#11 token (SoftHSM2). The token it prints is what the camera's verifier accepts, for that
/// serial and nonce only, and for no longer than asked; the private key never exists as a file.
/// </summary>
public sealed class DebugTokenCliTests
{
    private const string SoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";

    [Fact]
    public async Task DebugTokenIssue_WithTheKeyInAToken_SignsATokenTheCameraVerifies_ForOneSerialAndNonce()
    {
        using var dir = new TempDirectory();
        var environment = await InitTokenAsync(dir, "debug-key");
        var keys = dir.Combine("debug");

        var key = await RunAsync(environment, "debug-token", "key", "--keys", keys, "--pkcs11-module", SoftHsmModule, "--token-label", "debug-key");
        var issued = await RunAsync(environment, "debug-token", "issue", "--keys", keys, "--serial", "IC2-0000001K7", "--nonce", "n0nce-from-device", "--hours", "2");
        var tooLong = await RunAsync(environment, "debug-token", "issue", "--keys", keys, "--serial", "IC2-0000001K7", "--nonce", "n", "--hours", "25");

        Assert.True(key.Exit == 0, key.Error);
        Assert.True(issued.Exit == 0, issued.Error);
        Assert.False(File.Exists(Path.Combine(keys, "debug.pem")), "the debug key lives in the token only");
        using var vendorKey = ECDsa.Create();
        vendorKey.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(keys, "debug.pub.pem")));
        var grant = DebugToken.Verify(issued.Output.Trim(), vendorKey);
        Assert.NotNull(grant);
        Assert.Equal(("IC2-0000001K7", "n0nce-from-device", 2 * 3600L), (grant.Serial, grant.Nonce, grant.ExpiresAt - grant.IssuedAt));
        // Control: another key does not verify it.
        using var stranger = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        Assert.Null(DebugToken.Verify(issued.Output.Trim(), stranger));
        Assert.NotEqual(0, tooLong.Exit);
        Assert.Contains("--hours must be more than 0 and at most 24", tooLong.Error, StringComparison.Ordinal);
    }

    private static async Task<(int Exit, string Output, string Error)> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        using var process = ChildProcess.Start("Iris.Factory", args, environment);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, process.StandardOutput, process.StandardError);
    }

    /// <summary>A SoftHSM2 token store of the child process's own (PIN 314159), as the README's station set-up makes one.</summary>
    private static async Task<Dictionary<string, string>> InitTokenAsync(TempDirectory dir, string label)
    {
        var tokens = dir.Combine("tokens");
        Directory.CreateDirectory(tokens);
        var config = dir.Combine("softhsm2.conf");
        await File.WriteAllTextAsync(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        var environment = new Dictionary<string, string> { ["SOFTHSM2_CONF"] = config, ["IRIS_PKCS11_PIN"] = "314159" };
        using var init = ChildProcess.StartExecutable("softhsm2-util", ["--init-token", "--free", "--label", label, "--pin", "314159", "--so-pin", "271828"], environment);
        Assert.Equal(0, await init.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        return environment;
    }
}
