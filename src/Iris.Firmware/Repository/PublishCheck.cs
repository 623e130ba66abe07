using Iris.Firmware.Metadata;

namespace Iris.Firmware.Repository;

/// <summary>What one publishing step will write: metadata files in write order (timestamp last) and at most one bundle.</summary>
public sealed class StagedChange
{
    private readonly List<KeyValuePair<string, byte[]>> _files = [];

    public IReadOnlyList<KeyValuePair<string, byte[]>> Files => _files;

    /// <summary>The encrypted bundle this step adds: the file it is copied from and the entry the targets metadata signs for it.</summary>
    public (string Source, TargetEntry Entry)? Bundle { get; set; }

    public void Add(string relativePath, byte[] bytes) => _files.Add(new(relativePath, bytes));

    public byte[]? Find(string relativePath) => _files.LastOrDefault(f => f.Key == relativePath).Value;
}

/// <summary>
/// The factory's check before it writes anything: the repository as it will be after the step is read by the
/// device's own client (<see cref="RepositoryClient"/>) on a clock set ahead by the safety margin, once as a device
/// that holds only the shipped root (version 1) and once as a device that already trusts what is published now;
/// then every target's bundle must be there with its signed length. A step a device would refuse is not written.
/// </summary>
public static class PublishCheck
{
    public static UpdateOutcome Check(string repositoryDirectory, StagedChange change, TimeProvider time, TimeSpan margin)
    {
        var staged = new StagedTransport(repositoryDirectory, change);
        if (staged.Read(RepositoryClient.RootPath(1)) is not { } shipped)
        {
            return new UpdateOutcome(UpdateCode.Malformed, "the repository has no root version 1 (the root devices ship with)");
        }

        var ahead = new ShiftedClock(time, margin);
        var fresh = new MemoryMetadataStore();
        fresh.Save(RoleName.Root, shipped);
        var (view, outcome) = Refresh(new RepositoryClient(staged, fresh, ahead));
        if (view is null)
        {
            return outcome with { Message = $"a device shipped with root version 1: {outcome.Message}" };
        }

        // A device that trusted the repository as it is now must accept the step too (no rollback, no lost keys).
        var current = new MemoryMetadataStore();
        current.Save(RoleName.Root, shipped);
        _ = Refresh(new RepositoryClient(new StagedTransport(repositoryDirectory, new StagedChange()), current, time));
        var (_, updated) = Refresh(new RepositoryClient(staged, current, ahead));
        if (!updated.Succeeded)
        {
            return updated with { Message = $"a device that trusts the published metadata: {updated.Message}" };
        }

        foreach (var target in view.Targets.Targets)
        {
            var path = RepositoryClient.TargetPath(target);
            if (change.Bundle is { } bundle && RepositoryClient.TargetPath(bundle.Entry) == path)
            {
                continue;
            }

            var file = new FileInfo(staged.Resolve(path));
            if (!file.Exists)
            {
                return new UpdateOutcome(UpdateCode.Unreachable, $"the bundle of target {target.Name} is missing ({path})");
            }

            if (file.Length != target.Length)
            {
                return new UpdateOutcome(UpdateCode.Mismatch, $"the bundle of target {target.Name} is {file.Length} bytes; the targets metadata signs {target.Length}");
            }
        }

        return UpdateOutcome.Ok;
    }

    private static (RepositoryView? View, UpdateOutcome Outcome) Refresh(RepositoryClient client)
    {
        // The staged transport and the memory store never wait, so the device's client runs to its end right here.
        var task = client.RefreshAsync(CancellationToken.None);
        return task.IsCompleted ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("The publish check did not complete synchronously.");
    }

    /// <summary>The repository directory with the staged files laid over it; reads synchronously, with the client's caps.</summary>
    private sealed class StagedTransport(string root, StagedChange change) : IRepositoryTransport
    {
        public Task<FetchResult> FetchAsync(string path, long maxLength, CancellationToken cancellationToken)
        {
            var staged = change.Find(path);
            var full = Resolve(path);
            var length = staged?.LongLength ?? (File.Exists(full) ? new FileInfo(full).Length : -1);
            if (length < 0)
            {
                return Task.FromResult(FetchResult.Missing(path));
            }

            return Task.FromResult(length > maxLength
                ? FetchResult.Failed(new UpdateOutcome(UpdateCode.TooLarge, $"{path} is longer than the {maxLength} bytes allowed (endless data)"))
                : FetchResult.Found(staged ?? File.ReadAllBytes(full)));
        }

        public byte[]? Read(string path) => change.Find(path) ?? (File.Exists(Resolve(path)) ? File.ReadAllBytes(Resolve(path)) : null);

        public string Resolve(string path)
        {
            var full = Path.GetFullPath(Path.Combine(root, path));
            return full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                ? full
                : throw new InvalidDataException($"'{path}' is outside the repository.");
        }
    }

    private sealed class MemoryMetadataStore : ITrustedMetadataStore
    {
        private readonly Dictionary<string, byte[]> _roles = new(StringComparer.Ordinal);

        public byte[]? Load(string role) => _roles.GetValueOrDefault(role);

        public void Save(string role, byte[] bytes) => _roles[role] = bytes;

        public void Delete(string role) => _roles.Remove(role);
    }

    /// <summary>A device clock running ahead: what it accepts now stays acceptable until a refresh can reach it.</summary>
    private sealed class ShiftedClock(TimeProvider inner, TimeSpan offset) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => inner.GetUtcNow() + offset;
    }
}

/// <summary>The factory's check found that devices would refuse the repository after this step; nothing was written.</summary>
public sealed class PublishRefusedException(UpdateOutcome outcome, string message) : InvalidOperationException(message)
{
    public UpdateOutcome Outcome { get; } = outcome;
}
