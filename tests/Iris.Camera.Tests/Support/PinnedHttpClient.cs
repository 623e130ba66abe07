using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;

namespace Iris.Camera.Tests.Support;

/// <summary>An HTTPS client that trusts exactly one certificate: the device certificate of the camera under test.</summary>
public static class PinnedHttpClient
{
    public static HttpClient Create(Uri baseAddress, X509Certificate2 expected, SslProtocols protocols = SslProtocols.Tls12 | SslProtocols.Tls13)
    {
        var handler = new SocketsHttpHandler
        {
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
