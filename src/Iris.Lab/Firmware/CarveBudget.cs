namespace Iris.Lab.Firmware;

/// <summary>How far the carver may go: bytes written to scratch in total, nesting depth, and pieces unpacked.</summary>
internal sealed record CarveLimits(long MaxBytes, int MaxDepth, int MaxPieces)
{
    /// <summary>A camera's flash is 16-256 MiB and unpacks to a few times that; 2 GiB leaves room and still ends.</summary>
    public static CarveLimits Default { get; } = new(2L << 30, 8, 4096);
}

/// <summary>
/// The bytes left for unpacking, shared by every piece of one carve, so a decompression bomb (or many small ones,
/// or a squashfs that claims terabytes) stops at the bound instead of filling the disk, and says so.
/// </summary>
internal sealed class CarveBudget(CarveLimits limits)
{
    public CarveLimits Limits { get; } = limits;

    public long Written { get; private set; }

    public long Left => Limits.MaxBytes - Written;

    public int Pieces { get; set; }

    public bool TryTake(long bytes)
    {
        if (bytes > Left)
        {
            return false;
        }

        Written += bytes;
        return true;
    }

    /// <summary>Copies at most what is left; false when the source had more (the copy is then incomplete).</summary>
    public bool CopyBounded(Stream source, Stream target)
    {
        var buffer = new byte[1 << 16];
        int read;
        while ((read = source.Read(buffer)) > 0)
        {
            if (!TryTake(read))
            {
                target.Write(buffer, 0, (int)Math.Min(read, Left));
                Written = Limits.MaxBytes;
                return false;
            }

            target.Write(buffer, 0, read);
        }

        return true;
    }
}
