namespace Iris.Lab.Firmware;

internal enum ImageKind
{
    Plain,
    Compressed,
    Encrypted,
}

/// <summary>A firmware image's byte statistics and what they say it is.</summary>
internal sealed record ImageClass(ImageKind Kind, double Entropy, double ChiSquare, string? Format, long Bytes)
{
    public string Describe() =>
        $"{Kind.ToString().ToLowerInvariant()}: {Entropy:0.000} bits/byte, chi-square {ChiSquare:0} (uniform below {ImageClassifier.UniformLimit:0}), "
        + $"{(Format is null ? "no known container signature" : $"{Format} signature")}, {Bytes} bytes";
}

/// <summary>
/// Tells plain from compressed from encrypted. Entropy alone cannot: gzip and xz output reach 7.99 bits per byte
/// like ciphertext. A chi-square test of the byte histogram against uniform separates most compressors (deflate
/// leaves chi-square in the thousands; ciphertext stays near its 255 degrees of freedom), and container signatures
/// catch the ones that do not (xz and zstd output is as uniform as ciphertext, but starts with its magic number).
/// </summary>
internal static class ImageClassifier
{
    /// <summary>255 degrees of freedom: mean 255, standard deviation sqrt(510) ≈ 22.6; five deviations above the mean.</summary>
    public const double UniformLimit = 255 + (5 * 22.583);

    private static readonly (string Name, int Offset, byte[] Magic)[] Signatures =
    [
        ("gzip", 0, [0x1F, 0x8B]), ("xz", 0, [0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00]), ("bzip2", 0, "BZh"u8.ToArray()),
        ("zstd", 0, [0x28, 0xB5, 0x2F, 0xFD]), ("lzma", 0, [0x5D, 0x00, 0x00]), ("zip", 0, [0x50, 0x4B, 0x03, 0x04]),
        ("squashfs", 0, "hsqs"u8.ToArray()), ("squashfs (big-endian)", 0, "sqsh"u8.ToArray()), ("tar", 257, "ustar"u8.ToArray()),
        ("u-boot uImage", 0, [0x27, 0x05, 0x19, 0x56]), ("lz4", 0, [0x04, 0x22, 0x4D, 0x18]),
    ];

    public static ImageClass Classify(string path)
    {
        var counts = new long[256];
        var head = new byte[512];
        long total = 0;
        using (var stream = File.OpenRead(path))
        {
            var buffer = new byte[1 << 16];
            int n;
            while ((n = stream.Read(buffer)) > 0)
            {
                if (total < head.Length)
                {
                    Array.Copy(buffer, 0, head, total, Math.Min(n, head.Length - (int)total));
                }

                for (var i = 0; i < n; i++)
                {
                    counts[buffer[i]]++;
                }

                total += n;
            }
        }

        var format = Signatures.FirstOrDefault(s => head.AsSpan(s.Offset).StartsWith(s.Magic)).Name;
        if (total == 0)
        {
            return new ImageClass(ImageKind.Plain, 0, 0, format, 0);
        }

        var expected = total / 256.0;
        var chiSquare = counts.Sum(c => (c - expected) * (c - expected) / expected);
        var entropy = -counts.Where(c => c > 0).Sum(c => c / (double)total * Math.Log2(c / (double)total));
        var kind = entropy < 7.0 ? ImageKind.Plain
            : format is not null && format != "tar" ? ImageKind.Compressed
            : chiSquare <= UniformLimit ? ImageKind.Encrypted
            : ImageKind.Compressed;
        return new ImageClass(kind, entropy, chiSquare, format, total);
    }
}
