using System.Formats.Tar;
using SharpCompress.Readers.Zip;

namespace Iris.Factory.Gate;

/// <summary>The archive formats the gate walks entry by entry as they stream: tar, zip and cpio (initramfs).</summary>
internal static partial class ReleaseGate
{
    private static void ScanTar(Stream content, string name, HostAllowList hosts, GateReport report, int windowBytes, int depth)
    {
        using var tar = new TarReader(content);
        while (tar.GetNextEntry(copyData: false) is { } entry)
        {
            var entryName = $"{name}!{(entry.Name.StartsWith("./", StringComparison.Ordinal) ? entry.Name[2..] : entry.Name).TrimStart('/')}";
            switch (entry.EntryType)
            {
                case TarEntryType.RegularFile or TarEntryType.V7RegularFile or TarEntryType.ContiguousFile when entry.DataStream is { } data:
                    ReviewMode(entryName, entry.Mode, report);
                    ScanEntry(data, entryName, null, hosts, report, windowBytes, depth + 1, entry.Length);
                    break;
                case TarEntryType.SymbolicLink:
                    ReportLink(entryName, report, insideImage: true);
                    break;
                case TarEntryType.HardLink:
                    // Same content as an entry already scanned; only its name can still be a plaintext daemon.
                    ReportDaemon(entryName, report);
                    break;
                case TarEntryType.Fifo or TarEntryType.CharacterDevice or TarEntryType.BlockDevice:
                    ReportSpecial(entryName, entry.EntryType switch
                    {
                        TarEntryType.Fifo => FileKind.Fifo,
                        TarEntryType.CharacterDevice => FileKind.CharacterDevice,
                        _ => FileKind.BlockDevice,
                    }, report, insideImage: true);
                    break;
            }
        }
    }

    private static void ScanZip(Stream content, string name, HostAllowList hosts, GateReport report, int windowBytes, int depth)
    {
        using var zip = ZipReader.OpenReader(content);
        while (zip.MoveToNextEntry())
        {
            if (!zip.Entry.IsDirectory)
            {
                using var data = zip.OpenEntryStream();
                ScanEntry(data, $"{name}!{zip.Entry.Key}", null, hosts, report, windowBytes, depth + 1, zip.Entry.Size);
            }
        }
    }

    /// <summary>
    /// cpio "newc" (070701, 070702), the initramfs format: a 110-byte ASCII header (13 hex fields), the name, the
    /// data, each padded to 4 bytes, up to "TRAILER!!!". An initramfs may carry more after the trailer (zero
    /// padding, then another cpio, often compressed): that is scanned too, as what it turns out to be.
    /// </summary>
    private static void ScanCpio(Stream content, string name, HostAllowList hosts, GateReport report, int windowBytes, int depth)
    {
        var header = new byte[110];
        long offset = 0;
        while (true)
        {
            content.ReadExactly(header);
            offset += header.Length;
            if (!header.AsSpan(0, 5).SequenceEqual("07070"u8) || header[5] is not ((byte)'1' or (byte)'2'))
            {
                throw new NotSupportedException("only cpio newc archives are read");
            }

            var mode = Hex(header, 1);
            var size = Hex(header, 6);
            var nameSize = (int)Hex(header, 11);
            if (nameSize is < 1 or > 4096)
            {
                throw new InvalidDataException($"cpio entry name of {nameSize} bytes");
            }

            var nameBytes = new byte[nameSize];
            content.ReadExactly(nameBytes);
            offset += nameSize;
            Skip(content, Padding(offset), ref offset);
            var entryName = System.Text.Encoding.UTF8.GetString(nameBytes, 0, nameSize - 1);
            if (entryName == "TRAILER!!!")
            {
                break;
            }

            var entry = $"{name}!{(entryName.StartsWith("./", StringComparison.Ordinal) ? entryName[2..] : entryName).TrimStart('/')}";
            using (var data = new LimitedStream(content, size))
            {
                switch (mode & 0xF000)
                {
                    case 0x8000:
                        ReviewMode(entry, (UnixFileMode)(mode & 0xFFF), report);
                        ScanEntry(data, entry, null, hosts, report, windowBytes, depth + 1, size);
                        break;
                    case 0xA000:
                        ReportLink(entry, report, insideImage: true);
                        break;
                    case 0x1000 or 0x2000 or 0x6000 or 0xC000:
                        ReportSpecial(entry, (mode & 0xF000) switch
                        {
                            0x1000 => FileKind.Fifo,
                            0x2000 => FileKind.CharacterDevice,
                            0x6000 => FileKind.BlockDevice,
                            _ => FileKind.Socket,
                        }, report, insideImage: true);
                        break;
                }

                data.SkipRest();
            }

            offset += size;
            Skip(content, Padding(offset), ref offset);
        }

        ScanAppended(content, name, hosts, report, windowBytes, depth);
    }

