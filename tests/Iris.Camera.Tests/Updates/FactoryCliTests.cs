using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// The vendor's side (issue 5, deliver 2): Iris.Factory as a real process. Root and targets keys are created
/// inside a PKCS#11 token (SoftHSM2, made by this test) and never exist as files; the repository it publishes
/// is accepted by the same client the device runs. Bad input gets a message and a non-zero exit.
/// </summary>
public sealed class FactoryCliTests
{
    private const string SoftHsmModule = "/usr/lib/softhsm/libsofthsm2.so";

    [Fact]
    public async Task KeysInAToken_SignARepository_ThatVerifiesAsOnADevice()
    {
        using var dir = new TempDirectory();
        var environment = await CreateTokenAsync(dir);

        await RunAsync(environment, "keys", "generate", "--out", dir.Combine("keys"), "--role", "root", "--role", "targets",
            "--pkcs11-module", SoftHsmModule, "--token-label", "iris-factory");
        await RunAsync(environment, "keys", "generate", "--out", dir.Combine("keys"), "--role", "snapshot", "--role", "timestamp");
        await RunAsync(environment, "update-key", "generate", "--out", dir.Combine("fleet"));
        await RunAsync(environment, "repo", "init", "--repo", dir.Combine("repo"), "--keys", dir.Combine("keys"));
        var app = dir.Combine("app");
        Directory.CreateDirectory(app);
        await File.WriteAllTextAsync(Path.Combine(app, "Iris.Camera"), "#!/bin/sh\n");
        File.SetUnixFileMode(Path.Combine(app, "Iris.Camera"), (UnixFileMode)0x1ED);
        var published = await RunAsync(environment, "release", "--repo", dir.Combine("repo"), "--keys", dir.Combine("keys"), "--from", app,
            "--model", "Iris Camera DEV", "--version", "0.3.0", "--security-version", "4", "--support-end", "2033-01-31",
            "--recipient", dir.Combine("fleet.pub.pem"), "--no-cve-gate", "token keys test: no NVD mirror");
        var verified = await RunAsync(environment, "verify", "--repo", dir.Combine("repo"), "--root", dir.Combine("repo", "metadata", "1.root.json"));

        Assert.Contains("published iris-camera-0.3.0.irfw", published, StringComparison.Ordinal);
        Assert.Contains("iris-camera-0.3.0.irfw: 0.3.0 (security 4, support until 2033-01-31) for Iris Camera DEV", verified, StringComparison.Ordinal);
        // The token-held keys exist only as references; no private key file was ever written for them.
        Assert.False(File.Exists(dir.Combine("keys", "root.pem")));
        Assert.True(File.Exists(dir.Combine("keys", "root.pkcs11.json")));
        Assert.DoesNotContain("PRIVATE", await File.ReadAllTextAsync(dir.Combine("keys", "root.pkcs11.json")), StringComparison.Ordinal);
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Combine("keys", "snapshot.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dir.Combine("fleet.pem")));
    }

    [Fact]
    public async Task ReleaseGate_PassesTheCameraBuild_AndStopsSecretsAndUndeclaredEndpoints()
    {
        using var dir = new TempDirectory();
        var camera = dir.Combine("camera");
        CameraApplication.Copy(CameraApplication.BuildOutput, camera);
        var bad = dir.Combine("bad");
        CameraApplication.Copy(CameraApplication.BuildOutput, bad);
        await File.WriteAllTextAsync(Path.Combine(bad, "debug.pem"), "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n");
        await File.WriteAllTextAsync(Path.Combine(bad, "appsettings.Vendor.json"), "{ \"Cloud\": { \"Url\": \"https://203.0.113.7/collect\", \"Token\": \"s3cr3t\" } }");
        var environment = new Dictionary<string, string>();

        var clean = await RunRawAsync(environment, "gate", "--from", camera);
        var dirty = await RunRawAsync(environment, "gate", "--from", bad);

        Assert.True(clean.Exit == 0, clean.Error);
        Assert.NotEqual(0, dirty.Exit);
        Assert.Contains("debug.pem: contains a private key", dirty.Error, StringComparison.Ordinal);
        Assert.Contains("undeclared endpoint https://203.0.113.7", dirty.Error, StringComparison.Ordinal);
        Assert.Contains("credential in settings (Token)", dirty.Error, StringComparison.Ordinal);

        // The same check runs inside release: nothing is published.
        await RunAsync(environment, "keys", "generate", "--out", dir.Combine("keys"));
        await RunAsync(environment, "update-key", "generate", "--out", dir.Combine("fleet"));
        await RunAsync(environment, "repo", "init", "--repo", dir.Combine("repo"), "--keys", dir.Combine("keys"));
        var release = await RunRawAsync(environment, "release", "--repo", dir.Combine("repo"), "--keys", dir.Combine("keys"), "--from", bad, "--entry", "Iris.Camera.dll",
            "--model", "Iris Camera DEV", "--version", "0.3.0", "--security-version", "1", "--support-end", "2033-01-31", "--recipient", dir.Combine("fleet.pub.pem"),
            "--no-cve-gate", "secret gate test: no NVD mirror");
        Assert.NotEqual(0, release.Exit);
        Assert.Contains("nothing was published", release.Error, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(dir.Combine("repo", "targets")));
    }

    [Fact]
    public async Task WithoutThePin_TokenKeysCannotSign()
    {
        using var dir = new TempDirectory();
        var environment = await CreateTokenAsync(dir);
        await RunAsync(environment, "keys", "generate", "--out", dir.Combine("keys"), "--pkcs11-module", SoftHsmModule, "--token-label", "iris-factory");
        environment.Remove("IRIS_PKCS11_PIN");

        var (exit, _, error) = await RunRawAsync(environment, "repo", "init", "--repo", dir.Combine("repo"), "--keys", dir.Combine("keys"));

        Assert.NotEqual(0, exit);
        Assert.Contains("IRIS_PKCS11_PIN", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dir.Combine("repo", "metadata")) && Directory.EnumerateFiles(dir.Combine("repo", "metadata")).Any());
    }

