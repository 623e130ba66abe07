using Iris.Camera.Platform;
using SkiaSharp;

namespace Iris.Camera.Media;

/// <summary>
/// A small picture of each motion event, taken from the frame that showed the motion, for the event list. It is
/// video, so it is sealed like a recording (a one-record segment under the recordings key, <see cref="RecordingsKey.SealStill"/>)
/// and kept beside them in <c>recordings/motion/</c>, one file per event: deleting the motion events deletes the
/// files, and deleting every recording destroys the key they open with. One thumbnail per event and events at
/// most one per cooldown keep the cost to one small JPEG encode every ten seconds while motion goes on.
/// </summary>
internal sealed class MotionThumbnails(SegmentFiles files, RecordingsKey key)
{
    public const int Width = 160;
    public const int JpegQuality = 70;

    private string Folder => Path.Combine(files.Directory, "motion");

    private string PathFor(long eventId) => Path.Combine(Folder, $"{eventId}.still");

    public bool Exists(long eventId) => File.Exists(PathFor(eventId));

    public void Save(long eventId, DateTimeOffset at, ReadOnlySpan<byte> jpeg)
    {
        if (Shrink(jpeg) is not { } small)
        {
            return;
        }

        try
        {
            Directory.CreateDirectory(Folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            AtomicFile.Write(PathFor(eventId), key.SealStill(at, small));
        }
        catch (IOException)
        {
            // A full or failing disk costs the picture, never the event or its alert (the event then lists none).
        }
    }

    /// <summary>The event's picture, or null when it has none or it no longer opens (its key went with the recordings).</summary>
    public byte[]? Read(long eventId)
    {
        byte[] content;
        try
        {
            content = File.ReadAllBytes(PathFor(eventId));
        }
        catch (Exception ex) when (ex is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        var (frames, problem, _) = key.Open(content);
        return problem == SegmentFormat.ReadProblem.None && frames.Count == 1 ? frames[0].Jpeg : null;
    }

    public void DeleteAll()
    {
        if (!Directory.Exists(Folder))
        {
            return;
        }

        foreach (var path in Directory.EnumerateFiles(Folder))
        {
            AtomicFile.DeleteDurably(path);
        }
    }

    private static byte[]? Shrink(ReadOnlySpan<byte> jpeg)
    {
        using var data = SKData.CreateCopy(jpeg);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return null;
        }

        // The JPEG decoder's own scaling first (cheap), then an exact resize to the thumbnail's width.
        var scaled = codec.GetScaledDimensions(Math.Max(1f / 8, (float)Width / codec.Info.Width));
        using var decoded = new SKBitmap(new SKImageInfo(scaled.Width, scaled.Height, SKColorType.Rgba8888, SKAlphaType.Premul));
        if (codec.GetPixels(decoded.Info, decoded.GetPixels()) is not (SKCodecResult.Success or SKCodecResult.IncompleteInput))
        {
            return null;
        }

        var height = Math.Max(1, (int)Math.Round(Width * (double)scaled.Height / scaled.Width));
        using var small = decoded.Resize(new SKImageInfo(Width, height, SKColorType.Rgba8888, SKAlphaType.Premul), new SKSamplingOptions(SKFilterMode.Linear));
        using var image = small is null ? null : SKImage.FromBitmap(small);
        using var encoded = image?.Encode(SKEncodedImageFormat.Jpeg, JpegQuality);
        return encoded?.ToArray();
    }
}
