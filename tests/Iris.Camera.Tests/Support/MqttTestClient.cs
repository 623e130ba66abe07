using System.Collections.Concurrent;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Iris.Camera.Tests.Support;

/// <summary>
/// An MQTT 5 client of the test's own (the owner's platform, or another camera) on a <see cref="MosquittoBroker"/>,
/// with its own client certificate; it keeps every message it receives, in arrival order.
/// </summary>
public sealed class MqttTestClient : IAsyncDisposable
{
    private readonly IMqttClient _client;
    private readonly MqttClientOptions _options;

    private MqttTestClient(IMqttClient client, MqttClientOptions options)
    {
        _client = client;
        _options = options;
        _client.ApplicationMessageReceivedAsync += e =>
        {
            // An empty payload (a retained message being removed) converts to null; it is kept as "".
            Received.Enqueue((e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString() ?? "", e.ApplicationMessage.Retain));
            return Task.CompletedTask;
        };
    }

    public ConcurrentQueue<(string Topic, string Payload, bool Retained)> Received { get; } = [];

    public IMqttClient Client => _client;

    /// <summary>
    /// Connects as <paramref name="certificate"/>'s common name. A persistent session (<paramref name="persistent"/>)
    /// keeps QoS 1 messages at the broker while this client is away, as a platform's subscriber would.
    /// </summary>
    public static async Task<MqttTestClient> ConnectAsync(MosquittoBroker broker, X509Certificate2 certificate, string clientId, bool persistent = false)
    {
        var ca = broker.Ca;
        var options = new MqttClientOptionsBuilder()
            .WithTcpServer("127.0.0.1", broker.Port)
            .WithProtocolVersion(MqttProtocolVersion.V500)
            .WithClientId(clientId)
            .WithCleanStart(!persistent)
            .WithSessionExpiryInterval(persistent ? 3600u : 0u)
            .WithTimeout(TimeSpan.FromSeconds(10))
            .WithTlsOptions(tls => tls
                .UseTls()
                .WithTargetHost("127.0.0.1")
                .WithClientCertificates([certificate])
                .WithCertificateValidationHandler(args =>
                {
                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(ca);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(args.Certificate));
                }))
            .Build();
        var client = new MqttClientFactory().CreateMqttClient();
        var wrapper = new MqttTestClient(client, options);
        await client.ConnectAsync(options);
        return wrapper;
    }

    public Task ReconnectAsync() => _client.ConnectAsync(_options);

    public async Task SubscribeAsync(string filter) =>
        await _client.SubscribeAsync(filter, MqttQualityOfServiceLevel.AtLeastOnce);

    /// <summary>The alert messages received so far on <paramref name="topic"/>, parsed.</summary>
    public List<JsonElement> Alerts(string topic) =>
        [.. Received.Where(m => m.Topic == topic).Select(m => JsonDocument.Parse(m.Payload).RootElement.Clone())];

    /// <summary>Waits until <paramref name="done"/> holds for what was received, or fails after <paramref name="timeout"/>.</summary>
    public async Task WaitUntilAsync(Func<MqttTestClient, bool> done, TimeSpan timeout, string what)
    {
        using var cancel = new CancellationTokenSource(timeout);
        while (!done(this))
        {
            if (cancel.IsCancellationRequested)
            {
                Assert.Fail($"Timed out waiting for {what}; received {Received.Count}: {string.Join("\n", Received.Take(20).Select(m => m.Topic + " " + m.Payload))}");
            }

            await Task.Delay(50, CancellationToken.None);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_client.IsConnected)
        {
            await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
        }

        _client.Dispose();
    }
}
