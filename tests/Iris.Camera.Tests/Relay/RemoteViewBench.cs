using System.Buffers.Binary;
using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Tests.Support;
using Microsoft.Playwright;

namespace Iris.Camera.Tests.Relay;

/// <summary>
/// Issue 15's remote-view benchmark, short by default (3 s) so it also runs as a test; <c>bench/remote-view.sh</c>
/// runs it longer (<c>IRIS_BENCH_SECONDS</c>) and keeps the figures in artifacts/bench/remote-view.txt.
/// Every follower of the live feed gets the same fMP4 fragments, so a fragment's decode time (its <c>tfdt</c>) is its
/// clock: the latency the relay adds is, per fragment, its arrival through the relay (camera seals, relay forwards,
/// viewer opens) minus its arrival on the camera's own live.mp4. The viewer's decrypt cost is WebCrypto AES-256-GCM
/// in Chromium at the measured fragment size. The relay's CPU per stream is read from its own process: a separate
/// <c>iris-relay</c> (its /proc/PID/stat) carrying 0, 1, 2 and 4 streams shaped like the measured one.
/// </summary>
public sealed class RemoteViewBench
{
    [Fact]
    public async Task RelayAddedLatency_AndViewerDecryptCost_AreMeasured()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("IRIS_BENCH_SECONDS"), NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s : 3;
        await using var rig = await RemoteViewRig.StartAsync();
        using var viewer = new RemoteViewer();
        var (sessionId, grant) = await rig.StartAsync(rig.ViewerApp, viewer);
        var key = viewer.SessionKey(grant.GetProperty("cameraKey").GetString()!, sessionId, rig.Setup.Serial);

