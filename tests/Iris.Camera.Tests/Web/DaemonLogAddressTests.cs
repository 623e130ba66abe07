using System.Net;
using System.Net.Sockets;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Tests.Web;

/// <summary>
/// Issue 12: the daemon log is outside the personal-data inventory, so it names no client address. A refused
/// connection is logged with its reason only (a refused malformed request: <see cref="ErrorBoundaryTests"/>).
/// </summary>
public sealed class DaemonLogAddressTests
{
    [Fact]
    public async Task ARefusedConnection_IsLoggedWithoutTheClientsAddress()
    {
        var log = new CapturedLog();
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            builder.Logging.AddProvider(log);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Https:MaxConnectionsPerSource"] = "2" });
        });

        var held = new List<Socket>();
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            while (!log.Lines.Any(IsGateLine))
            {
                try
                {
                    var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
                    held.Add(socket);
                    socket.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.7"), 0));
                    await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, camera.BaseAddress.Port), timeout.Token);
                }
                catch (SocketException)
                {
                    // Refused before the connect finished: the refusal is logged all the same.
                }

                await Task.Delay(50, timeout.Token);
            }
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }

        var lines = log.Lines.Where(IsGateLine).ToList();
        Assert.NotEmpty(lines);
        Assert.All(lines, l => Assert.DoesNotContain("127.0.0.7", l.Message, StringComparison.Ordinal));
    }

    private static bool IsGateLine(LogLine line) =>
        line.Category.EndsWith(".ConnectionGate", StringComparison.Ordinal) && line.Message.Contains("refused", StringComparison.Ordinal);
}
