using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Tests.Support;

/// <summary>An HTTPS client that trusts exactly one certificate: the device certificate of the camera under test.</summary>
public static class PinnedHttpClient
{
    /// <param name="localAddress">Bind the client to this loopback address (127.0.0.0/8), to act as another source.</param>
    public static HttpClient Create(Uri baseAddress, X509Certificate2 expected, SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13, IPAddress? localAddress = null)
    {
        var handler = new SocketsHttpHandler
        {
            ConnectCallback = localAddress is null ? null : async (context, cancellationToken) =>
            {
                var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(localAddress, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, cancellationToken);
                    return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
            AllowAutoRedirect = false,
            UseCookies = false,
            SslOptions = new SslClientAuthenticationOptions
            {
                EnabledSslProtocols = protocols,
                RemoteCertificateValidationCallback = (_, certificate, _, _) =>
                    certificate is not null && certificate.GetRawCertData().AsSpan().SequenceEqual(expected.RawData),
            },
        };
        return new HttpClient(handler) { BaseAddress = baseAddress, DefaultRequestVersion = HttpVersion.Version11 };
    }

    public static X509Certificate2 ReadDeviceCertificate(string dataDirectory) =>
        X509Certificate2.CreateFromPem(File.ReadAllText(Path.Combine(dataDirectory, "identity", "device-cert.pem")));
}
