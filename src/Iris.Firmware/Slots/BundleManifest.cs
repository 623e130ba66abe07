using System.Formats.Tar;
using System.Security.Cryptography;
using System.Text.Json;
using Iris.Firmware.Metadata;

namespace Iris.Firmware.Slots;

/// <summary>One file of a directory bundle.</summary>
public sealed record ManifestFile(string Path, long Length, string Sha256, bool Executable);

/// <summary>
/// The first entry of a directory bundle's tar: every file with its length and SHA-256. It travels inside the
/// authenticated payload, so the installer can re-read the written slot and prove it holds exactly this.
/// </summary>
public sealed record BundleManifest(IReadOnlyList<ManifestFile> Files)
{
    public const string EntryName = "iris-manifest.json";
    public const long MaxLength = 4 << 20;

    /// <summary>Factory side: a tar of <paramref name="sourceDirectory"/> (regular files only), manifest first.</summary>
    public static Task WriteTarAsync(string sourceDirectory, Stream output, CancellationToken cancellationToken = default) =>
        WriteTarAsync(sourceDirectory, new Dictionary<string, string>(), output, cancellationToken);

    /// <summary>
    /// As above, with files from elsewhere added at the given slot paths (the factory's SBOM: the directory being
    /// released is never written to). A path the directory already holds is refused, never silently replaced.
    /// </summary>
    public static async Task WriteTarAsync(string sourceDirectory, IReadOnlyDictionary<string, string> addedFiles, Stream output, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(addedFiles);
        var root = Path.GetFullPath(sourceDirectory);
        var files = new List<ManifestFile>();
        var origins = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var info = new FileInfo(path);
            if (info.LinkTarget is not null)
            {
                throw new InvalidDataException($"'{path}' is a symbolic link; bundles hold regular files only.");
            }

            await using var stream = File.OpenRead(path);
            var hash = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
            var relative = System.IO.Path.GetRelativePath(root, path).Replace('\\', '/');
            files.Add(new ManifestFile(relative, info.Length, hash, (info.UnixFileMode & UnixFileMode.UserExecute) != 0));
            origins[relative] = path;
        }

        foreach (var (relative, path) in addedFiles)
        {
            if (!IsSafePath(relative) || !origins.TryAdd(relative, path))
            {
                throw new InvalidDataException($"'{relative}' cannot be added to the bundle: {(IsSafePath(relative) ? "the directory already holds it" : "not a safe relative path")}.");
            }

            await using var stream = File.OpenRead(path);
            files.Add(new ManifestFile(relative, stream.Length, Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken)), false));
        }

        files.Sort((a, b) => string.CompareOrdinal(a.Path, b.Path));

        var manifest = JsonSerializer.SerializeToUtf8Bytes(new BundleManifest(files), FirmwareJson.Info<BundleManifest>(FirmwareJson.Metadata));
        await using var tar = new TarWriter(output, TarEntryFormat.Pax, leaveOpen: true);
        await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, EntryName) { DataStream = new MemoryStream(manifest), Mode = Mode(false) }, cancellationToken);
        foreach (var file in files)
        {
            await using var data = File.OpenRead(origins[file.Path]);
            await tar.WriteEntryAsync(new PaxTarEntry(TarEntryType.RegularFile, file.Path) { DataStream = data, Mode = Mode(file.Executable) }, cancellationToken);
        }
    }

    public static UnixFileMode Mode(bool executable) =>
        UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead
        | (executable ? UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute : 0);

    /// <summary>A relative path with no way out of the slot: no root, no "..", no empty or dot segments.</summary>
    public static bool IsSafePath(string path) =>
        path.Length is > 0 and < 1024 && !path.StartsWith('/') && !path.Contains('\\') && !path.Contains('\0')
        && path.Split('/').All(segment => segment.Length > 0 && segment != "." && segment != "..");

    /// <summary>Re-reads a written slot: every listed file with its exact length and hash, and nothing else.</summary>
    public string? VerifyDirectory(string directory)
    {
        var expected = Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var present = Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories)
            .Select(p => System.IO.Path.GetRelativePath(directory, p).Replace('\\', '/'))
            .ToHashSet(StringComparer.Ordinal);
        if (present.FirstOrDefault(p => !expected.ContainsKey(p)) is { } extra)
        {
            return $"slot holds a file the bundle does not list: {extra}";
        }

        foreach (var file in Files)
        {
            var path = System.IO.Path.Combine(directory, file.Path);
            if (!present.Contains(file.Path))
            {
                return $"slot lacks {file.Path}";
            }

            using var stream = File.OpenRead(path);
            if (stream.Length != file.Length || Convert.ToHexStringLower(SHA256.HashData(stream)) != file.Sha256)
            {
                return $"{file.Path} does not match the bundle manifest";
            }
        }

        return null;
    }
}
