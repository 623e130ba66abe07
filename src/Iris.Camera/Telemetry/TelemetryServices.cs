using Iris.Camera.Web;

namespace Iris.Camera.Telemetry;

/// <summary>The telemetry receiver connection, declared only as what the settings enable.</summary>
internal sealed class TelemetryServices(TelemetryOptions telemetry) : IDeclaresServices
{
    public IEnumerable<ServiceDeclaration> Outgoing =>
    [
        new ServiceDeclaration(
            "telemetry",
            "tcp",
            telemetry.IsConfigured ? telemetry.Endpoint! : "off until configured",
            "TLS 1.2/1.3, ECDHE with AES-GCM only; receiver certificate must chain to the configured CA",
            "Health and usage counters, only after an administrator consents (5.7.1.2); stops at once on withdrawal.",
            TelemetryOptions.SectionName + ":Endpoint"),
    ];
}
