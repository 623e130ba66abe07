using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography;

namespace Iris.Bench;

/// <summary>
/// One abuse scenario of bench/abuse.sh. <see cref="RunAsync"/> attacks until <c>stop</c> fires (every loop is
/// also bounded in count), then waits for what it has in flight, each request bounded by a timeout.
/// </summary>
internal interface IAttack
{
    string Name { get; }

    string Description { get; }

    Task PrepareAsync();

    Task RunAsync(CancellationToken stop);

    /// <summary>Called when the owner's measurement ends, before stop: notes what the attack holds at that moment.</summary>
    void MarkEnd();

    string Summary();
}

/// <summary>Attack 1: as many POST /api/auth/nonce as answered, from a handful of addresses (127.1.1.x).</summary>
internal sealed class NonceDrain(Target target, int sources, int workersPerSource) : IAttack
{
    private readonly Dictionary<string, int> _answers = new(StringComparer.Ordinal);
    private long _sent;
    private double _seconds = double.NaN;

    public string Name => "nonce drain";

    public string Description =>
        $"{sources} addresses (127.1.1.1-{sources}), {workersPerSource} requests in flight from each on kept-alive connections: POST /api/auth/nonce as fast as the daemon answers.";

    public Task PrepareAsync() => Task.CompletedTask;

    public void MarkEnd()
    {
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var clients = Enumerable.Range(1, sources).Select(i => target.Client(IPAddress.Parse($"127.1.1.{i}"), workersPerSource, cookies: null)).ToArray();
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(clients.SelectMany(c => Enumerable.Range(0, workersPerSource).Select(_ => WorkerAsync(c, stop))));
        _seconds = clock.Elapsed.TotalSeconds;
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Interlocked.Read(ref _sent)} nonce requests ({Interlocked.Read(ref _sent) / _seconds:F0}/s); answers: {Counts.Snapshot(_answers)}");

    private async Task WorkerAsync(HttpClient client, CancellationToken stop)
    {
        for (var i = 0; i < 1_000_000 && !stop.IsCancellationRequested; i++)
        {
            string answer;
            try
            {
                using var response = await client.PostAsync(new Uri("/api/auth/nonce", UriKind.Relative), null, stop);
                answer = await Owner.AnswerAsync(response, stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                answer = ex is TaskCanceledException ? "timeout" : "connection error";
                await Pause.ForAsync(TimeSpan.FromMilliseconds(100), stop);
            }

            Interlocked.Increment(ref _sent);
            Counts.Add(_answers, answer);
        }
    }
}

/// <summary>
/// Attack 2: from one address, hundreds of TLS connections that complete the handshake and then send nothing,
/// and hundreds of TCP connections that never start the handshake. Each slot reconnects 1 s after the daemon
/// refuses or closes it, so the pressure stays while the owner signs in.
/// </summary>
internal sealed class ConnectionExhaustion(Target target, IPAddress source, int tlsConnections, int rawConnections) : IAttack
{
    private static readonly TimeSpan AtOnce = TimeSpan.FromMilliseconds(500);
    private readonly Gauge _tls = new();
    private readonly Gauge _raw = new();
    private readonly Dictionary<string, int> _failures = new(StringComparer.Ordinal);
    private long _tlsAttempts;
    private long _tlsHandshakes;
    private long _rawAttempts;

    public string Name => "connection exhaustion";

    public string Description =>
        $"One address ({source}) keeps {tlsConnections} idle TLS connections (handshake done, no request) and {rawConnections} TCP connections that never start the handshake open; a slot the daemon refuses or closes reconnects after 1 s.";

    public Task PrepareAsync() => Task.CompletedTask;

    public void MarkEnd()
    {
        _tls.Sample();
        _raw.Sample();
    }

    public async Task RunAsync(CancellationToken stop)
    {
        await Task.WhenAll(
            Enumerable.Range(0, tlsConnections).Select(_ => SlotAsync(tls: true, stop))
                .Concat(Enumerable.Range(0, rawConnections).Select(_ => SlotAsync(tls: false, stop))));
    }

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"TLS: {Interlocked.Read(ref _tlsAttempts)} connects, {Interlocked.Read(ref _tlsHandshakes)} handshakes completed, " +
        $"{_tls.AtSample} held at the end (at most {_tls.Max} at once), {_tls.ClosedAtOnce + _tls.ClosedLater} closed by the daemon after the handshake; " +
        $"raw TCP: {Interlocked.Read(ref _rawAttempts)} connects, {_raw.ClosedAtOnce} closed by the daemon within 0.5 s, {_raw.ClosedLater} later, {_raw.AtSample} open at the end; " +
        $"refusals: {Counts.Snapshot(_failures)}");

