using System.IO.Compression;
using System.Security.Cryptography;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.LZMA;
using SharpCompress.Compressors.Xz;

namespace Iris.Lab.Firmware;

/// <summary>What carving found and unpacked, and where it stopped.</summary>
internal sealed class CarveResult(string root)
{
    /// <summary>The scratch directory holding everything unpacked (the release gate walks it).</summary>
    public string Root { get; } = root;

    public List<string> Pieces { get; } = [];

    /// <summary>Where a bound stopped the carve (bomb, depth, piece count): what lies beyond was not examined.</summary>
    public List<string> Limits { get; } = [];

    /// <summary>Images found but not unpacked (JFFS2, UBI, a squashfs unsquashfs refused): their files were not examined.</summary>
    public List<string> NotUnpacked { get; } = [];

    /// <summary>The input starts with a container the carver opened: the gate scans what came out, not the input again.</summary>
    public bool InputOpened { get; set; }
}

/// <summary>
/// Carves a raw flash dump: every image found by signature at any offset (see <see cref="Signatures"/>) is unpacked
/// into a scratch directory, and what comes out is carved again. Decompressed streams and uImage payloads are
/// searched at any offset (a kernel carries its initramfs inside); files inside an unpacked file system only at
/// their start (a .gz in /usr), as searching every ELF for stray magic numbers finds noise. Everything is bounded
/// (<see cref="CarveLimits"/>): bytes written, depth, pieces; a piece identical to an earlier one (a gzip quine, an
/// image that contains itself) is dropped. Each bound that is hit is reported, never passed over in silence.
/// </summary>
internal sealed class FlashCarver(CarveLimits limits)
{
    private readonly CarveBudget budget = new(limits);
    private readonly HashSet<string> seen = new(StringComparer.Ordinal);

    private sealed record Work(string Path, string Name, string OutputBase, int Depth, bool AnyOffset, bool InScratch);

    public static CarveResult Carve(string input, string scratch, CarveLimits limits) => new FlashCarver(limits).Run(input, scratch);

    private CarveResult Run(string input, string scratch)
    {
        var root = Path.Combine(scratch, "unpacked");
        Directory.CreateDirectory(root);
        var result = new CarveResult(root);
        var name = Path.GetFileName(input);
        seen.Add(Hash(input));
        var queue = new Queue<Work>([new Work(input, name, Path.Combine(root, name), 0, AnyOffset: true, InScratch: false)]);
        while (queue.TryDequeue(out var work))
        {
            var opened = CarveOne(work, queue, result);
            if (opened && work.InScratch)
            {
                File.Delete(work.Path);
            }
            else if (opened)
            {
                result.InputOpened = true;
            }
        }

        return result;
    }

