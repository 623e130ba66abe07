using System.IO.Compression;
using System.Text;
using SharpCompress.Compressors.BZip2;
using SharpCompress.Compressors.Xz;

namespace Iris.Factory.Gate;

/// <summary>
/// The release gate (IoT-1005-1 5.4.1.1, second branch): before a release is published, every file of a directory,
/// or a whole file-system image, is scanned for secrets (private keys in PEM or DER, key stores, password hashes,
/// credentials in settings files, URLs with credentials) and for network endpoints (URLs of any scheme whose host is
/// not exactly on the allow list, plaintext protocols, IP addresses). Archives and compressed images are opened
/// as they stream: gzip, xz, bzip2, zstd, Brotli (.br), tar, cpio (initramfs) and zip, nested to <see cref="MaxDepth"/>; squashfs is unpacked by
/// unsquashfs. Content is streamed through a window of fixed size, so a file of any size is scanned in bounded
/// memory. A finding stops the release; it is fixed in the build, never waved through.
/// </summary>
internal static partial class ReleaseGate
{
    public const int DefaultWindowBytes = 1 << 20;
    public const int MaxDepth = 8;
    private const int MaxFindingsPerFile = 50;

    /// <summary>Programs that serve plaintext logins or files; shipping one is a finding whatever its settings.</summary>
    private static readonly HashSet<string> PlaintextDaemons = new(StringComparer.Ordinal)
    {
        "telnetd", "in.telnetd", "utelnetd", "ftpd", "in.ftpd", "vsftpd", "proftpd", "pure-ftpd", "tftpd", "in.tftpd", "rshd", "in.rshd", "rlogind", "in.rlogind", "rexecd",
    };

    private static readonly string[] KeyStoreExtensions = [".p12", ".pfx", ".jks", ".keystore", ".bks"];

    /// <summary>Scans a directory (every file in it) or one file (an image or archive, opened as far as it goes).</summary>
    public static GateReport Scan(string path, HostAllowList hosts, int windowBytes = DefaultWindowBytes)
    {
        var report = new GateReport();
        if (Directory.Exists(path))
        {
            ScanDirectory(Path.GetFullPath(path), "", hosts, report, windowBytes);
        }
        else if (File.Exists(path) && FileKinds.Of(path) is not (FileKind.Regular or FileKind.SymbolicLink) and var special)
        {
            report.Add($"{Path.GetFileName(path)}: special file ({FileKinds.Describe(special)}, not opened)");
        }
        else if (File.Exists(path))
        {
            ScanFile(Path.GetFullPath(path), Path.GetFileName(path), hosts, report, windowBytes, depth: 0);
        }
        else
        {
            throw new ArgumentException($"'{path}' is neither a directory nor a file.");
        }

        return report;
    }

    /// <summary>Scans one stream of any length; what it holds (archive, text, binary) decides which rules apply.</summary>
    public static void ScanStream(Stream stream, string name, HostAllowList hosts, GateReport report, int windowBytes = DefaultWindowBytes) =>
        ScanEntry(stream, name, null, hosts, report, windowBytes, depth: 0, length: null);

