using Iris.Camera.Identity;
using MQTTnet;
using MQTTnet.Protocol;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Link;

/// <summary>
/// Keeps the MQTT link up and drains the outbox into it (5.8.1.1, 5.6.1.1): connect, publish the retained
/// "online" state, then publish each waiting alert at QoS 1 in order, marking it delivered only after the broker's
/// acknowledgement. Any failure drops the connection and retries after an exponential back-off with jitter, so
/// the link recovers by itself within <see cref="CloudOptions.MaximumRetryDelay"/> of the network returning.
/// </summary>
internal sealed partial class MqttLink(
    CloudOptions options,
    MqttConnection connection,
    AlertOutbox outbox,
    DeviceIdentity identity,
    LinkStatus status,
    RemoteCommands commands,
    HomeAssistantDiscovery homeAssistant,
    HomeAssistantCommands homeAssistantCommands,
    IJitter jitter,
    LinkRestart restart,
    TimeProvider time,
    ILogger<MqttLink> logger) : BackgroundService
{
    private const int Batch = 100;

    /// <summary>One round per settings: a change (<see cref="LinkRestart"/>) ends the round and the next starts on the new ones.</summary>
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => restart.RunRoundsAsync(() => options.MqttConfigured, RunAsync, stoppingToken);

    private async Task RunAsync(CancellationToken stoppingToken)
    {
        using var signal = new OutboxSignal(outbox);
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            string reason;
            using (var client = new MqttClientFactory().CreateMqttClient())
            {
                try
                {
                    status.Set(LinkChannel.Mqtt, LinkState.Connecting);
                    client.ApplicationMessageReceivedAsync += e =>
                    {
                        // Handled off the client's receive loop: answering publishes and waits for an acknowledgement.
                        var topic = e.ApplicationMessage.Topic;
                        var payload = System.Buffers.BuffersExtensions.ToArray(e.ApplicationMessage.Payload);
                        _ = Task.Run(() => AnswerAsync(client, topic, payload, stoppingToken), stoppingToken);
                        return Task.CompletedTask;
                    };
                    await client.ConnectAsync(connection.ClientOptions(), stoppingToken);
                    await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder()
                        .WithTopicFilter(connection.CommandTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                        .WithTopicFilter(connection.PairTopic, MqttQualityOfServiceLevel.AtLeastOnce)
                        // Listened to even while Home Assistant commands are off, so each attempt is refused and logged.
                        .WithTopicFilter(homeAssistantCommands.Filter, MqttQualityOfServiceLevel.AtLeastOnce)
                        .Build(), stoppingToken);
                    await PublishAsync(client, connection.StateTopic, "online"u8.ToArray(), retain: true, stoppingToken);
                    foreach (var (topic, payload, retain) in homeAssistant.Messages())
                    {
                        await PublishAsync(client, topic, payload, retain, stoppingToken);
                    }

                    failures = 0;
                    status.Set(LinkChannel.Mqtt, LinkState.Connected);
                    LogConnected(logger, options.BrokerHost!, options.BrokerPort);
                    await DrainWhileConnectedAsync(client, signal, stoppingToken);
                    reason = "connection lost";
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    await CloseAsync(client);
                    break;
                }
                catch (Exception ex) when (ex is not OutOfMemoryException)
                {
                    reason = MqttConnection.Describe(ex);
                }
            }

            failures++;
            var delay = RetryDelay.For(failures, options.MinimumRetryDelay, options.MaximumRetryDelay, jitter);
            status.Set(LinkChannel.Mqtt, LinkState.Retrying, reason, time.GetUtcNow() + delay);
            LogRetrying(logger, reason, delay.TotalSeconds);
            try
            {
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }
        }

        status.Set(LinkChannel.Mqtt, LinkState.Off);
    }

    private async Task DrainWhileConnectedAsync(IMqttClient client, OutboxSignal signal, CancellationToken stoppingToken)
    {
        while (client.IsConnected)
        {
            foreach (var (topic, payload, retain) in homeAssistant.Changes())
            {
                await PublishAsync(client, topic, payload, retain, stoppingToken);
            }

            var pending = outbox.Pending(LinkChannel.Mqtt, Batch);
            if (pending.Count == 0)
            {
                // Woken by the next alert; the timeout only re-checks the connection (the client pings on its own).
                await signal.WaitAsync(TimeSpan.FromSeconds(1), time, stoppingToken);
                continue;
            }

            var overflowed = outbox.Overflowed();
            foreach (var entry in pending)
            {
                await PublishAsync(client, connection.AlertTopic, AlertMessage.From(entry, identity, overflowed).ToUtf8(), retain: false, stoppingToken);
                foreach (var (topic, payload, retain) in homeAssistant.ForAlert(entry))
                {
                    await PublishAsync(client, topic, payload, retain, stoppingToken);
                }

                outbox.Delivered(LinkChannel.Mqtt, entry.Seq);
                status.Delivered(LinkChannel.Mqtt);
            }
        }
    }

    private async Task AnswerAsync(IMqttClient client, string topic, byte[] payload, CancellationToken stoppingToken)
    {
        try
        {
            if (homeAssistantCommands.IsCommand(topic))
            {
                foreach (var (stateTopic, state, retain) in await homeAssistantCommands.HandleAsync(topic, payload, stoppingToken))
                {
                    await PublishAsync(client, stateTopic, state, retain, stoppingToken);
                }

                return;
            }

            var answer = topic == connection.PairTopic ? commands.Pair(payload) : await commands.HandleAsync(payload, stoppingToken);
            await PublishAsync(client, connection.ResultTopic, System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(answer, LinkMessageJson.Default.SignedEnvelope), retain: false, stoppingToken);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogAnswerFailed(logger, topic);
        }
    }

    private static async Task PublishAsync(IMqttClient client, string topic, byte[] payload, bool retain, CancellationToken cancellationToken)
    {
        var message = new MqttApplicationMessageBuilder()
            .WithTopic(topic)
            .WithPayload(payload)
            .WithContentType("application/json")
            .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
            .WithRetainFlag(retain)
            .Build();
        var result = await client.PublishAsync(message, cancellationToken);
        if (!result.IsSuccess)
        {
            // Not authorised (ACL) or over quota: nothing later would fare better on this connection.
            throw new LinkRefusedException($"broker did not accept a message ({result.ReasonCode})");
        }
    }

    private async Task CloseAsync(IMqttClient client)
    {
        if (!client.IsConnected)
        {
            return;
        }

        try
        {
            // A clean stop says "offline" itself; the will covers only crashes and lost networks.
            using var shortly = new CancellationTokenSource(TimeSpan.FromSeconds(2), time);
            await PublishAsync(client, connection.StateTopic, "offline"u8.ToArray(), retain: true, shortly.Token);
            await client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), shortly.Token);
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            LogCloseFailed(logger);
        }
    }

    [LoggerMessage(EventId = 7000, Level = LogLevel.Information, Message = "Platform link connected to {Host}:{Port}.")]
    private static partial void LogConnected(ILogger logger, string host, int port);

    [LoggerMessage(EventId = 7001, Level = LogLevel.Warning, Message = "Platform link down ({Reason}); retrying in {Seconds:F1} s.")]
    private static partial void LogRetrying(ILogger logger, string reason, double seconds);

    [LoggerMessage(EventId = 7003, Level = LogLevel.Warning, Message = "Could not answer a message on {Topic}.")]
    private static partial void LogAnswerFailed(ILogger logger, string topic);

    [LoggerMessage(EventId = 7002, Level = LogLevel.Debug, Message = "Platform link could not say offline before stopping.")]
    private static partial void LogCloseFailed(ILogger logger);
}