    /// <summary>Unpacks every hit of one file; true when a container at offset 0 was opened (or stopped by a bound), so the gate must not open the file itself.</summary>
    private bool CarveOne(Work work, Queue<Work> queue, CarveResult result)
    {
        var hits = Signatures.Find(work.Path, work.AnyOffset);
        if (hits.Count > 0 && work.Depth >= budget.Limits.MaxDepth)
        {
            result.Limits.Add($"{work.Name}: images nested deeper than {budget.Limits.MaxDepth} levels, not unpacked");
            return hits.Any(h => h.Offset == 0 && GateOpens(h.Kind));
        }

        var length = new FileInfo(work.Path).Length;
        var openedAtStart = false;
        long coveredUntil = 0;
        var reported = new HashSet<PieceKind>();
        foreach (var hit in hits)
        {
            if (hit.Offset < coveredUntil)
            {
                continue;
            }

            if (budget.Pieces >= budget.Limits.MaxPieces)
            {
                result.Limits.Add($"{work.Name}: more than {budget.Limits.MaxPieces} pieces; the rest was not unpacked");
                openedAtStart |= hits.Any(h => h.Offset == 0 && GateOpens(h.Kind));
                break;
            }

            var kind = hit.Kind.ToString().ToLowerInvariant();
            var pieceName = $"{work.Name}@0x{hit.Offset:x}.{kind}";
            var output = $"{work.OutputBase}@0x{hit.Offset:x}.{kind}";
            switch (hit.Kind)
            {
                case PieceKind.Jffs2 or PieceKind.Ubi:
                    // One note per file system, not one per node or erase block.
                    if (reported.Add(hit.Kind))
                    {
                        result.NotUnpacked.Add($"{pieceName}: {(hit.Kind == PieceKind.Jffs2 ? "JFFS2" : "UBI")} image, not unpacked (no reader in this lab): its files were not examined");
                    }

                    continue;
                case PieceKind.Fit:
                    // A FIT image is a device tree whose parts (kernel, ramdisk) lie inside it: carved where they lie.
                    result.Pieces.Add($"{pieceName}: FIT image, {hit.Length} bytes");
                    continue;
            }

            budget.Pieces++;
            var outcome = hit.Kind switch
            {
                PieceKind.Squashfs => Squashfs(work, hit, length, output, result),
                PieceKind.UImage => Slice(work.Path, hit.Offset + 64, hit.Length!.Value - 64, output) with { Consumed = hit.Length },
                PieceKind.Tar => Tree(TreeExtractor.Tar(work.Path, hit.Offset, output, budget), output),
                PieceKind.Cpio => Tree(TreeExtractor.Cpio(work.Path, hit.Offset, output, budget), output),
                _ => Decompress(work.Path, hit, output),
            };
            switch (outcome.State)
            {
                case Outcome.NotThere:
                    budget.Pieces--;
                    continue;
                case Outcome.OverBound:
                    result.Limits.Add($"{pieceName}: {outcome.Note}");
                    openedAtStart |= hit.Offset == 0 && GateOpens(hit.Kind);
                    continue;
                case Outcome.Refused:
                    result.NotUnpacked.Add($"{pieceName}: {outcome.Note}");
                    continue;
            }

            openedAtStart |= hit.Offset == 0 && GateOpens(hit.Kind);
            coveredUntil = Math.Max(coveredUntil, hit.Offset + (outcome.Consumed ?? 1));
            if (Directory.Exists(output))
            {
                var files = TreeExtractor.Files(output).ToList();
                result.Pieces.Add($"{pieceName}: {hit.Kind} with {files.Count} files");
                foreach (var file in files)
                {
                    queue.Enqueue(new Work(file, $"{pieceName}/{Path.GetRelativePath(output, file).Replace('\\', '/')}", file, work.Depth + 1, AnyOffset: false, InScratch: true));
                }
            }
            else if (!seen.Add(Hash(output)))
            {
                File.Delete(output);
                // An A/B copy, or an image that contains itself (a gzip quine): its bytes were examined once, which is enough.
                result.Pieces.Add($"{pieceName}: the same bytes as a piece already examined; not unpacked again");
            }
            else
            {
                result.Pieces.Add($"{pieceName}: {hit.Kind}, {new FileInfo(output).Length} bytes{outcome.Note}");
                queue.Enqueue(new Work(output, pieceName, output, work.Depth + 1, AnyOffset: true, InScratch: true));
            }
        }

        return openedAtStart;
    }

    /// <summary>
    /// Containers the release gate would open by itself when it meets them at a file's start, and open without a
    /// bound: a file starting with one is handed to the gate only as what the carver unpacked from it.
    /// </summary>
    private static bool GateOpens(PieceKind kind) =>
        kind is PieceKind.Gzip or PieceKind.Xz or PieceKind.Bzip2 or PieceKind.Zstd or PieceKind.Squashfs or PieceKind.Tar or PieceKind.Cpio;

    private enum Outcome
    {
        Unpacked,
        NotThere,
        OverBound,
        Refused,
    }

    private sealed record Step(Outcome State, long? Consumed = null, string Note = "");

