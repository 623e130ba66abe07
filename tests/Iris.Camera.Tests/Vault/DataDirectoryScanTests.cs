using System.Security.Cryptography.X509Certificates;
using System.Security.Cryptography;
using System.Text;
using Iris.Camera.Identity;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Vault;

/// <summary>Greps every file the daemon wrote for the private key and other secrets in any plain encoding.</summary>
public sealed class DataDirectoryScanTests
{
    [Fact]
    public async Task NoFileInTheDataDirectory_HoldsThePrivateKeyOrASecretInPlaintext()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var identity = camera.App.Services.GetRequiredService<DeviceIdentity>();
        var vault = camera.App.Services.GetRequiredService<SecretVault>();
        var secretMarker = RandomNumberGenerator.GetBytes(32);
        vault.Seal("scan-test-secret", secretMarker);
        using var _ = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));

        using var key = identity.Certificate.GetECDsaPrivateKey()!;
        var scalar = key.ExportParameters(includePrivateParameters: true).D!;
        var pkcs8 = key.ExportPkcs8PrivateKey();
        var forbidden = new List<(string What, byte[] Bytes)>
        {
            ("private scalar", scalar),
            ("private scalar (hex)", Encoding.ASCII.GetBytes(Convert.ToHexString(scalar))),
            ("private scalar (hex, lower)", Encoding.ASCII.GetBytes(Convert.ToHexStringLower(scalar))),
            ("private scalar (base64)", Encoding.ASCII.GetBytes(Convert.ToBase64String(scalar))),
            ("PKCS#8 DER", pkcs8),
            ("PKCS#8 base64", Encoding.ASCII.GetBytes(Convert.ToBase64String(pkcs8)[..40])),
            ("PEM private key header", Encoding.ASCII.GetBytes("PRIVATE KEY")),
            ("sealed secret", secretMarker),
            ("sealed secret (hex)", Encoding.ASCII.GetBytes(Convert.ToHexString(secretMarker))),
        };

        var files = Directory.GetFiles(camera.DataDirectory, "*", SearchOption.AllDirectories);
        Assert.Contains(files, f => f.EndsWith("iris.db", StringComparison.Ordinal));
        Assert.Contains(files, f => f.EndsWith("device-key.sealed", StringComparison.Ordinal));
        foreach (var file in files)
        {
            var content = File.ReadAllBytes(file);
            foreach (var (what, bytes) in forbidden)
            {
                Assert.True(content.AsSpan().IndexOf(bytes) < 0, $"{Path.GetRelativePath(camera.DataDirectory, file)} contains the {what}");
            }
        }
    }

    [Fact]
    public async Task StorageKey_AppearsOnlyInItsOwnFile()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var keyFile = Path.Combine(camera.DataDirectory, "keys", "storage.key");
        var storageKey = File.ReadAllBytes(keyFile).AsSpan(5, 32).ToArray();

        foreach (var file in Directory.GetFiles(camera.DataDirectory, "*", SearchOption.AllDirectories).Where(f => f != keyFile))
        {
            Assert.True(File.ReadAllBytes(file).AsSpan().IndexOf(storageKey) < 0, $"{file} contains the storage key");
        }
    }
}
