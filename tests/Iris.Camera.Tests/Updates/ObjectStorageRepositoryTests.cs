using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Tests.Support;
using Iris.Camera.Updates;
using Iris.Firmware.Agent;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// Hosting the update repository for a fleet (issue 13, point 8): the repository served the way object storage
/// serves it (403 for a missing object, range requests) behind a CDN-style cache, as the README's guide sets it up.
/// The device's own transport and client check for updates, resume an interrupted download and accept the bundle.
/// </summary>
public sealed class ObjectStorageRepositoryTests
{
    [Fact]
    public async Task ADevice_UpdatesNormally_FromObjectStorageBehindACdn()
    {
        await using var repository = new UpdateTestRepository();
        var application = repository.Scratch("app");
        Directory.CreateDirectory(application);
        await File.WriteAllBytesAsync(Path.Combine(application, "Iris.Camera.dll"), RandomNumberGenerator.GetBytes(3 << 20));
        var published = await repository.PublishAsync(application, "0.2.0", chunkSize: 1 << 20);
        await using var storage = await ObjectStorageWithCdn.StartAsync(repository);
        var store = new DirectoryMetadataStore(repository.Scratch("device-metadata"));
        store.Save(RoleName.Root, await File.ReadAllBytesAsync(repository.RootFile));
        using var transport = new HttpsUpdateTransport(storage.BaseAddress, [repository.Ca], TimeProvider.System);

        var (view, outcome) = await new RepositoryClient(transport, store, TimeProvider.System).RefreshAsync(CancellationToken.None);

        Assert.True(view is not null, outcome.Message);
        var target = Assert.Single(view.Targets.Targets);
        Assert.Equal(published.Sha256, target.Sha256);
        Assert.Contains("metadata/2.root.json 403 MISS", storage.Log);

        // The download broke off halfway; the device resumes it with a range request.
        var bundle = Path.Combine(repository.Scratch("download"), "bundle.irfw");
        var served = await File.ReadAllBytesAsync(repository.ServedPath(target));
        await File.WriteAllBytesAsync(bundle, served.AsMemory(0, served.Length / 2).ToArray());
        var downloaded = await transport.DownloadAsync(RepositoryClient.TargetPath(target), bundle, target.Length, null, CancellationToken.None);
        await using (var file = File.OpenRead(bundle))
        {
            Assert.True(downloaded.Succeeded, downloaded.Message);
            Assert.True((await UpdateEngine.CheckBundleAsync(file, target, CancellationToken.None)).Succeeded);
        }

        Assert.Contains($"{RepositoryClient.TargetPath(target)} bytes={served.Length / 2}- 206 MISS", storage.Log);

        // The next check goes through the CDN's cache, the missing next root included, and still succeeds.
        var (again, againOutcome) = await new RepositoryClient(transport, store, TimeProvider.System).RefreshAsync(CancellationToken.None);
        Assert.True(again is not null, againOutcome.Message);
        Assert.Contains("metadata/2.root.json 403 HIT", storage.Log);
    }

    [Fact]
    public async Task A403ForAnyFileButTheNextRoot_IsStillAFailure()
    {
        await using var repository = new UpdateTestRepository();
        await using var storage = await ObjectStorageWithCdn.StartAsync(repository);
        File.Delete(Path.Combine(repository.RepositoryDirectory, "metadata", "timestamp.json"));
        var store = new DirectoryMetadataStore(repository.Scratch("device-metadata"));
        store.Save(RoleName.Root, await File.ReadAllBytesAsync(repository.RootFile));
        using var transport = new HttpsUpdateTransport(storage.BaseAddress, [repository.Ca], TimeProvider.System);

        var (view, outcome) = await new RepositoryClient(transport, store, TimeProvider.System).RefreshAsync(CancellationToken.None);

        Assert.Null(view);
        Assert.Contains("403", outcome.Message, StringComparison.Ordinal);
    }

    /// <summary>
    /// An object store (403 with an XML error for a missing key, byte ranges) behind a CDN that caches by path for as
    /// long as the origin's Cache-Control says, 403s included (CloudFront caches errors for 10 seconds by default).
    /// </summary>
    private sealed class ObjectStorageWithCdn : IAsyncDisposable
    {
        private readonly Dictionary<string, (int Status, byte[] Body, string CacheControl, DateTimeOffset StoredAt)> _cache = new(StringComparer.Ordinal);
        private readonly List<string> _log = [];
        private WebApplication? _app;

