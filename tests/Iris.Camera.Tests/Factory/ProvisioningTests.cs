using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Text.Json.Nodes;
using Iris.Camera.Tests.Support;
using Iris.Factory.Provisioning;

namespace Iris.Camera.Tests.Factory;

/// <summary>Issue 13, point 1: serials, device keys and certificates from the factory line (5.1.1.1, 5.1.1.2, 5.1.3.1).</summary>
public sealed class ProvisioningTests
{
    private static readonly string[] Stations = ["A", "B"];

    [Fact]
    public async Task BatchOfTwo_WithTheDeviceCaInAToken_YieldsTwoSerialsKeysAndChainsThatVerifyAgainstTheVendorRoot()
    {
        using var line = await ProvisioningLine.CreateAsync(tokenKey: true, count: 2);
        var output = line.Dir.Combine("out");

        await line.ProvisionBatchAsync(output);

        using var manifest = JsonDocument.Parse(File.ReadAllText(Path.Combine(output, "manifest.json")));
        var devices = manifest.RootElement.GetProperty("devices").EnumerateArray().ToList();
        Assert.Equal(2, devices.Count);
        var serials = devices.Select(d => d.GetProperty("serial").GetString()!).ToList();
        Assert.Equal(2, serials.Distinct().Count());
        Assert.All(serials, s => Assert.Matches("^IC2-[0-9A-HJKMNP-TV-Z]{9}$", s));
        Assert.DoesNotContain("password", File.ReadAllText(Path.Combine(output, "manifest.json")), StringComparison.OrdinalIgnoreCase);

        using var root = line.Root;
        var publicKeys = new List<string>();
        foreach (var device in devices)
        {
            var serial = device.GetProperty("serial").GetString()!;
            var package = Path.Combine(output, "devices", serial, "provisioning");
            var certificates = new X509Certificate2Collection();
            certificates.ImportFromPemFile(Path.Combine(package, "device-cert.pem"));
            Assert.Equal(2, certificates.Count);
            var leaf = certificates[0];
            Assert.Equal(device.GetProperty("certificateSha256").GetString(), Convert.ToHexStringLower(SHA256.HashData(leaf.RawData)));
            Assert.Contains("CN=" + serial, leaf.Subject, StringComparison.Ordinal);
            Assert.True(Verifies(leaf, root, certificates[1]), $"{serial}'s chain does not verify against the vendor root");
            using var key = ECDsa.Create();
            key.ImportFromPem(File.ReadAllText(Path.Combine(package, "device-key.pem")));
            Assert.Equal(leaf.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), key.ExportSubjectPublicKeyInfo());
            publicKeys.Add(Convert.ToHexString(key.ExportSubjectPublicKeyInfo()));
            Assert.DoesNotContain(line.PasswordOnLabel(serial), string.Concat(Directory.EnumerateFiles(package).Select(File.ReadAllText)), StringComparison.Ordinal);
        }