    private Step Squashfs(Work work, SignatureHit hit, long length, string output, CarveResult result)
    {
        var image = work.Path;
        var copied = hit.Offset != 0 || hit.Length != length;
        if (copied)
        {
            image = output + ".img";
            var sliced = Slice(work.Path, hit.Offset, hit.Length!.Value, image);
            if (sliced.State != Outcome.Unpacked)
            {
                return sliced;
            }
        }

        try
        {
            var problem = SquashfsExtractor.Extract(image, output, budget);
            return problem is null ? new Step(Outcome.Unpacked, hit.Length)
                : problem.Contains("bound", StringComparison.Ordinal) ? new Step(Outcome.OverBound, Note: problem)
                : new Step(Outcome.Refused, Note: $"squashfs, {problem}; its files were not examined");
        }
        finally
        {
            if (copied)
            {
                File.Delete(image);
            }
        }
    }

    private Step Slice(string source, long offset, long count, string output)
    {
        if (!budget.TryTake(count))
        {
            return new Step(Outcome.OverBound, Note: $"{count} bytes, more than the {budget.Left} bytes left of the unpacking bound; not unpacked");
        }

        using var input = new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        input.Position = offset;
        using var target = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16);
        var buffer = new byte[1 << 16];
        for (var left = count; left > 0;)
        {
            var read = input.Read(buffer, 0, (int)Math.Min(buffer.Length, left));
            target.Write(buffer, 0, read);
            left -= read;
        }

        return new Step(Outcome.Unpacked, count);
    }

    private static Step Tree((long Consumed, bool Complete) unpacked, string output) =>
        !Directory.Exists(output) ? new Step(Outcome.NotThere)
        : unpacked.Complete ? new Step(Outcome.Unpacked, unpacked.Consumed)
        : new Step(Outcome.OverBound, Note: "the archive unpacks to more than the unpacking bound (a decompression bomb?); the rest was not unpacked");

    /// <summary>
    /// A compressed stream, decompressed into one file within the budget. A stream that is cut off by the bound is
    /// deleted (its start may be another bomb the gate would then open without bound); one that ends early
    /// (damaged, or cut at a partition end) keeps what came out when that is more than a false start.
    /// </summary>
    private Step Decompress(string path, SignatureHit hit, string output)
    {
        using var input = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        input.Position = hit.Offset;
        bool complete;
        string note = "";
        using (var target = new FileStream(output, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
        {
            try
            {
                using var stream = Open(hit.Kind, input);
                complete = budget.CopyBounded(stream, target);
            }
            catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or NotSupportedException or InvalidOperationException
                or SharpCompress.Common.SharpCompressException or SharpCompress.Compressors.ZStandard.ZstdException or ArgumentException)
            {
                complete = true;
                note = $" (ends early: {e.GetType().Name})";
                if (target.Length < 4096)
                {
                    target.SetLength(0);
                }
            }
        }

        if (!complete)
        {
            File.Delete(output);
            return new Step(Outcome.OverBound, Note: $"{hit.Kind} stream decompresses to more than the {budget.Limits.MaxBytes} bytes of the unpacking bound (a decompression bomb?); stopped there and not examined");
        }

        if (new FileInfo(output).Length == 0)
        {
            File.Delete(output);
            return new Step(Outcome.NotThere);
        }

        return new Step(Outcome.Unpacked, Note: note);
    }

    private static Stream Open(PieceKind kind, Stream input) => kind switch
    {
        PieceKind.Gzip => new GZipStream(input, CompressionMode.Decompress, leaveOpen: true),
        PieceKind.Xz => new XZStream(input),
        PieceKind.Bzip2 => BZip2Stream.Create(input, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: false, leaveOpen: true),
        PieceKind.Zstd => new SharpCompress.Compressors.ZStandard.DecompressionStream(input),
        PieceKind.Lzma => Lzma(input),
        _ => throw new NotSupportedException(kind.ToString()),
    };

    private static LzmaStream Lzma(Stream input)
    {
        var properties = new byte[5];
        input.ReadExactly(properties);
        Span<byte> size = stackalloc byte[8];
        input.ReadExactly(size);
        var outputSize = System.Buffers.Binary.BinaryPrimitives.ReadInt64LittleEndian(size);
        return LzmaStream.Create(properties, input, -1, outputSize, leaveOpen: true);
    }

    private static string Hash(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexString(SHA256.HashData(stream));
    }
}
