using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using Iris.Lab.Ixit;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Iris.Lab.Alerts;

/// <summary>
/// The lab's subscription to the alert topic the IXIT names (MQTT 5, "mqtt://" in clear or "mqtts://" over TLS),
/// opened before any wrong password is sent, so no alert the device publishes is missed. Keeps every message.
/// </summary>
internal sealed class AlertSubscription : IAlertListener
{
    private readonly IMqttClient client;

    private AlertSubscription(IMqttClient client, IxitAlertChannel channel)
    {
        this.client = client;
        Channel = channel;
        client.ApplicationMessageReceivedAsync += e =>
        {
            Received.Enqueue(new ReceivedAlert(e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString(), null));
            return Task.CompletedTask;
        };
    }

    public IxitAlertChannel Channel { get; }

    public string Describe => $"{Channel.Topic} at {Channel.Broker}";

    public ConcurrentQueue<ReceivedAlert> Received { get; } = [];

    /// <summary>
    /// Connects and subscribes. <paramref name="clientCertificate"/> (PEM, certificate and key) is presented when the
    /// broker names its clients by certificate; <paramref name="trustedCa"/> (PEM) is the only CA trusted for the
    /// broker, else the system's store.
    /// </summary>
    public static async Task<AlertSubscription> OpenAsync(IxitAlertChannel channel, string? clientCertificate, string? trustedCa, TimeSpan timeout, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(channel);
        if (!Uri.TryCreate(channel.Broker, UriKind.Absolute, out var broker) || broker.Scheme is not ("mqtt" or "mqtts") || string.IsNullOrEmpty(channel.Topic))
        {
            throw new InvalidDataException($"The IXIT's MQTT alert channel needs broker mqtt://HOST:PORT or mqtts://HOST:PORT and a topic (got '{channel.Broker}', '{channel.Topic}').");
        }

        var tls = broker.Scheme == "mqtts";
        var builder = new MqttClientOptionsBuilder()
            .WithTcpServer(broker.Host, broker.IsDefaultPort ? (tls ? 8883 : 1883) : broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId("iris-lab-" + Guid.NewGuid().ToString("N")[..12])
            .WithCleanStart(true)
            .WithTimeout(timeout);
        if (tls)
        {
            var certificates = clientCertificate is null ? null : new[] { X509Certificate2.CreateFromPemFile(clientCertificate) };
            X509Certificate2Collection? anchors = null;
            if (trustedCa is not null)
            {
                anchors = [];
                anchors.ImportFromPemFile(trustedCa);
            }

            builder.WithTlsOptions(o =>
            {
                o.UseTls().WithTargetHost(broker.Host);
                if (certificates is not null)
                {
                    o.WithClientCertificates(certificates);
                }

                if (anchors is not null)
                {
                    o.WithCertificateValidationHandler(args =>
                    {
                        using var chain = new X509Chain();
                        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                        chain.ChainPolicy.CustomTrustStore.AddRange(anchors);
                        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                        using var presented = X509CertificateLoader.LoadCertificate(args.Certificate.GetRawCertData());
                        return chain.Build(presented);
                    });
                }
            });
        }

        var client = new MqttClientFactory().CreateMqttClient();
        var subscription = new AlertSubscription(client, channel);
        try
        {
            await client.ConnectAsync(builder.Build(), cancellationToken);
            var result = await client.SubscribeAsync(channel.Topic, MqttQualityOfServiceLevel.AtLeastOnce, cancellationToken);
            var code = result.Items.FirstOrDefault()?.ResultCode;
            if (code is not (MqttClientSubscribeResultCode.GrantedQoS0 or MqttClientSubscribeResultCode.GrantedQoS1 or MqttClientSubscribeResultCode.GrantedQoS2))
            {
                throw new InvalidOperationException($"The broker refused the subscription to '{channel.Topic}' ({code}).");
            }

            return subscription;
        }
        catch
        {
            await subscription.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (client.IsConnected)
        {
            await client.DisconnectAsync();
        }

        client.Dispose();
    }
}
