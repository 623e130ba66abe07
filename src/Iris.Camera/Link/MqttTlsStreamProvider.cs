using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using Iris.Camera.Web;
using MQTTnet.Channel;

namespace Iris.Camera.Link;

/// <summary>
/// Opens the broker connection and does the TLS handshake itself, so the camera presents its whole chain (device
/// certificate and device CA) and a broker that trusts only the vendor root can check it. MQTTnet's own TLS takes
/// only a certificate collection, and .NET then sends what it can chain from this machine's stores: on a camera,
/// the leaf alone. The link's TLS options stay off, so MQTTnet carries MQTT over this stream without wrapping it
/// again. Same policy as every client connection of the daemon (<see cref="TlsPolicy"/>, <see cref="ClientTls"/>).
/// The connection and the handshake together have <paramref name="timeout"/>: MQTTnet times only the packets after
/// them, so a broker that accepts and then never answers (attack finding A9) would otherwise hold the link forever.
/// </summary>
internal sealed class MqttTlsStreamProvider(
    string targetHost,
    SslStreamCertificateContext clientCertificate,
    X509Certificate2Collection trust,
    TimeProvider clock,
    TimeSpan timeout) : IMqttClientStreamProvider
{
    public string TargetHost => targetHost;

    public async Task<Stream> ConnectAsync(EndPoint brokerEndPoint, CancellationToken cancellationToken)
    {
        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        SslStream? tls = null;
        using var deadline = new CancellationTokenSource(timeout, clock);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, deadline.Token);
        try
        {
            await socket.ConnectAsync(brokerEndPoint, limit.Token);
            tls = new SslStream(new NetworkStream(socket, ownsSocket: true), leaveInnerStreamOpen: false);
            await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
            {
                TargetHost = targetHost,
                EnabledSslProtocols = TlsPolicy.Protocols,
                CipherSuitesPolicy = TlsPolicy.CreateCipherSuitesPolicy(),
                CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
                AllowRenegotiation = false,
                ClientCertificateContext = clientCertificate,
                RemoteCertificateValidationCallback = (_, certificate, _, errors) => ClientTls.ValidateServer(certificate, errors, trust, clock),
            }, limit.Token);
            return tls;
        }
        catch (Exception e)
        {
            if (tls is not null)
            {
                await tls.DisposeAsync();
            }

            socket.Dispose();
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
            {
                throw new TimeoutException("The broker did not complete the connection in time.", e);
            }

            throw;
        }
    }
}
