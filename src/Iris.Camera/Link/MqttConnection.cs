using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using Iris.Camera.Identity;
using Iris.Camera.Web;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Exceptions;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Iris.Camera.Link;

/// <summary>
/// How the camera connects to the broker: MQTT 5 over TLS 1.2/1.3 with the daemon's client TLS policy (ECDHE with
/// AES-GCM, broker certificate from the configured CA only, server-auth EKU, host name checked), the device
/// certificate with its device CA as client certificate chain (the broker ties the connection to the serial and can
/// check it against the vendor root alone; <see cref="MqttTlsStreamProvider"/>), client id = serial, and a
/// retained last will "offline" on the state topic. <paramref name="clock"/> checks certificates: the daemon
/// passes its <see cref="ClockFloor"/>.
/// </summary>
internal sealed class MqttConnection(CloudOptions options, DeviceIdentity identity, TimeProvider clock)
{
    private MqttTlsStreamProvider? _tls;

    public string Prefix => $"{options.TopicRoot}/{identity.Serial}";

    public string StateTopic => Prefix + "/state";

    public string AlertTopic => Prefix + "/alerts";

    /// <summary>Signed commands from paired keys arrive here; the only topic besides pairing the camera subscribes to.</summary>
    public string CommandTopic => Prefix + "/commands";

    public string PairTopic => Prefix + "/pair";

    /// <summary>Signed answers to commands and pairing requests.</summary>
    public string ResultTopic => Prefix + "/results";

    public MqttClientOptions ClientOptions()
    {
        // Made again when the administrator names another broker (the handshake checks that name).
        if (_tls is null || _tls.TargetHost != options.BrokerHost)
        {
            _tls = new MqttTlsStreamProvider(
                options.BrokerHost!,
                SslStreamCertificateContext.Create(identity.Certificate, identity.Chain, offline: true),
                ClientTls.LoadTrust(options.CaCertificateFile!),
                clock,
                options.OperationTimeout);
        }

        return new MqttClientOptionsBuilder()
            .WithTcpServer(options.BrokerHost, options.BrokerPort)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(identity.Serial)
            // A persistent session: QoS 1 messages in flight when the link broke are resent by the broker's rules.
            .WithCleanStart(false)
            .WithSessionExpiryInterval((uint)TimeSpan.FromDays(1).TotalSeconds)
            .WithKeepAlivePeriod(options.KeepAlive)
            // Commands and pairing requests are small; the broker must not hand the camera anything larger.
            .WithMaximumPacketSize(64 * 1024)
            .WithTimeout(options.OperationTimeout)
            .WithWillTopic(StateTopic)
            .WithWillPayload("offline")
            .WithWillRetain()
            .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            // TLS is done by the stream provider (it presents the device CA with the certificate); MQTTnet's must stay off.
            .WithTlsOptions(tls => tls.UseTls(false))
            .WithStreamProvider(_tls)
            .Build();
    }

    /// <summary>Why a connection attempt or a live link failed, in words for the status page (no secrets, no exception text).</summary>
    public static string Describe(Exception failure)
    {
        for (var e = failure; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case AuthenticationException:
                    return "TLS handshake refused (broker certificate not from the configured CA, or protocol or cipher suite not allowed)";
                case MqttConnectingFailedException:
                    return "broker refused the connection (certificate, client id or authorisation)";
                case MqttCommunicationTimedOutException or TimeoutException:
                    return "no answer from the broker in time";
                case SocketException socket when socket.SocketErrorCode == SocketError.HostNotFound || socket.SocketErrorCode == SocketError.TryAgain:
                    return "broker name could not be resolved (DNS)";
                case SocketException socket:
                    return $"network error ({socket.SocketErrorCode})";
                case LinkRefusedException refusal:
                    return refusal.Reason;
            }
        }

        return "connection lost";
    }
}

/// <summary>The broker answered but did not take a message; the link is dropped and retried.</summary>
internal sealed class LinkRefusedException(string reason) : Exception(reason)
{
    public string Reason { get; } = reason;
}
