using System.Globalization;
using System.Text;

namespace Iris.Camera.Tests.Support;

/// <summary>Reads the parts of a multipart/x-mixed-replace MJPEG stream, as a browser's img element does.</summary>
public sealed class MjpegReader(Stream stream)
{
    /// <summary>The next JPEG, or null when the stream has ended.</summary>
    public async Task<byte[]?> NextFrameAsync(CancellationToken cancellationToken)
    {
        var length = -1;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken);
            if (line is null)
            {
                return null;
            }

            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase))
            {
                length = int.Parse(line["Content-Length:".Length..].Trim(), CultureInfo.InvariantCulture);
            }
            else if (line.Length == 0 && length >= 0)
            {
                break;
            }
        }

        var frame = new byte[length];
        await stream.ReadExactlyAsync(frame, cancellationToken);
        return frame;
    }

    private async Task<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        var bytes = new List<byte>();
        var one = new byte[1];
        while (true)
        {
            if (await stream.ReadAsync(one, cancellationToken) == 0)
            {
                return null;
            }

            if (one[0] == '\n')
            {
                return Encoding.ASCII.GetString(bytes.ToArray()).TrimEnd('\r');
            }

            bytes.Add(one[0]);
        }
    }

    public static bool IsJpeg(byte[] data) =>
        data.Length > 4 && data[0] == 0xFF && data[1] == 0xD8 && data[^2] == 0xFF && data[^1] == 0xD9;
}