        using var socket = await rig.Relay.ConnectAsync(rig.Relay.ViewerUri(sessionId, grant.GetProperty("token").GetString()));
        using var live = await rig.Owner.Http.GetAsync(new Uri("/api/media/live.mp4", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead);
        Assert.True(live.IsSuccessStatusCode);

        var relayed = new Dictionary<ulong, long>();
        var direct = new Dictionary<ulong, long>();
        var sizes = new List<int>();
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 2));
        await Task.WhenAll(
            ReadRelayAsync(socket, key, sessionId, relayed, sizes, stop.Token),
            ReadDirectAsync(await live.Content.ReadAsStreamAsync(stop.Token), direct, stop.Token));

        var added = relayed.Keys.Intersect(direct.Keys).Select(t => Stopwatch.GetElapsedTime(direct[t], relayed[t]).TotalMilliseconds).Order().ToList();
        Assert.True(added.Count >= seconds, $"only {added.Count} fragments seen on both paths in {seconds} s");
        var fragment = sizes.Order().ElementAt(sizes.Count / 2);
        var decrypt = await WebCryptoDecryptAsync(rig.Relay.Page, fragment);
        var rate = (double)relayed.Count / (seconds + 2);
        var relayCpu = await RelayProcessCpuAsync(fragment, rate, seconds);
        var idle = relayCpu[0].Percent;
        var perStreams = string.Join(", ", relayCpu.Skip(1).Select(r => string.Create(CultureInfo.InvariantCulture, $"{r.Streams}: {r.Percent:F2} % ({(r.Percent - idle) / r.Streams:F2} % per stream)")));

        var report = string.Create(CultureInfo.InvariantCulture, $"""
            remote view, {seconds} s, {added.Count} fragments on both paths (median {fragment} bytes)
            latency added by the relay (camera seal + relay + viewer open, vs the camera's own live.mp4): p50 {Percentile(added, 0.5):F1} ms, p99 {Percentile(added, 0.99):F1} ms, max {added[^1]:F1} ms
            viewer decrypt, WebCrypto AES-256-GCM in Chromium: {decrypt:F3} ms per fragment ({fragment / 1048576.0 / (decrypt / 1000):F0} MiB/s)
            iris-relay's own process (/proc/PID/stat, % of one core), streams shaped like this one ({fragment} bytes x {rate:F1}/s, opaque: the relay sees ciphertext only), {seconds} s each: idle {idle:F2} %; {perStreams}

            """);
        var output = Path.Combine(Web.ServiceManifestTests.RepositoryRoot(), "artifacts", "bench");
        Directory.CreateDirectory(output);
        await File.WriteAllTextAsync(Path.Combine(output, "remote-view.txt"), report);
        Assert.True(decrypt > 0, report);
    }

    private static async Task ReadRelayAsync(ClientWebSocket socket, byte[] key, string sessionId, Dictionary<ulong, long> arrivals, List<int> sizes, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                var length = 0;
                ValueWebSocketReceiveResult received;
                do
                {
                    received = await socket.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length += received.Count;
                }
                while (!received.EndOfMessage);

                if (received.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (received.MessageType != WebSocketMessageType.Binary)
                {
                    continue;
                }

                var (_, plain) = RemoteViewer.Open(key, buffer[..length], sessionId);
                var at = Stopwatch.GetTimestamp();
                if (DecodeTime(plain.AsSpan(1)) is { } time)
                {
                    arrivals[time] = at;
                    sizes.Add(length);
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The measurement's end.
        }
    }

    /// <summary>Reads live.mp4 box by box; a fragment has arrived when the mdat after its moof is complete.</summary>
    private static async Task ReadDirectAsync(Stream stream, Dictionary<ulong, long> arrivals, CancellationToken cancellationToken)
    {
        var header = new byte[8];
        ulong? pending = null;
        try
        {
            while (true)
            {
                await stream.ReadExactlyAsync(header, cancellationToken);
                var size = (int)BinaryPrimitives.ReadUInt32BigEndian(header);
                var body = new byte[size - 8];
                await stream.ReadExactlyAsync(body, cancellationToken);
                var type = System.Text.Encoding.ASCII.GetString(header, 4, 4);
                if (type == "moof")
                {
                    pending = DecodeTime(body);
                }
                else if (type == "mdat" && pending is { } time)
                {
                    arrivals[time] = Stopwatch.GetTimestamp();
                    pending = null;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or EndOfStreamException or IOException)
        {
            // The measurement's end.
        }
    }

    /// <summary>The first tfdt's base media decode time in a fragment (moof first); null for the initialization segment.</summary>
    private static ulong? DecodeTime(ReadOnlySpan<byte> fragment)
    {
        var at = fragment.IndexOf("tfdt"u8);
        if (at < 4 || fragment.Length < at + 16)
        {
            return null;
        }

        var box = fragment[(at + 4)..];
        return box[0] == 1 ? BinaryPrimitives.ReadUInt64BigEndian(box[4..]) : BinaryPrimitives.ReadUInt32BigEndian(box[4..]);
    }

    /// <summary>Milliseconds per AES-256-GCM decryption of <paramref name="size"/> bytes with WebCrypto, in Chromium, on the relay's page (a secure context).</summary>
    private static async Task<double> WebCryptoDecryptAsync(Uri page, int size)
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(Web.WebUiTests.LaunchOptions());
        await using var context = await browser.NewContextAsync(new BrowserNewContextOptions { IgnoreHTTPSErrors = true });
        var tab = await context.NewPageAsync();
        await tab.GotoAsync(page.ToString());
        return await tab.EvaluateAsync<double>("""
            async size => {
              const key = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
              const iv = crypto.getRandomValues(new Uint8Array(12));
              const data = new Uint8Array(size);
              for (let i = 0; i < size; i += 65536) crypto.getRandomValues(data.subarray(i, Math.min(size, i + 65536)));
              const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, key, data);
              const rounds = 200;
              const start = performance.now();
              for (let i = 0; i < rounds; i++) await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, sealed);
              return (performance.now() - start) / rounds;
            }
            """, size);
    }

    /// <summary>
    /// CPU of a separate <c>iris-relay</c> process, % of one core, with 0, 1, 2 and 4 streams: each from its own device
    /// certificate (a camera), sending <paramref name="fragment"/>-byte messages <paramref name="perSecond"/> times a
    /// second, to its own viewer, which reads everything. Only the relay's process is measured, not this one.
    /// </summary>
    private static async Task<List<(int Streams, double Percent)>> RelayProcessCpuAsync(int fragment, double perSecond, int seconds)
    {
        var created = TestCertificates.CreateCa("Iris Bench Device CA");
        using var ca = created.Certificate;
        using var caKey = created.Key;
        await using var relay = await RunningRelay.StartProcessAsync(ca, caKey, [ca]);
        var results = new List<(int, double)>();
        foreach (var streams in new[] { 0, 1, 2, 4 })
        {
            using var stop = new CancellationTokenSource();
            var running = new List<Task>();
            var held = new List<IDisposable>();
            for (var i = 0; i < streams; i++)
            {
                var serial = string.Create(CultureInfo.InvariantCulture, $"DEV-BENCH-{streams}-{i}");
                var device = RelayAdmissionTests.IssueDevice(ca, caKey, serial);
                using var key = device.GetECDsaPrivateKey()!;
                var session = RemoteViewer.NewSessionId();
                var camera = await relay.ConnectAsync(relay.CameraUri(session), device);
                var viewer = await relay.ConnectAsync(relay.ViewerUri(session, RelayAdmissionTests.Token(key, session, serial, DateTimeOffset.UtcNow.AddMinutes(4))));
                Assert.True(camera.State == WebSocketState.Open && viewer.State == WebSocketState.Open, $"stream {i} of {streams} was not admitted");
                held.AddRange([camera, viewer, device]);
                running.AddRange([PushAsync(camera, fragment, perSecond, stop.Token), DrainAsync(viewer, stop.Token), DrainAsync(camera, stop.Token)]);
            }

            // Past the handshakes and the first fragments: only forwarding is measured.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var before = relay.ProcessCpuTime();
            await Task.Delay(TimeSpan.FromSeconds(seconds));
            var used = relay.ProcessCpuTime() - before;
            await stop.CancelAsync();
            await Task.WhenAll(running);
            held.ForEach(h => h.Dispose());
            // Milliseconds of CPU per second; a tenth of that is percent of one core.
            results.Add((streams, used.TotalMilliseconds / seconds / 10));
        }

        return results;
    }

    private static async Task PushAsync(ClientWebSocket camera, int fragment, double perSecond, CancellationToken cancellationToken)
    {
        var payload = new byte[fragment];
        System.Security.Cryptography.RandomNumberGenerator.Fill(payload);
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1 / perSecond));
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                await camera.SendAsync(payload, WebSocketMessageType.Binary, endOfMessage: true, cancellationToken);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The window's end.
        }
    }

    private static async Task DrainAsync(ClientWebSocket socket, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        try
        {
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(), cancellationToken);
            }
            while (received.MessageType != WebSocketMessageType.Close);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException)
        {
            // The window's end.
        }
    }

    private static double Percentile(List<double> sorted, double p) => sorted[Math.Min(sorted.Count - 1, (int)(sorted.Count * p))];
}