    private async Task SlotAsync(bool tls, CancellationToken stop)
    {
        for (var i = 0; i < 1_000 && !stop.IsCancellationRequested; i++)
        {
            Interlocked.Increment(ref tls ? ref _tlsAttempts : ref _rawAttempts);
            try
            {
                using var socket = await target.ConnectAsync(source, stop);
                if (tls)
                {
                    await HoldTlsAsync(socket, stop);
                }
                else
                {
                    await using var stream = new NetworkStream(socket, ownsSocket: false);
                    await _raw.HoldAsync(stream, stop);
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (SocketException ex)
            {
                // Counted by error: a connection the daemon's gate aborts at once may already fail here on loopback.
                Counts.Add(_failures, $"{(tls ? "TLS" : "raw")} connect {ex.SocketErrorCode}");
            }

            await Pause.ForAsync(TimeSpan.FromSeconds(1), stop);
        }
    }

    private async Task HoldTlsAsync(Socket socket, CancellationToken stop)
    {
        await using var stream = new SslStream(new NetworkStream(socket, ownsSocket: false));
        using var handshake = CancellationTokenSource.CreateLinkedTokenSource(stop);
        handshake.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await stream.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = target.Url.Host,
                RemoteCertificateValidationCallback = (_, presented, _, _) => target.IsDeviceCertificate(presented),
            }, handshake.Token);
        }
        catch (Exception ex) when (ex is IOException or AuthenticationException || (ex is OperationCanceledException && !stop.IsCancellationRequested))
        {
            Counts.Add(_failures, ex is OperationCanceledException ? "TLS handshake timed out" : "TLS handshake cut off");
            return;
        }

        Interlocked.Increment(ref _tlsHandshakes);
        await _tls.HoldAsync(stream, stop);
    }

    /// <summary>Open connections now and at most; how soon the daemon closed the others.</summary>
    private sealed class Gauge
    {
        private int _now;
        private int _max;
        private long _closedAtOnce;
        private long _closedLater;

        public int Max => Volatile.Read(ref _max);

        public int AtSample { get; private set; }

        public long ClosedAtOnce => Interlocked.Read(ref _closedAtOnce);

        public long ClosedLater => Interlocked.Read(ref _closedLater);

        public void Sample() => AtSample = Volatile.Read(ref _now);

        /// <summary>Holds the connection, reading (and dropping) anything, until the daemon closes it or stop fires.</summary>
        public async Task HoldAsync(Stream stream, CancellationToken stop)
        {
            var now = Interlocked.Increment(ref _now);
            int max;
            while (now > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max)
            {
            }

            var opened = Stopwatch.GetTimestamp();
            try
            {
                var buffer = new byte[256];
                while (await stream.ReadAsync(buffer, stop) > 0)
                {
                }

                Closed(opened);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (IOException)
            {
                Closed(opened);
            }
            finally
            {
                Interlocked.Decrement(ref _now);
            }
        }

        private void Closed(long opened) =>
            Interlocked.Increment(ref Stopwatch.GetElapsedTime(opened) < AtOnce ? ref _closedAtOnce : ref _closedLater);
    }
}

/// <summary>Attack 3: many addresses (127.1.3.x) sign in without pause with random usernames and wrong passwords.</summary>
internal sealed class LoginSpray(Target target, int sources) : IAttack
{
    private readonly Dictionary<string, int> _answers = new(StringComparer.Ordinal);
    private long _sent;

    public string Name => "login spray";

    public string Description =>
        $"{sources} addresses (127.1.3.1-{sources}), each signing in without pause (nonce + login, one at a time, on a kept-alive connection) with a random username and a wrong password.";

    public Task PrepareAsync() => Task.CompletedTask;

    public void MarkEnd()
    {
    }

    public async Task RunAsync(CancellationToken stop)
    {
        var clients = Enumerable.Range(1, sources).Select(i => target.Client(IPAddress.Parse($"127.1.3.{i}"), maxConnections: 1, cookies: null)).ToArray();
        await Task.WhenAll(clients.Select(c => WorkerAsync(c, stop)));
        foreach (var client in clients)
        {
            client.Dispose();
        }
    }

    public string Summary() => $"{Interlocked.Read(ref _sent)} sign-in attempts; answers: {Counts.Snapshot(_answers)}";

