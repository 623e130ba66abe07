using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Iris.Firmware.Slots;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.FileProviders;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// A vendor update repository for tests: role keys and a device update key generated for this run, a
/// repository directory written by the real publisher, and an HTTPS server (Kestrel, with range requests)
/// whose certificate comes from a test update CA.
/// </summary>
public sealed class UpdateTestRepository : IAsyncDisposable
{
    public const string Model = "Iris Camera DEV";
    private readonly TempDirectory _dir = new();
    private readonly CancellationTokenSource _stopping = new();
    private WebApplication? _server;

    public UpdateTestRepository()
    {
        RootSigners = NewSigners(1);
        Keys = new PublishingKeys(NewSigners(1), NewSigners(1), NewSigners(1));
        Directory.CreateDirectory(RepositoryDirectory);
        Publisher = new RepositoryPublisher(RepositoryDirectory, TimeProvider.System);
        var root = RepositoryPublisher.NewRoot(1, DateTimeOffset.UtcNow.AddDays(365), new Dictionary<string, (IReadOnlyList<IMetadataSigner>, int)>
        {
            [RoleName.Root] = (RootSigners, 1),
            [RoleName.Targets] = (Keys.Targets, 1),
            [RoleName.Snapshot] = (Keys.Snapshot, 1),
            [RoleName.Timestamp] = (Keys.Timestamp, 1),
        });
        File.WriteAllBytes(RootFile, Publisher.Initialise(root, RootSigners, Keys, RoleLifetimes.Default));
        UpdateKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        (Ca, CaKey) = TestCertificates.CreateCa("Iris Test Update CA");
        File.WriteAllText(CaFile, Ca.ExportCertificatePem());
    }

    public string RepositoryDirectory => _dir.Combine("repository");

    public string RootFile => _dir.Combine("1.root.json");

    public string CaFile => _dir.Combine("update-ca.pem");

    public IReadOnlyList<IMetadataSigner> RootSigners { get; }

    public PublishingKeys Keys { get; set; }

    public RepositoryPublisher Publisher { get; }

    /// <summary>The model-wide update key provisioned into devices; releases are wrapped for it.</summary>
    public ECDiffieHellman UpdateKey { get; }

    public X509Certificate2 Ca { get; }

    public ECDsa CaKey { get; }

    public Uri? BaseAddress { get; private set; }

    /// <summary>Every request the server saw: path and Range header.</summary>
    public List<string> Requests { get; } = [];

    /// <summary>When set, bundles are sent at this pace instead of at once (a slow-retrieval attack).</summary>
    public TargetPacing? Pacing { get; set; }

    public string Scratch(string name)
    {
        var path = _dir.Combine(name);
        Directory.CreateDirectory(path);
        return path;
    }

    /// <summary>The update key as the factory drops it for a device (the device imports and deletes it).</summary>
    public string WriteUpdateKeyFile()
    {
        var path = _dir.Combine($"update-key-{Guid.NewGuid():N}.pem");
        File.WriteAllText(path, UpdateKey.ExportPkcs8PrivateKeyPem());
        return path;
    }

    /// <summary>Settings that point a camera at this repository.</summary>
    public Dictionary<string, string?> CameraSettings() => new()
    {
        ["Iris:Updates:RepositoryUrl"] = BaseAddress!.AbsoluteUri,
        ["Iris:Updates:CaCertificateFile"] = CaFile,
        ["Iris:Updates:TrustedRootFile"] = RootFile,
        ["Iris:Updates:UpdateKeyFile"] = WriteUpdateKeyFile(),
    };

    public async Task<TargetEntry> PublishAsync(string source, string version, long securityVersion = 1, string entry = "Iris.Camera.dll",
        string model = Model, byte[]? recipient = null, int chunkSize = 1 << 20)
    {
        var bundle = _dir.Combine($"bundle-{Guid.NewGuid():N}.irfw");
        var release = await ReleaseBuilder.BuildAsync(source, new ReleaseDescription(ReleaseInfo.DirectoryKind, entry, [model], version, securityVersion, new DateOnly(2032, 6, 30)),
            [recipient ?? UpdateKey.ExportSubjectPublicKeyInfo()], bundle, chunkSize);
        var target = Publisher.AddRelease($"iris-camera-{version}.irfw", bundle, release, Keys, RoleLifetimes.Default);
        File.Delete(bundle);
        return target;
    }