    /// <summary>
    /// Device nodes, FIFOs and sockets hold no content and are never opened. Inside a root file system or an
    /// initramfs they are normal (/dev/console must exist before devtmpfs is mounted) and hold no secret, so they are
    /// not findings there; in a release directory (the published application) nothing but regular files belongs.
    /// </summary>
    internal static void ReportSpecial(string name, FileKind kind, GateReport report, bool insideImage)
    {
        if (!insideImage)
        {
            report.Add($"{name}: special file ({FileKinds.Describe(kind)}, not opened)");
        }
    }

    /// <summary>
    /// Setuid, setgid and world-writable files are no secret and are normal in a root file system (su, passwd), so
    /// they never stop a release; each is a way to gain privileges or change a program, so a person should see the
    /// list (IoT-1005-1 5.6: minimise what is exposed) and each is listed for review.
    /// </summary>
    internal static void ReviewMode(string name, UnixFileMode mode, GateReport report)
    {
        var notes = new List<string>(3);
        if ((mode & UnixFileMode.SetUser) != 0)
        {
            notes.Add("setuid");
        }

        if ((mode & UnixFileMode.SetGroup) != 0)
        {
            notes.Add("setgid");
        }

        if ((mode & UnixFileMode.OtherWrite) != 0)
        {
            notes.Add("world-writable");
        }

        if (notes.Count > 0)
        {
            report.AddReview($"{name}: {string.Join(", ", notes)} file (mode {Convert.ToString((int)mode & 0xFFF, 8)})");
        }
    }

    /// <summary>What follows a cpio trailer: zero padding, then possibly another (compressed) archive.</summary>
    private static void ScanAppended(Stream content, string name, HostAllowList hosts, GateReport report, int windowBytes, int depth)
    {
        var buffer = new byte[4096];
        int read;
        while ((read = content.Read(buffer)) > 0)
        {
            var start = buffer.AsSpan(0, read).IndexOfAnyExcept((byte)0);
            if (start >= 0)
            {
                var rest = new PrefixedStream(buffer.AsMemory(start, read - start), content);
                ScanEntry(rest, name, null, hosts, report, windowBytes, depth + 1, null);
                return;
            }
        }
    }

    private static string Unpacked(string fileName, string suffix, string tarSuffix) =>
        fileName.EndsWith(tarSuffix, StringComparison.OrdinalIgnoreCase) ? fileName[..^tarSuffix.Length] + ".tar"
        : fileName.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) ? fileName[..^suffix.Length] : fileName;

    private static long Hex(byte[] header, int field) =>
        long.Parse(header.AsSpan(6 + (field * 8), 8), System.Globalization.NumberStyles.AllowHexSpecifier, System.Globalization.CultureInfo.InvariantCulture);

    private static int Padding(long offset) => (int)((4 - (offset % 4)) % 4);

    private static void Skip(Stream content, int count, ref long offset)
    {
        Span<byte> padding = stackalloc byte[4];
        content.ReadExactly(padding[..count]);
        offset += count;
    }
}
