using Iris.Camera.Web;

namespace Iris.Camera.Updates;

/// <summary>The update repository connection, declared only as what the settings enable.</summary>
internal sealed class UpdatesServices(UpdateOptions updates) : IDeclaresServices
{
    public IEnumerable<ServiceDeclaration> Outgoing =>
    [
        new ServiceDeclaration(
            "update-repository",
            "tcp",
            updates.IsConfigured ? updates.RepositoryUrl! : "off until configured",
            "TLS 1.2/1.3, ECDHE with AES-GCM only; server certificate must chain to the configured update CA",
            $"Signed, encrypted software updates: metadata and bundles, checked every {updates.CheckInterval.TotalHours:0} h and on demand.",
            UpdateOptions.SectionName + ":RepositoryUrl"),
    ];
}