    /// <summary>
    /// Walks a directory one level at a time by what each entry is (<see cref="FileKinds"/>): directories are
    /// entered, regular files scanned, and nothing else is opened or followed. A link can point anywhere (out of the
    /// tree, /dev/zero never ends) and a FIFO blocks whoever opens it, so both are findings, named not read.
    /// </summary>
    internal static void ScanDirectory(string root, string prefix, HostAllowList hosts, GateReport report, int windowBytes, int depth = 0)
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(root).Order(StringComparer.Ordinal))
        {
            var relative = prefix + Path.GetFileName(entry);
            switch (FileKinds.Of(entry))
            {
                case FileKind.Directory:
                    ScanDirectory(entry, relative + "/", hosts, report, windowBytes, depth);
                    break;
                case FileKind.Regular:
                    ReviewMode(relative, File.GetUnixFileMode(entry), report);
                    ScanFile(entry, relative, hosts, report, windowBytes, depth);
                    break;
                case FileKind.SymbolicLink:
                    ReportLink(relative, report, insideImage: depth > 0);
                    break;
                case var special:
                    ReportSpecial(relative, special, report, insideImage: depth > 0);
                    break;
            }
        }
    }

    /// <summary>
    /// A link holds no content, but its name may still be a plaintext daemon (a BusyBox applet link). In a release
    /// directory (the published application) a link is a finding; inside a root file-system image links are
    /// normal (/bin/sh, library versions) and are only never followed.
    /// </summary>
    internal static void ReportLink(string name, GateReport report, bool insideImage)
    {
        if (!insideImage)
        {
            report.Add($"{name}: symbolic link (a release holds regular files only)");
        }

        ReportDaemon(name, report);
    }

    private static void ReportDaemon(string name, GateReport report)
    {
        var fileName = Path.GetFileName(name);
        if (PlaintextDaemons.Contains(fileName))
        {
            report.Add($"{name}: plaintext protocol service ({fileName})");
        }
    }

    private static void ScanFile(string path, string name, HostAllowList hosts, GateReport report, int windowBytes, int depth)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
        ScanEntry(stream, name, path, hosts, report, windowBytes, depth, stream.Length);
    }

    internal static void ScanEntry(Stream stream, string name, string? filePath, HostAllowList hosts, GateReport report, int windowBytes, int depth, long? length)
    {
        var fileName = Path.GetFileName(name);
        ReportDaemon(name, report);
        if (KeyStoreExtensions.Contains(Path.GetExtension(fileName).ToLowerInvariant()))
        {
            report.Add($"{name}: key store file");
        }

        if (name.EndsWith("storage.key", StringComparison.Ordinal) || name.EndsWith(".sealed", StringComparison.Ordinal))
        {
            report.Add($"{name}: device key material (a data directory must never be part of a release)");
        }

        var header = new byte[ContentSniffer.HeaderBytes];
        var headerLength = stream.ReadAtLeast(header, header.Length, throwOnEndOfStream: false);
        var content = new PrefixedStream(header.AsMemory(0, headerLength), stream);
        var kind = ContentSniffer.Sniff(header.AsSpan(0, headerLength), name);
        if (kind is ContentKind.Gzip or ContentKind.Xz or ContentKind.Bzip2 or ContentKind.Zip or ContentKind.Tar or ContentKind.Squashfs or ContentKind.Brotli
            or ContentKind.Zstd or ContentKind.Cpio or ContentKind.Utf16Text && depth >= MaxDepth)
        {
            report.Add($"{name}: archives nested deeper than {MaxDepth} levels (not scanned)");
            return;
        }

        try
        {
            switch (kind)
            {
                case ContentKind.Gzip:
                    using (var gzip = new GZipStream(content, CompressionMode.Decompress))
                    {
                        ScanEntry(gzip, name + "!" + Unpacked(fileName, ".gz", ".tgz"), null, hosts, report, windowBytes, depth + 1, null);
                    }

                    break;
                case ContentKind.Xz:
                    using (var xz = new XZStream(content))
                    {
                        ScanEntry(xz, name + "!" + Unpacked(fileName, ".xz", ".txz"), null, hosts, report, windowBytes, depth + 1, null);
                    }

                    break;
                case ContentKind.Bzip2:
                    using (var bzip2 = BZip2Stream.Create(content, SharpCompress.Compressors.CompressionMode.Decompress, decompressConcatenated: true))
                    {
                        ScanEntry(bzip2, name + "!" + Unpacked(fileName, ".bz2", ".tbz2"), null, hosts, report, windowBytes, depth + 1, null);
                    }

                    break;
                case ContentKind.Brotli:
                    using (var brotli = new BrotliStream(content, CompressionMode.Decompress))
                    {
                        ScanEntry(brotli, name + "!" + Unpacked(fileName, ".br", ".tbr"), null, hosts, report, windowBytes, depth + 1, null);
                    }

                    break;
                case ContentKind.Zstd:
                    using (var zstd = new SharpCompress.Compressors.ZStandard.DecompressionStream(content))
                    {
                        ScanEntry(zstd, name + "!" + Unpacked(fileName, ".zst", ".tzst"), null, hosts, report, windowBytes, depth + 1, null);
                    }

                    break;
                case ContentKind.Cpio:
                    ScanCpio(content, name, hosts, report, windowBytes, depth);
                    break;
                case ContentKind.Utf16Text:
                    // Read as the text it is, under its own name: the text and settings rules then apply.
                    using (var text = Encoding.CreateTranscodingStream(content, ContentSniffer.Utf16(header.AsSpan(0, headerLength))!, Encoding.UTF8))
                    {
                        ScanEntry(text, name, null, hosts, report, windowBytes, depth + 1, null);
                    }

                    break;
                case ContentKind.Tar:
                    ScanTar(content, name, hosts, report, windowBytes, depth);
                    break;
                case ContentKind.Zip:
                    ScanZip(content, name, hosts, report, windowBytes, depth);
                    break;
                case ContentKind.Squashfs:
                    SquashfsImage.Scan(content, filePath, name, hosts, report, windowBytes, depth);
                    break;
                default:
                    ScanContent(content, name, kind, ContentSniffer.IsManagedAssembly(header.AsSpan(0, headerLength)), hosts, report, length is { } known ? (int)Math.Min(windowBytes, Math.Max(4096, known)) : windowBytes);
                    break;
            }
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException or NotSupportedException or SharpCompress.Common.SharpCompressException
            || (kind == ContentKind.Brotli && e is InvalidOperationException) || e is SharpCompress.Compressors.ZStandard.ZstdException)
        {
            // What cannot be opened cannot be shown to hold nothing: a damaged or unknown archive stops the release.
            // (BrotliStream says "Decoder ran into invalid data" as an InvalidOperationException.)
            report.Add($"{name}: {kind} content that could not be read to the end ({e.GetType().Name})");
        }
    }

    /// <summary>A leaf: the rules for its kind over the raw bytes; binaries also as UTF-16 text; unknown binaries by entropy.</summary>
    private static void ScanContent(Stream stream, string name, ContentKind kind, bool managedAssembly, HostAllowList hosts, GateReport report, int windowBytes)
    {
        var distinct = new HashSet<string>(StringComparer.Ordinal);
        var reviews = new List<string>();
        var keyFound = false;
        void Finding(string finding)
        {
            keyFound |= finding.EndsWith(": contains a private key", StringComparison.Ordinal) || finding.Contains(": contains a private key (", StringComparison.Ordinal)
                || finding.Contains(": contains a key store", StringComparison.Ordinal);
            if (distinct.Count < MaxFindingsPerFile && distinct.Add(finding))
            {
                report.Add(finding);
            }
            else if (distinct.Count == MaxFindingsPerFile && !distinct.Contains(finding) && distinct.Add(finding))
            {
                report.Add($"{name}: more findings, not listed");
            }
        }

        // deps.json and runtimeconfig.json are written by the SDK, the SBOM by the factory: full of version numbers and
        // package hashes, so only the high-entropy review rule is left out. A name is no proof of content: every
        // credential, key, address and URL rule still applies to them.
        var generated = name.EndsWith(".deps.json", StringComparison.Ordinal) || name.EndsWith(".runtimeconfig.json", StringComparison.Ordinal)
            || name.EndsWith(".staticwebassets.endpoints.json", StringComparison.Ordinal) || name.EndsWith("sbom.cdx.json", StringComparison.Ordinal);
        var fileName = Path.GetFileName(name);
        // A settings file with NUL bytes in it (padding, a tool's binary field) is still settings, line by line.
        var settingsWithNul = kind == ContentKind.Binary && ContentSniffer.IsSettingsName(name);
        var rules = kind switch
        {
            _ when settingsWithNul => GateRules.SettingsWithNul,
            ContentKind.Settings when fileName is ".netrc" or "_netrc" or "netrc" => GateRules.Netrc,
            ContentKind.Settings when !generated => GateRules.Settings,
            ContentKind.Text when !generated => GateRules.Text,
            ContentKind.Settings or ContentKind.Text => GateRules.Generated,
            _ => GateRules.Binary,
        };
        var binary = kind is ContentKind.Binary or ContentKind.KnownBinary;
        var raw = Matcher(rules, name, binary, managedAssembly, hosts, windowBytes, Finding, reviews.Add);
        // .NET keeps string literals as UTF-16; dropping the zero bytes makes them readable for the same rules.
        var utf16 = binary ? Matcher(GateRules.Utf16, name, binary, managedAssembly, hosts, windowBytes, Finding, reviews.Add) : null;
        var buffer = new byte[windowBytes];
        var lines = settingsWithNul ? new byte[windowBytes] : [];
        report.Held(Math.Max(buffer.Length, Math.Max(raw.BufferBytes, utf16?.BufferBytes ?? 0)));
        Span<long> histogram = stackalloc long[256];
        long total = 0;
        int read;
        while ((read = stream.Read(buffer)) > 0)
        {
            var bytes = buffer.AsSpan(0, read);
            if (settingsWithNul)
            {
                // Each NUL ends a line, so an assignment after one is at the start of its line.
                raw.AppendLatin1(Lines(bytes, lines));
            }
            else
            {
                raw.AppendLatin1(bytes);
            }

            utf16?.AppendWithoutZeros(bytes);
            if (kind == ContentKind.Binary)
            {
                foreach (var b in bytes)
                {
                    histogram[b]++;
                }
            }

            total += read;
            report.BytesScanned += read;
        }

        raw.Finish();
        utf16?.Finish();
        // Data of no known type that looks random may be a key, an encrypted blob or an archive the gate cannot open.
        if (kind == ContentKind.Binary && RuleJudge.EntropyRatio(histogram, total) >= 0.9)
        {
            reviews.Add($"{name}: high-entropy data of unknown type ({total} bytes)");
        }

        // A key is random by nature: once the file is a finding for the key, its base64 body or DER bytes listed
        // again as "high-entropy, unknown type" would only send a reviewer to what is already stopping the release.
        if (!keyFound)
        {
            reviews.ForEach(report.AddReview);
        }
    }

    private static ReadOnlySpan<byte> Lines(ReadOnlySpan<byte> bytes, byte[] copy)
    {
        bytes.CopyTo(copy);
        copy.AsSpan(0, bytes.Length).Replace((byte)0, (byte)'\n');
        return copy.AsSpan(0, bytes.Length);
    }

    private static WindowedMatcher Matcher(GateRule[] rules, string name, bool binary, bool managedAssembly, HostAllowList hosts, int windowBytes, Action<string> finding, Action<string> review) =>
        new(windowBytes, [.. rules.Select(GateRules.For)], (index, match) => RuleJudge.Judge(rules[index], match, name, hosts, finding, review, binary, managedAssembly));
}