        public Uri BaseAddress { get; private set; } = null!;

        public IReadOnlyList<string> Log
        {
            get
            {
                lock (_log)
                {
                    return [.. _log];
                }
            }
        }

        public static async Task<ObjectStorageWithCdn> StartAsync(UpdateTestRepository repository)
        {
            var server = new ObjectStorageWithCdn();
            using var leaf = TestCertificates.IssueServer(repository.Ca, repository.CaKey, "127.0.0.1");
            var certificate = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(TestCertificates.ServeWith(certificate))));
            server._app = builder.Build();
            server._app.Run(context => server.ServeAsync(context, repository.RepositoryDirectory));
            await server._app.StartAsync();
            server.BaseAddress = new Uri(server._app.Urls.First());
            return server;
        }

        public async ValueTask DisposeAsync()
        {
            if (_app is not null)
            {
                await _app.DisposeAsync();
            }
        }

        private async Task ServeAsync(HttpContext context, string root)
        {
            var key = context.Request.Path.Value!.TrimStart('/');
            var now = TimeProvider.System.GetUtcNow();
            string hit;
            (int Status, byte[] Body, string CacheControl, DateTimeOffset StoredAt) entry;
            lock (_cache)
            {
                hit = _cache.TryGetValue(key, out entry) && now - entry.StoredAt < MaxAge(entry.CacheControl) ? "HIT" : "MISS";
                if (hit == "MISS")
                {
                    entry = Origin(root, key, now);
                    _cache[key] = entry;
                }
            }

            context.Response.Headers["X-Cache"] = hit;
            context.Response.Headers.CacheControl = entry.CacheControl;
            context.Response.Headers.AcceptRanges = "bytes";
            var range = context.Request.Headers.Range.ToString();
            if (entry.Status == 403)
            {
                Record(key, range, 403, hit);
                context.Response.StatusCode = 403;
                context.Response.ContentType = "application/xml";
                await context.Response.WriteAsync("<?xml version=\"1.0\"?><Error><Code>AccessDenied</Code><Message>Access Denied</Message></Error>");
                return;
            }

            var from = range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-') && long.TryParse(range[6..^1], out var start) ? start : 0;
            if (from >= entry.Body.Length && from > 0)
            {
                Record(key, range, 416, hit);
                context.Response.StatusCode = 416;
                return;
            }

            var status = from > 0 ? 206 : 200;
            Record(key, range, status, hit);
            context.Response.StatusCode = status;
            if (from > 0)
            {
                context.Response.Headers.ContentRange = $"bytes {from}-{entry.Body.Length - 1}/{entry.Body.Length}";
            }

            context.Response.ContentType = "application/octet-stream";
            context.Response.ContentLength = entry.Body.Length - from;
            await context.Response.Body.WriteAsync(entry.Body.AsMemory((int)from));
        }

        private void Record(string key, string range, int status, string hit)
        {
            lock (_log)
            {
                _log.Add($"{key} {(range.Length > 0 ? range + " " : "")}{status} {hit}");
            }
        }

        /// <summary>The object store: immutable names (versioned roots, hashed bundles) cached long, the rest briefly.</summary>
        private static (int, byte[], string, DateTimeOffset) Origin(string root, string key, DateTimeOffset now)
        {
            var path = Path.GetFullPath(Path.Combine(root, key));
            if (!path.StartsWith(Path.GetFullPath(root) + "/", StringComparison.Ordinal) || !File.Exists(path))
            {
                return (403, [], "max-age=10", now);
            }

            var immutable = key.StartsWith("targets/", StringComparison.Ordinal) || key.EndsWith(".root.json", StringComparison.Ordinal);
            return (200, File.ReadAllBytes(path), immutable ? "public, max-age=31536000, immutable" : "max-age=60", now);
        }

        private static TimeSpan MaxAge(string cacheControl) =>
            TimeSpan.FromSeconds(int.Parse(cacheControl.Split("max-age=")[1].Split(',')[0], System.Globalization.CultureInfo.InvariantCulture));
    }
}