        Assert.Equal(2, publicKeys.Distinct().Count());
        using var other = X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(line.Ca, "deviceca.cert.pem")));
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = new CertificateRequest("CN=Stranger Root", strangerKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var firstPackage = Path.Combine(output, "devices", serials[0], "provisioning", "device-cert.pem");
        using var firstLeaf = X509Certificate2.CreateFromPem(File.ReadAllText(firstPackage));
        Assert.False(Verifies(firstLeaf, stranger, other), "a chain must not verify against another root");
    }

    [Fact]
    public async Task ReRunningAnOrder_NeverReusesASerial()
    {
        using var line = await ProvisioningLine.CreateAsync(count: 2);

        await line.ProvisionBatchAsync(line.Dir.Combine("run1"));
        await line.ProvisionBatchAsync(line.Dir.Combine("run2"));

        var first = Directory.GetDirectories(line.Dir.Combine("run1", "devices")).Select(Path.GetFileName).ToHashSet();
        var second = Directory.GetDirectories(line.Dir.Combine("run2", "devices")).Select(Path.GetFileName).ToHashSet();
        Assert.Equal(2, first.Count);
        Assert.Equal(2, second.Count);
        Assert.Empty(first.Intersect(second));
    }

    [Fact]
    public async Task TwoConcurrentStations_OnOneLedger_NeverIssueTheSameSerial()
    {
        using var line = await ProvisioningLine.CreateAsync(count: 3);
        var stations = Stations.Select(station => line.RunAsync(
            "provision", "--order", line.Dir.Combine("order.json"), "--ca", line.Ca, "--ledger", line.Ledger,
            "--labels", line.Dir.Combine("labels-" + station), "--out", line.Dir.Combine("out-" + station), "--station", station));
        await Task.WhenAll(stations);

        var issued = Stations.SelectMany(s => Directory.GetDirectories(line.Dir.Combine("out-" + s, "devices")).Select(Path.GetFileName)).ToList();
        Assert.Equal(6, issued.Count);
        Assert.Equal(6, issued.Distinct().Count());
    }

    [Fact]
    public void LedgerUnderContention_FromManyConnections_IssuesEverySerialOnce()
    {
        using var dir = new TempDirectory();
        var path = dir.Combine("ledger.db");
        using (SerialLedger.Open(path))
        {
        }

        var issued = new System.Collections.Concurrent.ConcurrentBag<string>();
        Parallel.For(0, 4, new ParallelOptions { MaxDegreeOfParallelism = 4 }, station =>
        {
            using var ledger = SerialLedger.Open(path);
            for (var i = 0; i < 50; i++)
            {
                issued.Add(ledger.Issue("IC2", $"station-{station}", "PO-1", DateTimeOffset.UnixEpoch));
            }
        });

        Assert.Equal(200, issued.Count);
        Assert.Equal(200, issued.Distinct().Count());
        using var reopened = SerialLedger.Open(path);
        Assert.Equal(issued.Order(StringComparer.Ordinal), reopened.AllSerials());
    }

    [Fact]
    public async Task ProvisionedCamera_StartsServesItsChainAcceptsTheLabelPasswordAndNeverPrintsIt()
    {
        using var line = await ProvisioningLine.CreateAsync(count: 1);
        using var data = new TempDirectory();
        var serial = (await line.ProvisionDeviceAsync(data.Path)).Split(' ')[0];
        var password = line.PasswordOnLabel(serial);
        Assert.Equal(24, password.Length);

        using var camera = await CameraProcess.StartAsync(data.Path);
        var rootPath = Path.Combine(line.Dir.Combine("root"), "root-ca.cert.pem");
        var handshake = await OpenSslClient.ConnectAsync(camera.Port, "-showcerts", "-CAfile", rootPath, "-verify_return_error");

        Assert.True(handshake.Established, handshake.Output);
        Assert.Contains("Verify return code: 0 (ok)", handshake.Output, StringComparison.Ordinal);
        Assert.Equal(2, handshake.Output.Split("-----BEGIN CERTIFICATE-----").Length - 1);
        Assert.Contains("CN=" + serial, camera.Certificate.Subject, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(data.Path, "provisioning")), "the package (with the station's copy of the key) must be gone");
        Assert.Null(camera.DefaultPassword);

        using var claimed = await CameraSessions.ClaimAsync(camera.BaseAddress, camera.Certificate, password, "correct horse battery staple 2026");
        var everything = camera.Process.StandardOutput + camera.Process.StandardError;
        Assert.DoesNotContain(password, everything, StringComparison.Ordinal);
        Assert.DoesNotContain(password.Replace("-", "", StringComparison.Ordinal), everything, StringComparison.Ordinal);
        Assert.Contains(serial, everything, StringComparison.Ordinal);
    }

    [Fact]
    public async Task SigningRequestMode_TheDeviceKeyNeverLeavesTheDevice()
    {
        using var line = await ProvisioningLine.CreateAsync(count: 1);
        using var data = new TempDirectory();
        using (var request = ChildProcess.Start("Iris.Camera", ["--data-dir", data.Path, "--provisioning", "request"]))
        {
            Assert.Equal(0, await request.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        }

        var csr = CertificateRequest.LoadSigningRequestPem(File.ReadAllText(Path.Combine(data.Path, "provisioning", "device.csr")), HashAlgorithmName.SHA256);
        var serial = (await line.ProvisionDeviceAsync(data.Path)).Split(' ')[0];
        Assert.False(File.Exists(Path.Combine(data.Path, "provisioning", "device-key.pem")), "with a request, the station makes no key");

        using var camera = await CameraProcess.StartAsync(data.Path);
        Assert.Contains("CN=" + serial, camera.Certificate.Subject, StringComparison.Ordinal);
        Assert.Equal(csr.PublicKey.EncodedKeyValue.RawData, camera.Certificate.PublicKey.EncodedKeyValue.RawData);
        using var status = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
        Assert.Contains(ProvisioningLine.Model, await status.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/usr/lib/no-such-token/libpkcs11.so", "does not exist")]
    [InlineData("/etc/hostname", "could not be loaded")]
    public async Task CaKey_WithAPkcs11ModuleThatIsNotThere_SaysSo_AndExitsNonZero(string module, string message)
    {
        using var dir = new TempDirectory();
        var output = new StringWriter();
        var error = new StringWriter();

        var exit = await Iris.Factory.FactoryCli.RunAsync(["ca", "key", "--ca", dir.Combine("ca"), "--pkcs11-module", module, "--token-label", "factory"], output, error);

        Assert.Equal(Iris.Factory.FactoryCli.Failed, exit);
        Assert.StartsWith($"iris-factory: The PKCS#11 module '{module}' ", error.ToString(), StringComparison.Ordinal);
        Assert.Contains(message, error.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AProvisionedCamera_ReportsTheVendorItsLabelPrints_NotTheImagesDefault()
    {
        using var line = await ProvisioningLine.CreateAsync(count: 1);
        using var data = new TempDirectory();
        var serial = (await line.ProvisionDeviceAsync(data.Path)).Split(' ')[0];

        // The image's setting says "Iris"; the order (and so the label and the certificate) says "Iris Labs".
        using var camera = await CameraProcess.StartAsync(data.Path, environment: new Dictionary<string, string> { ["Iris__Device__Vendor"] = "Iris" });
        using var status = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
        using var device = System.Text.Json.JsonDocument.Parse(await status.Content.ReadAsStringAsync());

        Assert.Equal(ProvisioningLine.Vendor, device.RootElement.GetProperty("vendor").GetString());
        Assert.Equal(serial, device.RootElement.GetProperty("serial").GetString());
        Assert.Contains(ProvisioningLine.Vendor, await File.ReadAllTextAsync(Path.Combine(line.Labels, serial + ".svg")), StringComparison.Ordinal);
    }

    [Fact]
    public async Task ProvisioningADeviceTwice_IsRefused_AndTheCameraNeverReplacesItsIdentity()
    {
        using var line = await ProvisioningLine.CreateAsync(count: 1);
        using var data = new TempDirectory();
        await line.ProvisionDeviceAsync(data.Path);

        using var again = ChildProcess.Start("Iris.Factory",
            ["provision", "--order", line.Dir.Combine("order.json"), "--ca", line.Ca, "--ledger", line.Ledger, "--labels", line.Labels, "--device", data.Path]);
        Assert.NotEqual(0, await again.WaitForExitAsync(TimeSpan.FromSeconds(60)));
        Assert.Contains("already has an identity", again.StandardError, StringComparison.Ordinal);
    }

    [Fact]
    public async Task TamperedPackages_AreRefusedBeforeAnythingIsCommitted_AndTheGoodPackageStillImports()
    {
        using var line = await ProvisioningLine.CreateAsync(count: 1);
        using var data = new TempDirectory();
        var serial = (await line.ProvisionDeviceAsync(data.Path)).Split(' ')[0];
        var package = Path.Combine(data.Path, "provisioning");
        var keyPath = Path.Combine(package, "device-key.pem");
        var hashPath = Path.Combine(package, "default-password-hash.json");
        var goodKey = await File.ReadAllTextAsync(keyPath);
        var goodHash = await File.ReadAllTextAsync(hashPath);
        var vendorRoot = new Dictionary<string, string> { ["Iris__Device__VendorRootCertificateFile"] = Path.Combine(line.Dir.Combine("root"), "root-ca.cert.pem") };

        // A key that is not the certificate's: refused before the identity is committed, so the device is not lost.
        using (var other = ECDsa.Create(ECCurve.NamedCurves.nistP256))
        {
            await File.WriteAllTextAsync(keyPath, other.ExportPkcs8PrivateKeyPem());
        }

        await AssertStartRefusedAsync(data.Path, "does not belong to the provisioned device certificate", vendorRoot);
        await File.WriteAllTextAsync(keyPath, goodKey);

        // A default-password hash so costly that every sign-in would take minutes.
        var hash = JsonNode.Parse(goodHash)!.AsObject();
        hash["Iterations"] = int.MaxValue;
        await File.WriteAllTextAsync(hashPath, hash.ToJsonString());
        await AssertStartRefusedAsync(data.Path, "default-password hash", vendorRoot);
        await File.WriteAllTextAsync(hashPath, goodHash);

        // A device certificate that does not chain to the vendor root the image names.
        using var strangerKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var stranger = new CertificateRequest("CN=Some other CA", strangerKey, HashAlgorithmName.SHA256)
            .CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
        var strangerPath = Path.Combine(data.Path, "..", Path.GetFileName(data.Path) + "-stranger-root.pem");
        await File.WriteAllTextAsync(strangerPath, stranger.ExportCertificatePem());
        try
        {
            await AssertStartRefusedAsync(data.Path, "does not chain to the vendor root",
                new Dictionary<string, string> { ["Iris__Device__VendorRootCertificateFile"] = strangerPath });
        }
        finally
        {
            File.Delete(strangerPath);
        }

        using var camera = await CameraProcess.StartAsync(data.Path, environment: vendorRoot);
        Assert.Contains("CN=" + serial, camera.Certificate.Subject, StringComparison.Ordinal);
        Assert.False(Directory.Exists(package));
    }

    private static async Task AssertStartRefusedAsync(string dataDirectory, string reason, IDictionary<string, string> environment)
    {
        using var camera = ChildProcess.Start("Iris.Camera", ["--data-dir", dataDirectory, "--listen", "127.0.0.1:0"], environment);
        var exit = await camera.WaitForExitAsync(TimeSpan.FromSeconds(60));
        Assert.NotEqual(0, exit);
        Assert.Contains(reason, camera.StandardOutput + camera.StandardError, StringComparison.Ordinal);
        Assert.True(Directory.Exists(Path.Combine(dataDirectory, "provisioning")), "a refused package stays for the station to replace");
    }

    private static bool Verifies(X509Certificate2 leaf, X509Certificate2 root, X509Certificate2 intermediate)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(root);
        chain.ChainPolicy.ExtraStore.Add(intermediate);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        return chain.Build(leaf);
    }
}