    private async Task WorkerAsync(HttpClient client, CancellationToken stop)
    {
        for (var i = 0; i < 100_000 && !stop.IsCancellationRequested; i++)
        {
            string answer;
            try
            {
                answer = await Owner.SignInAsync(client, "user-" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4)), "wrong " + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8)), stop);
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }

            Interlocked.Increment(ref _sent);
            Counts.Add(_answers, answer);
            if (answer is "timeout" or "connection error")
            {
                await Pause.ForAsync(TimeSpan.FromMilliseconds(100), stop);
            }
        }
    }
}

/// <summary>
/// Attack 4: the viewer account the owner created (bench setup) opens as many live streams as it can, over
/// several sessions from 127.0.0.3, holds them (reading every frame), and asks again every second for those refused.
/// </summary>
internal sealed class LiveViewHog(Target target, string password) : IAttack
{
    public const string Username = "hogviewer";
    public static readonly IPAddress ViewerAddress = IPAddress.Parse("127.0.0.3");
    private const int Sessions = 4;
    private const int StreamsPerSession = 4;
    private readonly Dictionary<string, int> _refusals = new(StringComparer.Ordinal);
    private readonly List<HttpClient> _sessions = [];
    private int _held;
    private int _maxHeld;
    private int _heldAtEnd;

    public string Name => "live-view hog";

    public string Description =>
        $"A viewer account created by the owner signs in {Sessions} times from {ViewerAddress} and asks for {StreamsPerSession} live streams in each session ({Sessions * StreamsPerSession} in all), " +
        "holds every stream it gets (reading the frames), and asks again every second for each one refused. Meanwhile the administrator opens the live view from 127.0.0.1 on a new connection every 0.5 s, waits for the first frame's part headers and closes it.";

    public async Task PrepareAsync()
    {
        for (var i = 0; i < Sessions; i++)
        {
            _sessions.Add(await SessionAsync(target, password));
        }
    }

    public void MarkEnd() => _heldAtEnd = Volatile.Read(ref _held);

    public async Task RunAsync(CancellationToken stop)
    {
        await Task.WhenAll(_sessions.SelectMany(s => Enumerable.Range(0, StreamsPerSession).Select(_ => StreamAsync(s, stop))));
        foreach (var session in _sessions)
        {
            session.Dispose();
        }
    }

    public string Summary() =>
        $"streams held by the viewer at the end: {_heldAtEnd} (at most {Volatile.Read(ref _maxHeld)} at once); its refused requests: {Counts.Snapshot(_refusals)}";

    /// <summary>A signed-in session of the viewer: its own cookies and its anti-CSRF header.</summary>
    public static async Task<HttpClient> SessionAsync(Target target, string password)
    {
        var cookies = new CookieContainer();
        var client = target.Client(ViewerAddress, StreamsPerSession, cookies);
        client.Timeout = Timeout.InfiniteTimeSpan; // Streams are held until stop; every other wait has its own bound.
        using var signIn = new CancellationTokenSource(Owner.RequestTimeout);
        var answer = await Owner.SignInAsync(client, Username, password, signIn.Token);
        if (answer != "200")
        {
            client.Dispose();
            throw new InvalidOperationException($"viewer sign-in failed: {answer}");
        }

        client.DefaultRequestHeaders.Add("X-CSRF-Token", cookies.GetCookies(target.Url)["__Host-iris-csrf"]!.Value);
        return client;
    }

    private async Task StreamAsync(HttpClient session, CancellationToken stop)
    {
        for (var i = 0; i < 1_000 && !stop.IsCancellationRequested; i++)
        {
            try
            {
                using var response = await session.GetAsync(new Uri("/api/media/live", UriKind.Relative), HttpCompletionOption.ResponseHeadersRead, stop);
                if (response.IsSuccessStatusCode)
                {
                    await HoldAsync(response, stop);
                }
                else
                {
                    Counts.Add(_refusals, await Owner.AnswerAsync(response, stop));
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex) when (ex is HttpRequestException or IOException)
            {
                Counts.Add(_refusals, "connection error");
            }

            await Pause.ForAsync(TimeSpan.FromSeconds(1), stop);
        }
    }

    private async Task HoldAsync(HttpResponseMessage response, CancellationToken stop)
    {
        var held = Interlocked.Increment(ref _held);
        int max;
        while (held > (max = Volatile.Read(ref _maxHeld)) && Interlocked.CompareExchange(ref _maxHeld, held, max) != max)
        {
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(stop);
            var buffer = new byte[64 * 1024];
            while (await body.ReadAsync(buffer, stop) > 0)
            {
            }
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
    }
}

internal static class Pause
{
    /// <summary>Waits, or returns early when stop fires.</summary>
    public static async Task ForAsync(TimeSpan delay, CancellationToken stop)
    {
        try
        {
            await Task.Delay(delay, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }
}