    /// <summary>A slot directory holding a shell script as its entry point (a build that crashes or hangs).</summary>
    public string ScriptApplication(string name, string script)
    {
        var dir = Scratch(name);
        var path = Path.Combine(dir, "start.sh");
        File.WriteAllText(path, "#!/bin/sh\n" + script + "\n");
        File.SetUnixFileMode(path, File.GetUnixFileMode(path) | UnixFileMode.UserExecute);
        // Some bulk, so a bundle spans several chunks.
        File.WriteAllBytes(Path.Combine(dir, "data.bin"), RandomNumberGenerator.GetBytes(32 * 1024));
        return dir;
    }

    public string ServedPath(TargetEntry target) => Path.Combine(RepositoryDirectory, RepositoryClient.TargetPath(target));

    /// <summary>
    /// Serves the repository over HTTPS (Kestrel static files, which answer range requests), with a certificate
    /// from the update CA for <paramref name="extendedKeyUsage"/> (server authentication unless told otherwise).
    /// </summary>
    public async Task StartServerAsync(string? extendedKeyUsage = TestCertificates.ServerAuthentication)
    {
        using var leaf = TestCertificates.IssueServer(Ca, CaKey, "127.0.0.1", extendedKeyUsage: extendedKeyUsage);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        var certificate = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.UseHttps(TestCertificates.ServeWith(certificate))));
        _server = builder.Build();
        _server.Use(async (context, next) =>
        {
            lock (Requests)
            {
                Requests.Add($"{context.Request.Path} {context.Request.Headers.Range}".Trim());
            }

            await next();
        });
        _server.Use(async (context, next) =>
        {
            if (Pacing is { } pacing && context.Request.Path.StartsWithSegments("/targets", StringComparison.Ordinal))
            {
                await ServePacedAsync(context, pacing);
                return;
            }

            await next();
        });
        _server.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(RepositoryDirectory),
            ServeUnknownFileTypes = true,
            DefaultContentType = "application/octet-stream",
        });
        await _server.StartAsync();
        BaseAddress = new Uri(_server.Urls.First());
    }

    /// <summary>Sends the first burst at once, then drips the rest, or goes silent with the connection open.</summary>
    private async Task ServePacedAsync(HttpContext context, TargetPacing pacing)
    {
        var bytes = await File.ReadAllBytesAsync(Path.Combine(RepositoryDirectory, context.Request.Path.Value!.TrimStart('/')));
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        context.Response.ContentLength = bytes.Length;
        context.Response.ContentType = "application/octet-stream";
        var sent = (int)Math.Min(pacing.BurstBytes, bytes.Length);
        try
        {
            await context.Response.Body.WriteAsync(bytes.AsMemory(0, sent), stop.Token);
            await context.Response.Body.FlushAsync(stop.Token);
            pacing.BurstSent.TrySetResult();
            if (pacing.DripBytes == 0)
            {
                await Task.Delay(Timeout.Infinite, stop.Token);
            }

            while (sent < bytes.Length)
            {
                await Task.Delay(pacing.DripEvery, stop.Token);
                var next = Math.Min(pacing.DripBytes, bytes.Length - sent);
                await context.Response.Body.WriteAsync(bytes.AsMemory(sent, next), stop.Token);
                await context.Response.Body.FlushAsync(stop.Token);
                sent += next;
            }
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            // The client gave up (or the test ended): the connection goes with it.
        }
    }

    public static IReadOnlyList<IMetadataSigner> NewSigners(int count) =>
        Enumerable.Range(0, count).Select(_ => (IMetadataSigner)new EcdsaMetadataSigner(ECDsa.Create(ECCurve.NamedCurves.nistP256))).ToList();

    /// <summary>A boot directory provisioned the way Iris.Boot init does it: slot a holds <paramref name="source"/>.</summary>
    public static string ProvisionSlots(string bootDirectory, string source, string entry, string version = "0.1.0", long securityVersion = 1)
    {
        var slotA = Path.Combine(bootDirectory, "slots", "a");
        CameraApplication.Copy(source, slotA);
        var store = new SlotRecordStore(Iris.Firmware.Durable.DiskFileSystem.Instance, bootDirectory);
        store.Save(BootDecisions.Initial(new SlotState(version, securityVersion, new DateOnly(2031, 12, 31), entry, 0, 0, true)));
        return bootDirectory;
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        if (_server is not null)
        {
            await _server.StopAsync();
            await _server.DisposeAsync();
        }

        UpdateKey.Dispose();
        Ca.Dispose();
        CaKey.Dispose();
        _stopping.Dispose();
        _dir.Dispose();
    }
}

