using Iris.Firmware.Agent;
using Iris.Firmware.Metadata;

namespace Iris.Camera.Updates;

/// <summary>The transport of a daemon with no <see cref="UpdateOptions.RepositoryUrl"/>: every fetch says so.</summary>
internal sealed class UnconfiguredRepository : IRepositoryTransport, IBundleDownloader
{
    public static readonly UpdateOutcome NotConfigured = new(UpdateCode.Unreachable, "no update repository is configured");

    public Task<FetchResult> FetchAsync(string path, long maxLength, CancellationToken cancellationToken) =>
        Task.FromResult(FetchResult.Failed(NotConfigured));

    public Task<UpdateOutcome> DownloadAsync(string path, string destination, long signedLength, IProgress<long>? progress, CancellationToken cancellationToken) =>
        Task.FromResult(NotConfigured);
}
