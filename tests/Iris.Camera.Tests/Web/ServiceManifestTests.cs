using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using Iris.Camera.Hosting;
using Iris.Camera.Tests.Support;
using Iris.Camera.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Web;

/// <summary>IoT-1005-1 5.2.2.1: the process listens on exactly what the manifest declares, and nothing else.</summary>
public sealed class ServiceManifestTests
{
    [Fact]
    public async Task DaemonProcess_ListensOnExactlyTheDeclaredSockets()
    {
        using var data = new TempDirectory();
        using var camera = await CameraProcess.StartOnProbedPortAsync(data.Path);
        var manifest = await camera.Client.GetFromJsonAsync<ServiceManifestDocument>(new Uri("/api/device/services", UriKind.Relative));

        var sockets = SocketsOf(camera.Process.Id);

        var declared = manifest!.Listeners.Select(l => $"{l.Transport} {l.Endpoint}").Order().ToList();
        var listening = sockets.Where(s => s.Listening).Select(s => $"{s.Protocol} {s.Local}").Order().ToList();
        Assert.Equal(declared, listening);
        // Outgoing services are declared, and off until their option is set.
        Assert.Contains(manifest.Outgoing, o => o.Name == "update-repository");
        Assert.All(manifest.Outgoing, o => Assert.Equal("off until configured", o.Endpoint));
        Assert.DoesNotContain(sockets, s => s.Protocol == "udp");
        // No listening Unix socket either: the runtime's diagnostics port (a debug interface) is off.
        Assert.DoesNotContain(sockets, s => s.Protocol == "unix" && s.Listening);
        Assert.Empty(Directory.GetFiles(Path.GetTempPath(), $"dotnet-diagnostic-{camera.Process.Id}-*"));
    }

    [Fact]
    public async Task DocsServiceManifest_MatchesTheCode()
    {
        using var data = new TempDirectory();
        await using var app = InProcessCamera.BuildWithDefaults(data.Path);
        var manifest = app.Services.GetRequiredService<ServiceManifest>().Document();
        GoldenDocument.AssertMatches("docs/service-manifest.md", ServiceManifest.ToMarkdown(manifest));
    }

    internal static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Iris.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("Iris.slnx not found above the test directory");
    }

    private sealed record SocketEntry(string Protocol, string Local, bool Listening);

    /// <summary>Every inet and unix socket the process holds, from /proc (what ss/netstat read).</summary>
    private static List<SocketEntry> SocketsOf(int pid)
    {
        var inodes = new HashSet<string>(StringComparer.Ordinal);
        foreach (var fd in Directory.GetFiles($"/proc/{pid}/fd"))
        {
            var target = new FileInfo(fd).LinkTarget;
            if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal))
            {
                inodes.Add(target[8..^1]);
            }
        }

        var entries = new List<SocketEntry>();
        foreach (var (file, protocol) in new[] { ("tcp", "tcp"), ("tcp6", "tcp"), ("udp", "udp"), ("udp6", "udp"), ("raw", "raw"), ("raw6", "raw") })
        {
            foreach (var line in File.ReadAllLines($"/proc/{pid}/net/{file}").Skip(1))
            {
                var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (inodes.Contains(columns[9]))
                {
                    entries.Add(new SocketEntry(protocol, DecodeAddress(columns[1]), protocol == "tcp" ? columns[3] == "0A" : protocol == "udp"));
                }
            }
        }

        foreach (var line in File.ReadAllLines($"/proc/{pid}/net/unix").Skip(1))
        {
            var columns = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (inodes.Contains(columns[6]))
            {
                var flags = int.Parse(columns[3], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
                entries.Add(new SocketEntry("unix", columns.Length > 7 ? columns[7] : "(unnamed)", (flags & 0x10000) != 0));
            }
        }

        return entries;
    }

    private static string DecodeAddress(string hex)
    {
        var parts = hex.Split(':');
        var port = int.Parse(parts[1], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
        var raw = Convert.FromHexString(parts[0]);
        // /proc prints each 32-bit word in host (little-endian) order.
        for (var i = 0; i < raw.Length; i += 4)
        {
            Array.Reverse(raw, i, 4);
        }

        var address = new IPAddress(raw);
        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        return address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]:{port}" : $"{address}:{port}";
    }
}