/// <summary>
/// How the test repository sends bundles: <paramref name="BurstBytes"/> at once, then <paramref name="DripBytes"/>
/// every <paramref name="DripEvery"/> (real time), or, with no drip, nothing more while the connection stays open.
/// </summary>
public sealed record TargetPacing(long BurstBytes, int DripBytes = 0, TimeSpan DripEvery = default)
{
    public TaskCompletionSource BurstSent { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Test certificates made at run time: a CA, and server certificates it issues.</summary>
public static class TestCertificates
{
    public const string ServerAuthentication = "1.3.6.1.5.5.7.3.1";
    public const string ClientAuthentication = "1.3.6.1.5.5.7.3.2";

    public static (X509Certificate2 Certificate, ECDsa Key) CreateCa(string name)
    {
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return (request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(2)), key);
    }

    /// <summary>
    /// TLS options for a Kestrel test server presenting <paramref name="certificate"/> as it is: through the
    /// handshake callback, because Kestrel's other options refuse a certificate not meant for servers, and tests
    /// must be able to present one to prove the client refuses it.
    /// </summary>
    public static TlsHandshakeCallbackOptions ServeWith(X509Certificate2 certificate) => new()
    {
        OnConnection = _ => ValueTask.FromResult(new SslServerAuthenticationOptions { ServerCertificate = certificate }),
    };

    /// <summary>
    /// A server certificate for an IP address, with an ECDSA key (default) or an RSA key, and an extended key
    /// usage extension naming <paramref name="extendedKeyUsage"/> (none at all when null).
    /// </summary>
    public static X509Certificate2 IssueServer(X509Certificate2 ca, ECDsa caKey, string ip, bool rsa = false, string? extendedKeyUsage = ServerAuthentication)
    {
        using var ecdsa = rsa ? null : ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var rsaKey = rsa ? RSA.Create(2048) : null;
        var request = rsa
            ? new CertificateRequest("CN=update server", rsaKey!, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1)
            : new CertificateRequest("CN=update server", ecdsa!, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(IPAddress.Parse(ip));
        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
        if (extendedKeyUsage is not null)
        {
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(extendedKeyUsage)], false));
        }

        var serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        using var issued = request.Create(ca.SubjectName, X509SignatureGenerator.CreateForECDsa(caKey), DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(90), serial);
        return rsa ? issued.CopyWithPrivateKey(rsaKey!) : issued.CopyWithPrivateKey(ecdsa!);
    }
}

/// <summary>The camera application as a board gets it: the build output, with native assets for this platform only.</summary>
public static class CameraApplication
{
    /// <summary>src/Iris.Camera/bin/CONFIGURATION/net10.0, the same configuration the tests were built in.</summary>
    public static string BuildOutput
    {
        get
        {
            var testOutput = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd('/'));
            var framework = testOutput.Name;
            var configuration = testOutput.Parent!.Name;
            var repository = testOutput.Parent.Parent!.Parent!.Parent!.Parent!.FullName;
            var path = Path.Combine(repository, "src", "Iris.Camera", "bin", configuration, framework);
            return File.Exists(Path.Combine(path, "Iris.Camera.dll")) ? path : throw new DirectoryNotFoundException($"No camera build at '{path}'.");
        }
    }

    /// <summary>
    /// What a slot runs: the directory of <see cref="ChildProcess.DaemonBinary"/> when the tests run against a
    /// published daemon (the Native AOT build), otherwise <see cref="BuildOutput"/>.
    /// </summary>
    public static string SlotApplication => ChildProcess.DaemonBinary is { } daemon ? Path.GetDirectoryName(daemon)! : BuildOutput;

    /// <summary>The slot's entry point in <see cref="SlotApplication"/>: the native executable, or the assembly Iris.Boot runs with dotnet.</summary>
    public static string SlotEntry => ChildProcess.DaemonBinary is { } daemon ? Path.GetFileName(daemon) : "Iris.Camera.dll";

    /// <summary>Copies a camera application, without other platforms' native files, precompressed web assets or AOT debug symbols (not shipped to a device).</summary>
    public static void Copy(string source, string destination)
    {
        var rid = System.Runtime.InteropServices.RuntimeInformation.RuntimeIdentifier;
        foreach (var file in Directory.EnumerateFiles(source, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(source, file);
            var parts = relative.Split('/');
            if (parts[0] == "runtimes" && parts.Length > 1 && parts[1] != rid)
            {
                continue;
            }

            if (relative.EndsWith(".gz", StringComparison.Ordinal) || relative.EndsWith(".br", StringComparison.Ordinal) || relative.EndsWith(".dbg", StringComparison.Ordinal))
            {
                continue;
            }

            var target = Path.Combine(destination, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            File.SetUnixFileMode(target, File.GetUnixFileMode(file));
        }
    }
}
