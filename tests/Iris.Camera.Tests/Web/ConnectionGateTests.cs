using System.Net;
using System.Net.Sockets;
using Iris.Camera.Tests.Support;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Web;

/// <summary>
/// Connections are admitted before the TLS handshake: one host cannot take every slot, strangers cannot take the
/// slots kept for the owner's known sources, and a connection that never completes its handshake is dropped.
/// Through the real Kestrel listener, with raw TCP clients bound to distinct loopback addresses.
/// </summary>
public sealed class ConnectionGateTests
{
    private static Action<WebApplicationBuilder> SmallLimits(string handshakeTimeout = "00:01:00") => builder =>
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Iris:Https:MaxConnections"] = "24",
            ["Iris:Https:ConnectionsReservedForKnownSources"] = "8",
            ["Iris:Https:MaxConnectionsPerSource"] = "4",
            ["Iris:Https:MaxConnectionsPerKnownSource"] = "16",
            ["Iris:Https:HandshakeTimeout"] = handshakeTimeout,
        });

    [Fact]
    public async Task OneHost_CannotHoldMoreThanItsShare_AndTheOwnerStillGetsIn()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(configure: SmallLimits(), time: time);
        using var owner = await camera.ClaimAsync();
        time.Advance(TimeSpan.FromSeconds(10)); // the gate's view of known sources is refreshed

        var held = new List<Socket>();
        try
        {
            // Five connections from one host. Kestrel runs each connection's admission on its own task, so which
            // of the five is refused is not fixed (the fifth may be admitted while an earlier one waits its turn);
            // that exactly one is refused and four are kept is.
            var resetAtConnect = 0;
            for (var i = 0; i < 5; i++)
            {
                try
                {
                    held.Add(await ConnectFromAsync("127.0.0.2", camera.BaseAddress.Port));
                }
                catch (SocketException)
                {
                    resetAtConnect++; // refused so fast that the reset reached the client before its connect finished
                }
            }

            var closed = await Task.WhenAll(held.Select(socket => IsClosedByServerAsync(socket, TimeSpan.FromSeconds(2))));
            Assert.Equal(1, closed.Count(c => c) + resetAtConnect);
            Assert.Equal(4, closed.Count(c => !c));

            using var device = await owner.Http.GetAsync(new Uri("/api/auth/session", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, device.StatusCode);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task StrangersFromManyAddresses_CannotTakeTheSlotsKeptForTheOwner()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var camera = await InProcessCamera.StartAsync(configure: SmallLimits(), time: time);
        using var owner = await camera.ClaimAsync();
        time.Advance(TimeSpan.FromSeconds(10));

        var held = new List<Socket>();
        try
        {
            // 16 of the 24 slots are open to strangers; the owner's own connections may hold some of them.
            var resetAtConnect = 0;
            for (var host = 10; host < 40; host++)
            {
                try
                {
                    held.Add(await ConnectFromAsync($"127.0.0.{host}", camera.BaseAddress.Port));
                }
                catch (SocketException)
                {
                    resetAtConnect++; // refused so fast that the reset reached the client before its connect finished
                }
            }

            var closed = await Task.WhenAll(held.Select(socket => IsClosedByServerAsync(socket, TimeSpan.FromSeconds(2))));
            var admitted = closed.Count(c => !c);
            Assert.Equal(30, held.Count + resetAtConnect);
            Assert.InRange(admitted, 12, 16);

            using var fresh = PinnedHttpClient.Create(camera.BaseAddress, camera.Certificate);
            using var response = await fresh.GetAsync(new Uri("/api/device", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        finally
        {
            held.ForEach(s => s.Dispose());
        }
    }

    [Fact]
    public async Task AConnectionThatNeverStartsItsHandshake_IsDropped()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: SmallLimits("00:00:01"));
        using var idle = await ConnectFromAsync("127.0.0.3", camera.BaseAddress.Port);
        Assert.True(await IsClosedByServerAsync(idle, TimeSpan.FromSeconds(20)), "an idle connection outlived the handshake timeout");
    }

    private static async Task<Socket> ConnectFromAsync(string local, int port)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Parse(local), 0));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        return socket;
    }

    /// <summary>Whether the server closes the connection within the time (a read ends with 0 bytes or a reset).</summary>
    private static async Task<bool> IsClosedByServerAsync(Socket socket, TimeSpan? within = null)
    {
        using var timeout = new CancellationTokenSource(within ?? TimeSpan.FromSeconds(10));
        try
        {
            var read = await socket.ReceiveAsync(new byte[16], SocketFlags.None, timeout.Token);
            return read == 0;
        }
        catch (SocketException)
        {
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }
}
