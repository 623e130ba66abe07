using System.Globalization;
using System.Text;
using Iris.Camera.Hosting;

namespace Iris.Camera.Web;

/// <summary>One network service the daemon may run: a socket it listens on or a connection it may open.</summary>
public sealed record ServiceDeclaration(string Name, string Transport, string Endpoint, string Security, string Purpose, string ConfiguredBy);

/// <summary>Every network service of the daemon, in one place (5.2.2.1).</summary>
public sealed record ServiceManifestDocument(IReadOnlyList<ServiceDeclaration> Listeners, IReadOnlyList<ServiceDeclaration> Outgoing);

/// <summary>
/// The daemon's declared network surface (5.2.2.1). Everything not declared here is off: a test compares the
/// process's real sockets with <see cref="Listeners"/>. A later capability that opens a connection (update
/// server, alert broker, telemetry) adds its declaration here, next to its option that enables it.
/// </summary>
internal static class ServiceManifest
{
    public static ServiceManifestDocument For(HttpsOptions https, Updates.UpdateOptions updates, Telemetry.TelemetryOptions telemetry) => new(
        Listeners:
        [
            new ServiceDeclaration(
                "https",
                "tcp",
                https.Listen,
                TlsPolicy.Describe,
                "Web UI and API: device information, and every later management and video function.",
                HttpsOptions.SectionName + ":Listen (--listen)"),
        ],
        Outgoing:
        [
            new ServiceDeclaration(
                "update-repository",
                "tcp",
                updates.IsConfigured ? updates.RepositoryUrl! : "off until configured",
                "TLS 1.2/1.3, ECDHE with AES-GCM only; server certificate must chain to the configured update CA",
                $"Signed, encrypted software updates: metadata and bundles, checked every {updates.CheckInterval.TotalHours:0} h and on demand.",
                Updates.UpdateOptions.SectionName + ":RepositoryUrl"),
            new ServiceDeclaration(
                "telemetry",
                "tcp",
                telemetry.IsConfigured ? telemetry.Endpoint! : "off until configured",
                "TLS 1.2/1.3, ECDHE with AES-GCM only; receiver certificate must chain to the configured CA",
                "Health and usage counters, only after an administrator consents (5.7.1.2); stops at once on withdrawal.",
                Telemetry.TelemetryOptions.SectionName + ":Endpoint"),
        ]);

    /// <summary>The Markdown kept in docs/service-manifest.md; a test fails when the two differ.</summary>
    public static string ToMarkdown(ServiceManifestDocument manifest)
    {
        var text = new StringBuilder();
        text.AppendLine("# Service manifest (generated)");
        text.AppendLine();
        text.AppendLine("Every network service of the Iris camera daemon (IoT-1005-1 5.2.2.1). Nothing else listens or connects.");
        text.AppendLine("Generated from `src/Iris.Camera/Web/ServiceManifest.cs` with the default settings; the device serves the");
        text.AppendLine("live version at `GET /api/device/services`. Regenerate with `IRIS_UPDATE_DOCS=1 dotnet test`.");
        AppendTable(text, "Listening sockets", manifest.Listeners);
        AppendTable(text, "Outgoing connections", manifest.Outgoing);
        return text.ToString();
    }

    private static void AppendTable(StringBuilder text, string heading, IReadOnlyList<ServiceDeclaration> services)
    {
        text.AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"## {heading}");
        text.AppendLine();
        if (services.Count == 0)
        {
            text.AppendLine("None.");
            return;
        }

        text.AppendLine("| name | transport | endpoint | security | purpose | configured by |");
        text.AppendLine("|---|---|---|---|---|---|");
        foreach (var s in services)
        {
            text.AppendLine(CultureInfo.InvariantCulture, $"| {s.Name} | {s.Transport} | `{s.Endpoint}` | {s.Security} | {s.Purpose} | `{s.ConfiguredBy}` |");
        }
    }
}
