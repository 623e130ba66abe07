using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Iris.Lab.Ixit;

namespace Iris.Lab.Alerts;

/// <summary>
/// The HTTPS receiver of a declared webhook: listens on the port of the IXIT's url (the device was set to post
/// there), answers every complete POST with 200 (so the device does not retry) and keeps its body, with whether the
/// HMAC-SHA-256 signature verifies under the key the IXIT gives (compared in constant time). Requests are bounded
/// (16 KiB of headers, 1 MiB of body, 10 s each), as the lab's own port faces the device under test.
/// </summary>
internal sealed class WebhookReceiver : IAlertListener
{
    private const int MaxHeaderBytes = 16 * 1024;
    private const int MaxBodyBytes = 1024 * 1024;
    private readonly TcpListener listener;
    private readonly X509Certificate2 certificate;
    private readonly byte[]? key;
    private readonly CancellationTokenSource stopping = new();
    private readonly Task accepting;

    private WebhookReceiver(IxitAlertChannel channel, TcpListener listener, X509Certificate2 certificate, byte[]? key)
    {
        Channel = channel;
        this.listener = listener;
        this.certificate = certificate;
        this.key = key;
        accepting = AcceptAsync();
    }

    public IxitAlertChannel Channel { get; }

    public string Describe => $"webhook {Channel.Url}";

    public ConcurrentQueue<ReceivedAlert> Received { get; } = [];

    /// <summary>Opens the receiver; <paramref name="certificatePem"/> (certificate and key) is what it presents, and must be one the device trusts.</summary>
    public static WebhookReceiver Open(IxitAlertChannel channel, string? certificatePem)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (!Uri.TryCreate(channel.Url, UriKind.Absolute, out var url) || url.Scheme != Uri.UriSchemeHttps)
        {
            throw new InvalidDataException($"The IXIT's webhook needs an https:// url of the lab's receiver (got '{channel.Url}').");
        }

        if (certificatePem is null)
        {
            throw new InvalidDataException("A webhook receiver needs --alert-cert: the certificate and key it presents, issued by a CA the device trusts.");
        }

        var key = channel.HmacKey is { } text ? Convert.FromBase64String(Base64Padded(text.Replace('-', '+').Replace('_', '/'))) : null;
        var address = IPAddress.TryParse(url.Host, out var ip) ? ip : IPAddress.Any;
        var listener = new TcpListener(address, url.Port);
        listener.Start();
        return new WebhookReceiver(channel, listener, X509Certificate2.CreateFromPemFile(certificatePem), key);
    }

    public async ValueTask DisposeAsync()
    {
        await stopping.CancelAsync();
        listener.Stop();
        try
        {
            await accepting;
        }
        catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }

        certificate.Dispose();
        stopping.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!stopping.IsCancellationRequested)
        {
            var client = await listener.AcceptTcpClientAsync(stopping.Token);
            _ = Task.Run(() => ServeAsync(client));
        }
    }

    private async Task ServeAsync(TcpClient client)
    {
        using var _ = client;
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(stopping.Token);
        deadline.CancelAfter(TimeSpan.FromSeconds(10));
        try
        {
            await using var tls = new SslStream(client.GetStream());
            await tls.AuthenticateAsServerAsync(new SslServerAuthenticationOptions { ServerCertificate = certificate }, deadline.Token);
            while (await ReadRequestAsync(tls, deadline.Token) is { } request)
            {
                Received.Enqueue(new ReceivedAlert($"{request.Method} {request.Path}", Encoding.UTF8.GetString(request.Body), Verify(request)));
                await tls.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n"u8.ToArray(), deadline.Token);
            }
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or System.Security.Authentication.AuthenticationException or InvalidDataException)
        {
            // A device that breaks off, or sends what this receiver does not take, delivered nothing: the verdict says so.
        }
    }

    private bool? Verify(WebhookRequest request)
    {
        if (key is null)
        {
            return null;
        }

        var header = Channel.SignatureHeader ?? "Iris-Signature";
        if (!request.Headers.TryGetValue(header, out var value))
        {
            return false;
        }

        var hex = value.StartsWith("sha256=", StringComparison.OrdinalIgnoreCase) ? value[7..] : value;
        var expected = HMACSHA256.HashData(key, request.Body);
        try
        {
            return CryptographicOperations.FixedTimeEquals(expected, Convert.FromHexString(hex.Trim()));
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private sealed record WebhookRequest(string Method, string Path, Dictionary<string, string> Headers, byte[] Body);

    /// <summary>One request, or null when the device closed the connection between requests.</summary>
    private static async Task<WebhookRequest?> ReadRequestAsync(Stream stream, CancellationToken cancellationToken)
    {
        var head = new List<byte>();
        var one = new byte[1];
        while (head.Count < 4 || head[^4] != '\r' || head[^3] != '\n' || head[^2] != '\r' || head[^1] != '\n')
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return head.Count == 0 ? null : throw new InvalidDataException("The request ended inside its headers.");
            }

            head.Add(one[0]);
            if (head.Count > MaxHeaderBytes)
            {
                throw new InvalidDataException("Request headers too long.");
            }
        }

        var lines = Encoding.ASCII.GetString([.. head]).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var start = lines[0].Split(' ');
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in lines.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon > 0)
            {
                headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
            }
        }

        var length = headers.TryGetValue("Content-Length", out var text) && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : 0;
        if (length > MaxBodyBytes || start.Length < 2)
        {
            throw new InvalidDataException("Request too large or malformed.");
        }

        var body = new byte[length];
        await stream.ReadExactlyAsync(body, cancellationToken);
        return new WebhookRequest(start[0], start[1], headers, body);
    }

    private static string Base64Padded(string text) => text.PadRight(text.Length + ((4 - (text.Length % 4)) % 4), '=');
}
