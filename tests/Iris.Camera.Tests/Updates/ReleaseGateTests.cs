using System.Text;
using Iris.Factory.Gate;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// The release gate streams (issue 11, point 17): it used to read each file whole and ran out of memory on a
/// 1 GiB image. Now a window of fixed size slides over the file, and what it finds is what a whole-file scan finds.
/// </summary>
public sealed class ReleaseGateTests
{
    private static readonly HostAllowList Allowed = new(["*.example.com"]);

    [Fact]
    public void AStreamFarLargerThanTheWindow_IsScannedWithOnlyTheWindowInMemory_AndEveryFindingIsFound()
    {
        const int window = 64 * 1024;
        const long length = 256L << 20;
        var plants = new Dictionary<long, byte[]>
        {
            [(100L * window) - 10] = "https://straddle.example.net/x"u8.ToArray(),
            [128L << 20] = Encoding.Unicode.GetBytes("wss://utf16.example.org/feed"),
            [length - 40] = "-----BEGIN EC PRIVATE KEY-----"u8.ToArray(),
            [200L << 20] = "http://fine.example.com/ok"u8.ToArray(),
        };
        var report = new GateReport();

        ReleaseGate.ScanStream(new GeneratedStream(length, plants), "rootfs.img", Allowed, report, window);

        Assert.Equal(length, report.BytesScanned);
        Assert.Equal(
            ["rootfs.img: contains a private key", "rootfs.img: undeclared endpoint https://straddle.example.net", "rootfs.img: undeclared endpoint wss://utf16.example.org"],
            report.Findings.Order(StringComparer.Ordinal));
        // The buffers depend on the window, not on the 256 MiB: a read buffer and two character windows (+ overlap).
        Assert.InRange(report.LargestBuffer, 1, 2 * (window + WindowedMatcher.Overlap + WindowedMatcher.Context));
    }

    [Theory]
    [InlineData(1000)]
    [InlineData(4099)]
    [InlineData(65536)]
    public void AWindowedScan_FindsExactlyWhatOneScanOfTheWholeTextFinds(int window)
    {
        var random = new Random(1005);
        var text = new StringBuilder();
        var planted = new[]
        {
            "\"dbPassword\": \"hunter2\"", "\"Url\": \"https://collect.example.net/a\"", "\"Host\": \"198.51.100.23\"",
            "-----BEGIN RSA PRIVATE KEY-----", "http://docs.example.com/fine", "\"Pin\":  \"1234\"", "\"Token\"\n   : \"abc\"",
        };
        while (text.Length < 120_000)
        {
            text.Append(random.Next(4) == 0 ? planted[random.Next(planted.Length)] : new string((char)('a' + random.Next(26)), random.Next(1, 900)));
            text.Append(' ');
        }

        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        var whole = new GateReport();
        ReleaseGate.ScanStream(new MemoryStream(bytes), "appsettings.json", Allowed, whole, bytes.Length);
        var windowed = new GateReport();
        ReleaseGate.ScanStream(new MemoryStream(bytes), "appsettings.json", Allowed, windowed, window);

        Assert.Equal(
            ["appsettings.json: IP address 198.51.100.23", "appsettings.json: contains a private key", "appsettings.json: credential in settings (Pin)",
             "appsettings.json: credential in settings (Token)", "appsettings.json: credential in settings (dbPassword)",
             "appsettings.json: undeclared endpoint https://collect.example.net"],
            whole.Findings.Order(StringComparer.Ordinal));
        Assert.Equal(whole.Findings.Order(StringComparer.Ordinal), windowed.Findings.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AnImageFile_IsScannedAsOneFile()
    {
        using var dir = new Support.TempDirectory();
        var image = dir.Combine("rootfs.ext4");
        using (var file = File.Create(image))
        {
            file.SetLength(8 << 20);
            file.Position = 5 << 20;
            file.Write("-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n"u8);
        }

        var report = ReleaseGate.Scan(image, Allowed);

        Assert.Equal(["rootfs.ext4: contains a private key"], report.Findings);
    }

    /// <summary>A stream of the given length: zeros, with planted bytes at given offsets, made as it is read.</summary>
    private sealed class GeneratedStream(long length, IReadOnlyDictionary<long, byte[]> plants) : Stream
    {
        private long _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var count = (int)Math.Min(buffer.Length, length - _position);
            var span = buffer[..count];
            span.Clear();
            foreach (var (at, bytes) in plants)
            {
                for (var i = 0; i < bytes.Length; i++)
                {
                    if (at + i >= _position && at + i < _position + count)
                    {
                        span[(int)(at + i - _position)] = bytes[i];
                    }
                }
            }

            _position += count;
            return count;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
