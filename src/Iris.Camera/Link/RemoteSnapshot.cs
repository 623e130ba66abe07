using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Iris.Camera.Media;

namespace Iris.Camera.Link;

/// <summary>
/// The "snapshot" command: one JPEG from the live source, carried inside the signed answer together with its
/// SHA-256, so the device signature covers the picture itself. Refused while privacy mode is on (nothing is
/// captured then); a picture larger than <see cref="MaximumBytes"/> is not sent (answer <c>failed</c>).
/// </summary>
internal sealed class RemoteSnapshot(FrameHub hub, TimeProvider time)
{
    public const int MaximumBytes = 2 * 1024 * 1024;

    public async Task<(string Status, string Detail, SnapshotPicture? Picture)> TakeAsync(CancellationToken cancellationToken)
    {
        if (hub.TrySubscribe(asViewer: false, out var subscription) != SubscribeResult.Subscribed)
        {
            return ("refused", "privacy mode is on", null);
        }

        using (subscription)
        {
            try
            {
                var frame = await subscription!.Frames.ReadAsync(cancellationToken).AsTask().WaitAsync(TimeSpan.FromSeconds(5), time, cancellationToken);
                if (frame.Jpeg.Length > MaximumBytes)
                {
                    return ("failed", "the picture is too large to send over the link", null);
                }

                var jpeg = frame.Jpeg.ToArray();
                return ("done", "snapshot taken", new SnapshotPicture(Convert.ToBase64String(jpeg), Convert.ToHexStringLower(SHA256.HashData(jpeg)), frame.CapturedAt, frame.Width, frame.Height));
            }
            catch (Exception ex) when (ex is TimeoutException or System.Threading.Channels.ChannelClosedException)
            {
                return ("failed", "the camera delivered no frame", null);
            }
        }
    }
}

/// <summary>The picture in a signed answer: JPEG (base64), its SHA-256 (hex), when and how large.</summary>
public sealed record SnapshotPicture(
    [property: JsonPropertyName("jpeg")] string Jpeg,
    [property: JsonPropertyName("sha256")] string Sha256,
    [property: JsonPropertyName("capturedAt")] DateTimeOffset CapturedAt,
    [property: JsonPropertyName("width")] int Width,
    [property: JsonPropertyName("height")] int Height);
