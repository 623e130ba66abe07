using System.Diagnostics;
using System.Runtime.InteropServices;
using BenchmarkDotNet.Attributes;
using Iris.Camera.Vault;

namespace Iris.Bench;

/// <summary>
/// Seal and unseal cost of the vault (in memory: no disk I/O) with the file key provider and with the PKCS#11
/// provider on a SoftHSM2 token (the token wraps and unwraps each item's data key with AES-GCM). The token is
/// made by the setup (Debian package softhsm2); on a board a TPM or secure element is slower still.
/// </summary>
[MemoryDiagnoser]
public partial class VaultBenchmarks : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "iris-bench-" + Guid.NewGuid().ToString("N"));
    private IStorageKeyProvider _provider = null!;
    private byte[] _secret = null!;
    private byte[] _sealed = null!;

    [Params("file", "pkcs11")]
    public string Provider { get; set; } = "file";

    [Params(32, 4096)]
    public int SecretBytes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        Directory.CreateDirectory(_directory);
        _provider = Provider == "file"
            ? FileStorageKeyProvider.OpenOrCreate(Path.Combine(_directory, "storage.key"), sealedItemsExist: false)
            : Pkcs11StorageKeyProvider.Open(SoftHsmToken(), tokenSealedItemsExist: false);
        _secret = System.Security.Cryptography.RandomNumberGenerator.GetBytes(SecretBytes);
        _sealed = SealedItem.Seal("bench-item", _secret, _provider);
    }

    [Benchmark]
    public byte[] Seal() => SealedItem.Seal("bench-item", _secret, _provider);

    [Benchmark]
    public int Unseal()
    {
        using var read = SealedItem.Open("bench-item", _sealed, _provider);
        return read.Status == VaultReadStatus.Ok ? read.Secret.Length : -1;
    }

    [GlobalCleanup]
    public void Dispose()
    {
        _provider?.Dispose();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        GC.SuppressFinalize(this);
    }

    private Pkcs11VaultOptions SoftHsmToken()
    {
        var tokens = Path.Combine(_directory, "tokens");
        Directory.CreateDirectory(tokens);
        var config = Path.Combine(_directory, "softhsm2.conf");
        File.WriteAllText(config, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\n");
        _ = SetEnv("SOFTHSM2_CONF", config, 1);
        var init = new ProcessStartInfo("softhsm2-util") { ArgumentList = { "--init-token", "--free", "--label", "iris-bench", "--pin", "1234", "--so-pin", "5678" } };
        init.Environment["SOFTHSM2_CONF"] = config;
        Process.Start(init)!.WaitForExit();
        var pin = Path.Combine(_directory, "pin");
        File.WriteAllText(pin, "1234");
        return new Pkcs11VaultOptions { Module = "/usr/lib/softhsm/libsofthsm2.so", TokenLabel = "iris-bench", PinFile = pin };
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);
}
