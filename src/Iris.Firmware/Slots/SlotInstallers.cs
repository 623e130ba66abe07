using System.Formats.Tar;
using System.IO.Pipelines;
using System.Security.Cryptography;
using System.Text.Json;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Payload;

namespace Iris.Firmware.Slots;

/// <summary>Writes the decrypted payload into the destination stream it is given and reports how that went.</summary>
public delegate Task<PayloadResult> PayloadWriter(Stream destination, CancellationToken cancellationToken);

/// <summary>Puts a release into an inactive slot and proves, by reading it back, that the slot holds exactly it.</summary>
public interface ISlotInstaller
{
    string Kind { get; }

    Task<UpdateOutcome> InstallAsync(string slot, ReleaseInfo release, PayloadWriter writePayload, CancellationToken cancellationToken);
}

/// <summary>
/// Application-level A/B: each slot is a directory (<c>slots/a</c>, <c>slots/b</c>) under the boot directory.
/// The tar streams straight from the decryptor into <c>slots/X.incoming</c> through a bounded pipe; every file
/// is fsynced, the whole tree is re-read against the manifest, and only then renamed into place.
/// </summary>
public sealed class DirectorySlotInstaller(IDurableFileSystem fs, string bootDirectory) : ISlotInstaller
{
    // One default-size chunk: the decryptor writes a whole chunk, then waits until the extractor has taken half of
    // it. The 4 MiB pipe before it held 3 MiB more blocks for no measured speed (a 749 MiB download and install in
    // the daemon: 11.1 s with it, 10.8 s without; docs/benchmarks.md, issue 18, "Installer budget").
    private const int PipeThreshold = 1 << 20;
    private const int PipeBlockSize = 64 << 10;

    // Blocks kept for reuse: twice what the pipe holds at most (its threshold plus one default-size 1 MiB chunk
    // written past it), so that in steady state no returned block is dropped and allocated again (with exactly
    // that many, InstallMemoryTests saw about one new block per chunk). Releases built with larger chunks still
    // install; their extra blocks are simply not kept.
    private const int PipeBlocks = 2 * (PipeThreshold + (1 << 20)) / PipeBlockSize;

    // The extractor's copy buffer, rented from the shared pool, which keeps it after the install: four writes a
    // chunk instead of one, for three quarters of a chunk less memory.
    private const int CopyBufferSize = 256 << 10;

    public string Kind => ReleaseInfo.DirectoryKind;

    public string SlotsDirectory => Path.Combine(bootDirectory, "slots");

    public string SlotDirectory(string slot) => Path.Combine(SlotsDirectory, slot);

    public async Task<UpdateOutcome> InstallAsync(string slot, ReleaseInfo release, PayloadWriter writePayload, CancellationToken cancellationToken)
    {
        var staging = SlotDirectory(slot) + ".incoming";
        fs.CreateDirectory(SlotsDirectory);
        fs.DeleteTree(staging);
        fs.CreateDirectory(staging);

        // The pipe bounds memory: the decryptor waits while the extractor is behind. Its segments come from a pool
        // of its own, so the blocks in flight are reused rather than allocated anew for every 4 KiB written.
        using var blocks = new BlockPool(PipeBlockSize, PipeBlocks);
        var pipe = new Pipe(new PipeOptions(pool: blocks, pauseWriterThreshold: PipeThreshold, resumeWriterThreshold: PipeThreshold / 2,
            minimumSegmentSize: PipeBlockSize));
        var extraction = ExtractAsync(pipe.Reader.AsStream(), staging, cancellationToken);
        PayloadResult payload;
        try
        {
            await using var sink = pipe.Writer.AsStream();
            payload = await writePayload(sink, cancellationToken);
        }
        catch (Exception e)
        {
            await pipe.Writer.CompleteAsync(e);
            await IgnoreAsync(extraction);
            throw;
        }

        await pipe.Writer.CompleteAsync(payload.Succeeded ? null : new InvalidDataException(payload.Reason));
        var (manifest, extractError) = await IgnoreFailureAsync(extraction, payload);
        if (!payload.Succeeded)
        {
            fs.DeleteTree(staging);
            return new UpdateOutcome(UpdateCode.PayloadRejected, payload.Reason);
        }

        if (manifest is null)
        {
            fs.DeleteTree(staging);
            return new UpdateOutcome(UpdateCode.InstallFailed, extractError ?? "bundle has no manifest");
        }

        if (manifest.VerifyDirectory(staging) is { } mismatch)
        {
            fs.DeleteTree(staging);
            return new UpdateOutcome(UpdateCode.InstallFailed, $"written slot failed verification: {mismatch}");
        }

        if (!manifest.Files.Any(f => f.Path == release.Entry && f.Executable) && !(release.Entry.EndsWith(".dll", StringComparison.Ordinal) && manifest.Files.Any(f => f.Path == release.Entry)))
        {
            fs.DeleteTree(staging);
            return new UpdateOutcome(UpdateCode.InstallFailed, $"bundle lacks its entry point {release.Entry}");
        }

        fs.DeleteTree(SlotDirectory(slot));
        fs.Rename(staging, SlotDirectory(slot));
        fs.FlushDirectory(SlotsDirectory);
        return UpdateOutcome.Ok;
    }

