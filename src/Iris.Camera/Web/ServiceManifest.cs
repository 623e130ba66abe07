using System.Globalization;
using System.Text;

namespace Iris.Camera.Web;

/// <summary>One network service the daemon may run: a socket it listens on or a connection it may open.</summary>
public sealed record ServiceDeclaration(string Name, string Transport, string Endpoint, string Security, string Purpose, string ConfiguredBy);

/// <summary>Every network service of the daemon, in one place (5.2.2.1).</summary>
public sealed record ServiceManifestDocument(IReadOnlyList<ServiceDeclaration> Listeners, IReadOnlyList<ServiceDeclaration> Outgoing);

/// <summary>A module's network services: sockets it listens on and connections it may open.</summary>
public interface IDeclaresServices
{
    IEnumerable<ServiceDeclaration> Listeners => [];

    IEnumerable<ServiceDeclaration> Outgoing => [];
}

/// <summary>
/// The daemon's declared network surface (5.2.2.1), assembled from what each module declares through
/// <see cref="IDeclaresServices"/>, next to the option that enables the service. Everything not declared is off:
/// a test compares the process's real sockets with the listeners.
/// </summary>
internal sealed class ServiceManifest(IEnumerable<IDeclaresServices> modules)
{
    public ServiceManifestDocument Document()
    {
        var all = modules.ToList();
        return new ServiceManifestDocument([.. all.SelectMany(m => m.Listeners)], [.. all.SelectMany(m => m.Outgoing)]);
    }

    /// <summary>The Markdown kept in docs/service-manifest.md; a test fails when the two differ.</summary>
    public static string ToMarkdown(ServiceManifestDocument manifest)
    {
        var text = new StringBuilder();
        text.AppendLine("# Service manifest (generated)");
        text.AppendLine();
        text.AppendLine("Every network service of the Iris camera daemon (IoT-1005-1 5.2.2.1). Nothing else listens or connects.");
        text.AppendLine("Generated from what each module declares (`IDeclaresServices`) with the default settings; the device serves the");
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
