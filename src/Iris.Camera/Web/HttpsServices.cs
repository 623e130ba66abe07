namespace Iris.Camera.Web;

/// <summary>The one listening socket: HTTPS for the web UI and API.</summary>
internal sealed class HttpsServices(HttpsOptions https) : IDeclaresServices
{
    public IEnumerable<ServiceDeclaration> Listeners =>
    [
        new ServiceDeclaration(
            "https",
            "tcp",
            https.Listen,
            TlsPolicy.Describe,
            "Web UI and API: device information, and every later management and video function.",
            HttpsOptions.SectionName + ":Listen (--listen)"),
    ];
}
