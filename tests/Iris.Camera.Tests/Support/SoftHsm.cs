using System.Diagnostics;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// A SoftHSM2 token store for this test process. SoftHSM reads its configuration and finds its tokens when the
/// module is first initialised, and a process initialises a module once, so the store and a pool of tokens are
/// made up front; each test takes a token of its own.
/// </summary>
public static partial class SoftHsm
{
    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    public const string Module = "/usr/lib/softhsm/libsofthsm2.so";
    public const string Pin = "246810";
    private const int Tokens = 12;
    private static int _next;

    private static readonly Lazy<string> Store = new(() =>
    {
        var root = Path.Combine(Path.GetTempPath(), $"iris-softhsm-{Environment.ProcessId}");
        Directory.CreateDirectory(Path.Combine(root, "tokens"));
        var config = Path.Combine(root, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {Path.Combine(root, "tokens")}\nobjectstore.backend = file\nlog.level = ERROR\n");
        // .NET keeps its own copy of the environment on Linux; the native module reads the C one.
        Environment.SetEnvironmentVariable("SOFTHSM2_CONF", config);
        if (SetEnv("SOFTHSM2_CONF", config, 1) != 0)
        {
            throw new InvalidOperationException("setenv failed");
        }
        for (var i = 1; i <= Tokens; i++)
        {
            var start = new ProcessStartInfo("softhsm2-util") { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var arg in new[] { "--init-token", "--free", "--label", $"iris-test-{i}", "--pin", Pin, "--so-pin", "13579111" })
            {
                start.ArgumentList.Add(arg);
            }

            start.Environment["SOFTHSM2_CONF"] = config;
            using var process = Process.Start(start)!;
            process.WaitForExit();
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"softhsm2-util failed: {process.StandardError.ReadToEnd()}");
            }
        }

        File.WriteAllText(Path.Combine(root, "pin"), Pin);
        return root;
    });

    public static string PinFile => Path.Combine(Store.Value, "pin");

    /// <summary>A token no other test uses.</summary>
    public static string TakeToken()
    {
        _ = Store.Value;
        var n = Interlocked.Increment(ref _next);
        return n <= Tokens ? $"iris-test-{n}" : throw new InvalidOperationException("Out of SoftHSM test tokens; raise Tokens.");
    }

    /// <summary>Camera settings that put the vault's storage key in <paramref name="token"/>.</summary>
    public static Dictionary<string, string?> VaultSettings(string token) => new()
    {
        ["Iris:Vault:Provider"] = "pkcs11",
        ["Iris:Vault:Pkcs11:Module"] = Module,
        ["Iris:Vault:Pkcs11:TokenLabel"] = token,
        ["Iris:Vault:Pkcs11:PinFile"] = PinFile,
    };
}
