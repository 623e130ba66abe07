using System.Security.Cryptography.X509Certificates;
using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using Iris.Camera.Platform;
using Iris.Camera.Hosting;
using Iris.Camera.Identity;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Identity;

/// <summary>IoT-1005-1 5.1.1.1 (unique identifier) and 5.1.1.2 (unique keys).</summary>
public sealed class DeviceIdentityTests
{
    [Fact]
    public async Task TwoFreshDataDirectories_YieldDifferentSerialsKeysAndCertificates()
    {
        await using var first = await InProcessCamera.StartAsync();
        await using var second = await InProcessCamera.StartAsync();

        var a = first.App.Services.GetRequiredService<DeviceIdentity>();
        var b = second.App.Services.GetRequiredService<DeviceIdentity>();

        Assert.NotEqual(a.Serial, b.Serial);
        Assert.NotEqual(a.Certificate.Thumbprint, b.Certificate.Thumbprint);
        Assert.NotEqual(a.Certificate.GetPublicKey(), b.Certificate.GetPublicKey());
        using var keyA = a.Certificate.GetECDsaPrivateKey()!;
        using var keyB = b.Certificate.GetECDsaPrivateKey()!;
        Assert.NotEqual(keyA.ExportParameters(true).D, keyB.ExportParameters(true).D);
    }

    [Fact]
    public async Task DevelopmentIdentity_IsMarkedAndItsCertificateNamesTheSerial()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var identity = camera.App.Services.GetRequiredService<DeviceIdentity>();

        Assert.StartsWith(SerialNumber.DevelopmentPrefix, identity.Serial, StringComparison.Ordinal);
        Assert.Equal(IdentityOrigin.Development, identity.Origin);
        Assert.Equal(identity.Serial, DeviceCertificate.SerialOf(identity.Certificate));
        Assert.Contains("CN=" + identity.Serial, identity.Certificate.Subject, StringComparison.Ordinal);
        using var key = identity.Certificate.GetECDsaPublicKey()!;
        Assert.Equal(ECCurve.NamedCurves.nistP256.Oid.Value, key.ExportParameters(false).Curve.Oid.Value);
    }

    [Fact]
    public async Task Identity_SurvivesRestart()
    {
        using var data = new TempDirectory();
        string serial;
        string thumbprint;
        await using (var first = await InProcessCamera.StartAsync(data.Path))
        {
            var identity = first.App.Services.GetRequiredService<DeviceIdentity>();
            (serial, thumbprint) = (identity.Serial, identity.Certificate.Thumbprint);
        }

        await using var second = await InProcessCamera.StartAsync(data.Path);
        var reloaded = second.App.Services.GetRequiredService<DeviceIdentity>();

        Assert.Equal(serial, reloaded.Serial);
        Assert.Equal(thumbprint, reloaded.Certificate.Thumbprint);
    }

    [Fact]
    public async Task DeviceEndpoint_ServesSerialModelAndVersion_WithoutLogin()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var identity = camera.App.Services.GetRequiredService<DeviceIdentity>();

        using var response = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
        var body = await response.Content.ReadAsStringAsync();
        var info = System.Text.Json.JsonSerializer.Deserialize<DeviceInfo>(body, System.Text.Json.JsonSerializerOptions.Web);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(identity.Serial, info!.Serial);
        Assert.Equal("Iris Camera DEV", info.Model);
        Assert.Matches(@"^\d+\.\d+\.\d+", info.SoftwareVersion);
        Assert.Contains("\"identity\":\"development\"", body, StringComparison.Ordinal);
        Assert.DoesNotContain("PRIVATE", body, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task HttpsCertificate_IsTheDeviceCertificate()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var identity = camera.App.Services.GetRequiredService<DeviceIdentity>();

        // The client is pinned to the certificate file; a successful request proves Kestrel presented it.
        var info = await camera.Client.GetFromJsonAsync<DeviceInfo>(new Uri("/api/device", UriKind.Relative));

        Assert.Equal(identity.Certificate.Thumbprint, camera.Certificate.Thumbprint);
        Assert.Equal(identity.Serial, info!.Serial);
    }

    [Fact]
    public void DevelopmentSerials_AreRandomAndWellFormed()
    {
        var serials = Enumerable.Range(0, 1000).Select(_ => SerialNumber.NewDevelopment()).ToList();

        Assert.Equal(serials.Count, serials.Distinct(StringComparer.Ordinal).Count());
        Assert.All(serials, s => Assert.True(SerialNumber.IsValid(s), s));
        Assert.All(serials, s => Assert.DoesNotMatch("[ILOU]", s[SerialNumber.DevelopmentPrefix.Length..]));
    }
}