    [Theory]
    [InlineData("release --repo R --keys K --from A --model M --version 1.0.0 --security-version 1 --support-end 31/12/2030 --recipient P", "--support-end must be a date")]
    [InlineData("release --repo R --keys K --from A --model M --version 1.0.0 --security-version 1 --recipient P", "--support-end")]
    [InlineData("release --repo R --keys K --from nowhere --model M --version 1.0.0 --security-version 1 --support-end 2030-12-31 --recipient fleet.pub.pem", "'nowhere' is not a directory")]
    [InlineData("repo init --repo R --keys empty-keys", "No key for role")]
    [InlineData("keys generate --out K --role owner", "Unknown role 'owner'")]
    public async Task BadInput_GetsAMessage_AndANonZeroExit(string arguments, string message)
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(dir.Combine("empty-keys"));
        var environment = new Dictionary<string, string>();
        await RunAsync(environment, "update-key", "generate", "--out", dir.Combine("fleet"));
        var args = arguments.Split(' ').Select(a => a switch
        {
            "R" => dir.Combine("repo"),
            "K" => dir.Combine("keys"),
            "A" => dir.Combine("app"),
            "P" or "fleet.pub.pem" => dir.Combine("fleet.pub.pem"),
            "empty-keys" => dir.Combine("empty-keys"),
            "nowhere" => "nowhere",
            _ => a,
        }).ToArray();
        Directory.CreateDirectory(dir.Combine("keys"));

        var (exit, output, error) = await RunRawAsync(environment, args);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
    }

    private static async Task<Dictionary<string, string>> CreateTokenAsync(TempDirectory dir)
    {
        var tokens = dir.Combine("tokens");
        Directory.CreateDirectory(tokens);
        var config = dir.Combine("softhsm2.conf");
        await File.WriteAllTextAsync(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        var environment = new Dictionary<string, string> { ["SOFTHSM2_CONF"] = config, ["IRIS_PKCS11_PIN"] = "314159" };
        using var init = ChildProcess.StartExecutable("softhsm2-util", ["--init-token", "--free", "--label", "iris-factory", "--pin", "314159", "--so-pin", "271828"], environment);
        Assert.Equal(0, await init.WaitForExitAsync(TimeSpan.FromSeconds(30)));
        return environment;
    }

    private static async Task<string> RunAsync(Dictionary<string, string> environment, params string[] args)
    {
        var (exit, output, error) = await RunRawAsync(environment, args);
        Assert.True(exit == 0, $"iris-factory {string.Join(' ', args)} exited {exit}:\n{output}\n{error}");
        return output;
    }

    private static async Task<(int Exit, string Output, string Error)> RunRawAsync(Dictionary<string, string> environment, params string[] args)
    {
        using var process = ChildProcess.Start("Iris.Factory", args, environment);
        var exit = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));
        return (exit, process.StandardOutput, process.StandardError);
    }
}
