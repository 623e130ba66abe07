using Iris.Camera.Web;

namespace Iris.Camera.Link;

/// <summary>The broker and webhook connections, declared as what the settings enable.</summary>
internal sealed class LinkServices(CloudOptions cloud) : IDeclaresServices
{
    private const string Tls = "TLS 1.2/1.3, ECDHE with AES-GCM only; server certificate must chain to the configured CA; device certificate as client certificate";

    public IEnumerable<ServiceDeclaration> Outgoing =>
    [
        new ServiceDeclaration(
            "platform-mqtt",
            "tcp",
            cloud.MqttConfigured ? $"{cloud.BrokerHost}:{cloud.BrokerPort}" : "off until configured",
            Tls,
            "MQTT 5 link to the owner's platform: pushed alerts with the device serial (5.8.1.1), online state.",
            CloudOptions.SectionName + ":BrokerHost"),
        new ServiceDeclaration(
            "alert-webhook",
            "tcp",
            cloud.WebhookUrl?.GetLeftPart(UriPartial.Authority) ?? "off until configured",
            Tls + "; body signed with HMAC-SHA-256",
            "Pushed alerts with the device serial to an HTTPS receiver (5.8.1.1).",
            CloudOptions.SectionName + ":WebhookUrl"),
        new ServiceDeclaration(
            "remote-view-relay",
            "tcp",
            cloud.MqttConfigured ? "the relay a signed remote-view-start command names, only while a view runs" : "off until configured",
            Tls + "; WebSocket; every fragment sealed end to end with AES-256-GCM (ECDH P-256 + HKDF-SHA-256)",
            "End-to-end encrypted remote view through a relay (docs/platform-protocol.md).",
            CloudOptions.SectionName + ":BrokerHost"),
    ];
}