    private static async Task<(BundleManifest? Manifest, string? Error)> IgnoreFailureAsync(Task<BundleManifest> extraction, PayloadResult payload)
    {
        try
        {
            return (await extraction, null);
        }
        catch (Exception e) when (e is InvalidDataException or IOException or JsonException or FormatException or ArgumentException or UnauthorizedAccessException)
        {
            return (null, payload.Succeeded ? $"bundle is not a valid slot archive: {e.Message}" : null);
        }
    }

    private static async Task IgnoreAsync(Task task)
    {
        try
        {
            await task;
        }
        catch (Exception)
        {
            // The writer's exception is the one that matters.
        }
    }

    private async Task<BundleManifest> ExtractAsync(Stream tarStream, string staging, CancellationToken cancellationToken)
    {
        await Task.Yield();
        await using var reader = new TarReader(tarStream);
        var first = await reader.GetNextEntryAsync(copyData: false, cancellationToken);
        if (first is not { EntryType: TarEntryType.RegularFile or TarEntryType.V7RegularFile, Name: BundleManifest.EntryName } || first.Length > BundleManifest.MaxLength || first.DataStream is null)
        {
            throw new InvalidDataException("the first entry is not the bundle manifest");
        }

        var manifest = await JsonSerializer.DeserializeAsync(first.DataStream, FirmwareJson.Info<BundleManifest>(FirmwareJson.Metadata), cancellationToken)
            ?? throw new InvalidDataException("empty manifest");
        var listed = manifest.Files.ToDictionary(f => f.Path, StringComparer.Ordinal);
        var directories = new HashSet<string>(StringComparer.Ordinal) { staging };
        while (await reader.GetNextEntryAsync(copyData: false, cancellationToken) is { } entry)
        {
            if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || !BundleManifest.IsSafePath(entry.Name)
                || !listed.TryGetValue(entry.Name, out var file) || entry.Length != file.Length)
            {
                throw new InvalidDataException($"unexpected archive entry '{entry.Name}'");
            }

            var target = Path.Combine(staging, entry.Name);
            var directory = Path.GetDirectoryName(target)!;
            if (directories.Add(directory))
            {
                fs.CreateDirectory(directory);
            }

            await using (var output = fs.Create(target, BundleManifest.Mode(file.Executable)))
            {
                if (entry.DataStream is not null)
                {
                    await entry.DataStream.CopyToAsync(output, CopyBufferSize, cancellationToken);
                }

                fs.Flush(output);
            }
        }

        foreach (var directory in directories.OrderByDescending(d => d.Length))
        {
            fs.FlushDirectory(directory);
        }

        return manifest;
    }
}

/// <summary>
/// Root-file-system A/B: each slot is a block device or image file. The plaintext is written in place from
/// offset 0, fsynced, then read back and hashed against the signed plaintext hash. Booting such a slot is the
/// bootloader's job; it reads the same slot record.
/// </summary>
public sealed class ImageSlotInstaller(IDurableFileSystem fs, IReadOnlyDictionary<string, string> slotImages) : ISlotInstaller
{
    public string Kind => ReleaseInfo.ImageKind;

    public async Task<UpdateOutcome> InstallAsync(string slot, ReleaseInfo release, PayloadWriter writePayload, CancellationToken cancellationToken)
    {
        if (!slotImages.TryGetValue(slot, out var image))
        {
            return new UpdateOutcome(UpdateCode.NotSlotted, $"no image configured for slot {slot}");
        }

        // A block device is overwritten in place; an image file is replaced from the start.
        var isDevice = image.StartsWith("/dev/", StringComparison.Ordinal);
        PayloadResult payload;
        await using (var output = isDevice ? fs.OpenForOverwrite(image) : fs.Create(image, DurableFile.OwnerOnly))
        {
            payload = await writePayload(output, cancellationToken);
            if (payload.Succeeded)
            {
                fs.Flush(output);
            }
        }

        if (!payload.Succeeded)
        {
            return new UpdateOutcome(UpdateCode.PayloadRejected, payload.Reason);
        }

        await using var readBack = new FileStream(image, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 20];
        var remaining = release.Payload.PlaintextLength;
        while (remaining > 0)
        {
            var read = await readBack.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, remaining)), cancellationToken);
            if (read == 0)
            {
                return new UpdateOutcome(UpdateCode.InstallFailed, "written image is shorter than the release");
            }

            hash.AppendData(buffer, 0, read);
            remaining -= read;
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset()) == release.Payload.PlaintextSha256
            ? UpdateOutcome.Ok
            : new UpdateOutcome(UpdateCode.InstallFailed, "written image does not match the signed hash");
    }
}
