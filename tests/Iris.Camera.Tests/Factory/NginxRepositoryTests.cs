using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;
using Iris.Camera.Updates;
using Iris.Firmware.Agent;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// Issue 13, point 8: the nginx server block of src/Iris.Factory/README.md, taken from the README as it is written
/// (only the port, certificate files and root replaced), serves a repository a device checks, resumes a download
/// from and accepts, with the Cache-Control values the guide gives and a 404 for the missing next root.
/// </summary>
public sealed class NginxRepositoryTests
{
    [Fact]
    public async Task TheReadmesNginxExample_ServesARepository_ADeviceUpdatesFrom_WithRangesAnd404AndTheCacheHeaders()
    {
        await using var repository = new UpdateTestRepository();
        var application = repository.Scratch("app");
        Directory.CreateDirectory(application);
        await File.WriteAllBytesAsync(Path.Combine(application, "Iris.Camera.dll"), RandomNumberGenerator.GetBytes(3 << 20));
        var published = await repository.PublishAsync(application, "0.2.0", chunkSize: 1 << 20);
        var dir = repository.Scratch("nginx");
        Directory.CreateDirectory(dir);
        using var leaf = TestCertificates.IssueServer(repository.Ca, repository.CaKey, "127.0.0.1");
        await File.WriteAllTextAsync(Path.Combine(dir, "fullchain.pem"), leaf.ExportCertificatePem());
        await File.WriteAllTextAsync(Path.Combine(dir, "privkey.pem"), leaf.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        var port = FreePort();
        var server = ReadmeServerBlock()
            .Replace("listen 443 ssl;", $"listen 127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)} ssl;", StringComparison.Ordinal)
            .Replace("/etc/ssl/updates/fullchain.pem", Path.Combine(dir, "fullchain.pem"), StringComparison.Ordinal)
            .Replace("/etc/ssl/updates/privkey.pem", Path.Combine(dir, "privkey.pem"), StringComparison.Ordinal)
            .Replace("/srv/iris/repo", repository.RepositoryDirectory, StringComparison.Ordinal);
        using var nginx = await StartNginxAsync(dir, server, port);
        var baseAddress = new Uri($"https://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}/");
        var store = new DirectoryMetadataStore(repository.Scratch("device-metadata"));
        store.Save(RoleName.Root, await File.ReadAllBytesAsync(repository.RootFile));
        using var transport = new HttpsUpdateTransport(baseAddress, [repository.Ca], TimeProvider.System);

        var (view, outcome) = await new RepositoryClient(transport, store, TimeProvider.System).RefreshAsync(CancellationToken.None);

        Assert.True(view is not null, outcome.Message + "\n" + nginx.StandardError);
        var target = Assert.Single(view.Targets.Targets);
        Assert.Equal(published.Sha256, target.Sha256);
        // An interrupted download resumes with a range request and the whole bundle checks.
        var bundle = Path.Combine(repository.Scratch("download"), "bundle.irfw");
        var served = await File.ReadAllBytesAsync(repository.ServedPath(target));
        await File.WriteAllBytesAsync(bundle, served.AsMemory(0, served.Length / 2).ToArray());
        var downloaded = await transport.DownloadAsync(RepositoryClient.TargetPath(target), bundle, target.Length, null, CancellationToken.None);
        Assert.True(downloaded.Succeeded, downloaded.Message);
        await using (var file = File.OpenRead(bundle))
        {
            Assert.True((await UpdateEngine.CheckBundleAsync(file, target, CancellationToken.None)).Succeeded);
        }

        using var client = TrustingOnly(repository.Ca, baseAddress);
        using var timestamp = await client.GetAsync("metadata/timestamp.json");
        using var root = await client.GetAsync("metadata/1.root.json");
        using var nextRoot = await client.GetAsync("metadata/2.root.json");
        using var range = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, RepositoryClient.TargetPath(target)) { Headers = { Range = new(10, null) } });
        Assert.Equal((HttpStatusCode.OK, "max-age=60"), (timestamp.StatusCode, timestamp.Headers.CacheControl?.ToString()));
        Assert.Equal((HttpStatusCode.OK, "public, max-age=31536000, immutable"), (root.StatusCode, root.Headers.CacheControl?.ToString()));
        Assert.Equal(HttpStatusCode.NotFound, nextRoot.StatusCode);
        Assert.Equal(HttpStatusCode.PartialContent, range.StatusCode);
        Assert.Equal("public, max-age=31536000, immutable", range.Headers.CacheControl?.ToString());
    }

    /// <summary>The nginx block of the factory README, which the guide tells a vendor to use.</summary>
    private static string ReadmeServerBlock()
    {
        var readme = File.ReadAllText(Path.Combine(ServiceManifestTests.RepositoryRoot(), "src", "Iris.Factory", "README.md"));
        var start = readme.IndexOf("```nginx\n", StringComparison.Ordinal) + "```nginx\n".Length;
        var block = readme[start..readme.IndexOf("\n```", start, StringComparison.Ordinal)].Trim();
        Assert.StartsWith("server {", block, StringComparison.Ordinal);
        foreach (var placeholder in new[] { "listen 443 ssl;", "/etc/ssl/updates/fullchain.pem", "/etc/ssl/updates/privkey.pem", "/srv/iris/repo" })
        {
            Assert.Contains(placeholder, block, StringComparison.Ordinal);
        }

        return block;
    }

    internal static async Task<ChildProcess> StartNginxAsync(string dir, string server, int port)
    {
        var conf = Path.Combine(dir, "nginx.conf");
        await File.WriteAllTextAsync(conf, $$"""
            daemon off;
            master_process off;
            pid {{dir}}/nginx.pid;
            error_log stderr;
            events { }
            http {
                access_log off;
                client_body_temp_path {{dir}}/body;
                proxy_temp_path {{dir}}/proxy;
                fastcgi_temp_path {{dir}}/fastcgi;
                uwsgi_temp_path {{dir}}/uwsgi;
                scgi_temp_path {{dir}}/scgi;
            {{server}}
            }
            """);
        var nginx = ChildProcess.StartExecutable("nginx", ["-c", conf, "-p", dir, "-e", "stderr"]);
        for (var attempt = 0; attempt < 200; attempt++)
        {
            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port);
                return nginx;
            }
            catch (SocketException) when (!nginx.HasExited)
            {
                await Task.Delay(50);
            }
        }

        var error = nginx.StandardError;
        nginx.Dispose();
        throw new InvalidOperationException($"nginx did not start: {error}");
    }

    private static HttpClient TrustingOnly(X509Certificate2 ca, Uri baseAddress)
    {
        var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.CustomTrustStore.Add(ca);
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                return certificate is not null && chain.Build(certificate);
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress };
    }

    internal static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
