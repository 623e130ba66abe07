using Iris.Firmware.Agent;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;

namespace Iris.Firmware.Repository;

/// <summary>
/// A repository read from a local directory (a mounted USB stick, or the factory checking what it published),
/// with the same caps as the HTTPS transport.
/// </summary>
public sealed class DirectoryRepository(string root) : IRepositoryTransport, IBundleDownloader
{
    public async Task<FetchResult> FetchAsync(string path, long maxLength, CancellationToken cancellationToken)
    {
        var full = Resolve(path);
        if (!File.Exists(full))
        {
            return FetchResult.Missing(path);
        }

        await using var stream = File.OpenRead(full);
        if (stream.Length > maxLength)
        {
            return FetchResult.Failed(new UpdateOutcome(UpdateCode.TooLarge, $"{path} is longer than the {maxLength} bytes allowed (endless data)"));
        }

        var bytes = new byte[stream.Length];
        await stream.ReadExactlyAsync(bytes, cancellationToken);
        return FetchResult.Found(bytes);
    }

    public async Task<UpdateOutcome> DownloadAsync(string path, string destination, long signedLength, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var full = Resolve(path);
        if (!File.Exists(full))
        {
            return new UpdateOutcome(UpdateCode.Unreachable, $"{path} not found");
        }

        await using var source = File.OpenRead(full);
        await using var output = DiskFileSystem.Instance.Create(destination, DurableFile.OwnerOnly);
        var buffer = new byte[1 << 20];
        long total = 0;
        int read;
        while ((read = await source.ReadAsync(buffer, cancellationToken)) > 0)
        {
            total += read;
            if (total > signedLength)
            {
                return new UpdateOutcome(UpdateCode.TooLarge, $"bundle is longer than its signed {signedLength} bytes (endless data)");
            }

            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
            progress?.Report(total);
        }

        DiskFileSystem.Instance.Flush(output);
        return UpdateOutcome.Ok;
    }

    /// <summary>A published file opened for reading, or null when it is not there (the factory's verify hashes bundles in place).</summary>
    public FileStream? OpenRead(string path)
    {
        var full = Resolve(path);
        return File.Exists(full) ? new FileStream(full, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20) : null;
    }

    private string Resolve(string path)
    {
        var full = Path.GetFullPath(Path.Combine(root, path));
        return full.StartsWith(Path.GetFullPath(root) + Path.DirectorySeparatorChar, StringComparison.Ordinal)
            ? full
            : throw new ArgumentException($"'{path}' is outside the repository.", nameof(path));
    }
}

/// <summary>Trusted metadata kept as files in a device directory, each replaced atomically.</summary>
public sealed class DirectoryMetadataStore(string directory) : ITrustedMetadataStore
{
    public byte[]? Load(string role)
    {
        var path = Path.Combine(directory, role + ".json");
        return File.Exists(path) ? File.ReadAllBytes(path) : null;
    }

    public void Save(string role, byte[] bytes)
    {
        Directory.CreateDirectory(directory);
        DurableFile.WriteAtomically(DiskFileSystem.Instance, Path.Combine(directory, role + ".json"), bytes);
    }

    public void Delete(string role)
    {
        var path = Path.Combine(directory, role + ".json");
        if (File.Exists(path))
        {
            File.Delete(path);
            DiskFileSystem.Instance.FlushDirectory(directory);
        }
    }
}
