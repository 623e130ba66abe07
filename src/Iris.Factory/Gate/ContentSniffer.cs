namespace Iris.Factory.Gate;

/// <summary>What a stream holds, judged from its first bytes (never from its name alone: a renamed archive is still one).</summary>
internal enum ContentKind
{
    Text,
    Settings,
    Binary,
    KnownBinary,
    Gzip,
    Xz,
    Bzip2,
    Zip,
    Tar,
    Squashfs,
    Brotli,
    Zstd,
    Cpio,
    Utf16Text,
}

internal static class ContentSniffer
{
    /// <summary>Bytes needed to tell every kind apart (the tar magic sits at offset 257).</summary>
    public const int HeaderBytes = 4096;

    // Markdown is read as settings: a README's "password: hunter2" line is an assignment like any other.
    private static readonly string[] SettingsExtensions = [".conf", ".cnf", ".cfg", ".ini", ".env", ".properties", ".yaml", ".yml", ".toml", ".json", ".config", ".xml", ".service", ".txt", ".sh", ".md"];
    private static readonly string[] TextExtensions = [".html", ".htm", ".js", ".mjs", ".css", ".svg", ".csv", ".map"];

    public static ContentKind Sniff(ReadOnlySpan<byte> header, string name)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return ContentKind.Gzip;
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0xFD, (byte)'7', (byte)'z', (byte)'X', (byte)'Z', 0x00]))
        {
            return ContentKind.Xz;
        }

        if (header.Length >= 10 && header.StartsWith("BZh"u8) && header[3] is >= (byte)'1' and <= (byte)'9' && header[4..10].SequenceEqual((ReadOnlySpan<byte>)[0x31, 0x41, 0x59, 0x26, 0x53, 0x59]))
        {
            return ContentKind.Bzip2;
        }

        if (header.StartsWith("PK\x03\x04"u8))
        {
            return ContentKind.Zip;
        }

        if (header.StartsWith("hsqs"u8))
        {
            return ContentKind.Squashfs;
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0x28, 0xB5, 0x2F, 0xFD]))
        {
            return ContentKind.Zstd;
        }

        // cpio "newc" (with or without CRC), as initramfs images are built; the old binary and odc forms too, so
        // that they are reported as unreadable instead of passing as data.
        if (header.StartsWith("07070"u8) && header.Length >= 6 && header[5] is (byte)'1' or (byte)'2' or (byte)'7')
        {
            return ContentKind.Cpio;
        }

        if (header.Length >= 262 && header[257..262].SequenceEqual("ustar"u8))
        {
            return ContentKind.Tar;
        }

        // Brotli has no magic number (and its bytes can look like text); a ".br" file that is nothing else is taken
        // as Brotli and must decode.
        if (name.EndsWith(".br", StringComparison.OrdinalIgnoreCase))
        {
            return ContentKind.Brotli;
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0x7F, 0x45, 0x4C, 0x46]) || header.StartsWith("MZ"u8) || header.StartsWith((ReadOnlySpan<byte>)[0x89, 0x50, 0x4E, 0x47]) || header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
            || header.StartsWith("GIF8"u8) || header.StartsWith("wOF"u8) || header.StartsWith("\0asm"u8) || header.StartsWith("RIFF"u8) || header.StartsWith("OTTO"u8)
            || header.StartsWith((ReadOnlySpan<byte>)[0x00, 0x01, 0x00, 0x00, 0x00]) || header.StartsWith("BSJB"u8) || header.StartsWith("SQLite format 3"u8))
        {
            // Programs, images, fonts and databases: their own formats explain their entropy.
            return ContentKind.KnownBinary;
        }

        var fileName = Path.GetFileName(name);
        var extension = Path.GetExtension(fileName).ToLowerInvariant();
        if (Utf16(header) is not null)
        {
            return ContentKind.Utf16Text;
        }

        if (!LooksLikeText(header))
        {
            return ContentKind.Binary;
        }

        // A name without an extension (shadow, passwd, .env, hosts, rc scripts) is read as settings.
        return SettingsExtensions.Contains(extension) || extension.Length == 0 || fileName.StartsWith(".env", StringComparison.Ordinal) || extension == ".env"
            ? ContentKind.Settings
            : TextExtensions.Contains(extension) ? ContentKind.Text : ContentKind.Settings;
    }

    /// <summary>A settings file by its name (.conf, .json, .env...): one with NUL bytes in it is still read as settings.</summary>
    public static bool IsSettingsName(string name)
    {
        var fileName = Path.GetFileName(name);
        return SettingsExtensions.Contains(Path.GetExtension(fileName).ToLowerInvariant()) || fileName.StartsWith(".env", StringComparison.Ordinal);
    }

    /// <summary>
    /// Text in UTF-16 (Windows tools write settings so): a byte-order mark, or ASCII with a zero byte after (LE) or
    /// before (BE) every character over the first 64 bytes. Binaries hold UTF-16 strings too, but not from their
    /// first byte.
    /// </summary>
    public static System.Text.Encoding? Utf16(ReadOnlySpan<byte> header)
    {
        if (header.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return System.Text.Encoding.Unicode;
        }

        if (header.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return System.Text.Encoding.BigEndianUnicode;
        }

        return header.Length < 8 ? null : AllPairs(header, 0, 1) ? System.Text.Encoding.Unicode : AllPairs(header, 1, 0) ? System.Text.Encoding.BigEndianUnicode : null;
    }

    private static bool AllPairs(ReadOnlySpan<byte> header, int text, int zero)
    {
        var pairs = Math.Min(header.Length, 64) / 2;
        for (var i = 0; i < pairs; i++)
        {
            var c = header[(2 * i) + text];
            if (header[(2 * i) + zero] != 0 || !(c is >= 0x20 and < 0x7F or (byte)'\t' or (byte)'\n' or (byte)'\r'))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>A PE file with a CLI header (data directory 14): a .NET assembly, IL or ReadyToRun.</summary>
    public static bool IsManagedAssembly(ReadOnlySpan<byte> header)
    {
        if (header.Length < 0x40 || !header.StartsWith("MZ"u8))
        {
            return false;
        }

        var pe = BitConverter.ToInt32(header[0x3C..]);
        if (pe < 0x40 || pe > header.Length - 24 - 2 || !header[pe..].StartsWith("PE\0\0"u8))
        {
            return false;
        }

        var optional = pe + 24;
        var directories = BitConverter.ToUInt16(header[optional..]) switch
        {
            0x10B => optional + 96,
            0x20B => optional + 112,
            _ => -1,
        };
        const int CliHeader = 14;
        var entry = directories + (CliHeader * 8);
        return directories > 0 && entry + 8 <= header.Length && BitConverter.ToUInt32(header[entry..]) != 0;
    }

    /// <summary>No zero byte and almost no control characters in the first bytes.</summary>
    private static bool LooksLikeText(ReadOnlySpan<byte> header)
    {
        if (header.IndexOf((byte)0) >= 0)
        {
            return false;
        }

        var control = 0;
        foreach (var b in header)
        {
            control += b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\r' or 0x0C or 0x1B) ? 1 : 0;
        }

        return control * 100 <= header.Length;
    }
}
