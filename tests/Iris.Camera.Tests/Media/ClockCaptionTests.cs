using Iris.Camera.Identity;
using Iris.Camera.Media;

namespace Iris.Camera.Tests.Media;

/// <summary>The burned-in clock shows seconds and stays inside the picture at every size (issue 14, point 6).</summary>
public sealed class ClockCaptionTests
{
    private const string Serial = "DEV-CLOCKTEST01";
    private static readonly DateTimeOffset At = new(2026, 3, 4, 5, 6, 7, TimeSpan.Zero);

    [Theory]
    [InlineData(160, 120)]
    [InlineData(320, 240)]
    [InlineData(640, 480)]
    [InlineData(1280, 720)]
    [InlineData(1920, 1080)]
    [InlineData(3840, 2160)]
    public void Caption_StartsWithTheClockToTheSecond_AndFitsTheWidth(int width, int height)
    {
        var (text, scale) = TestPatternSource.Caption(width, height, At, Serial, 123_456);

        Assert.StartsWith("2026-03-04 05:06:07Z", text, StringComparison.Ordinal);
        Assert.True(scale >= 1);
        // Drawn from x = 4 * scale, 6 * scale per character: the last glyph ends inside the picture.
        Assert.True((4 * scale) + (text.Length * 6 * scale) <= width, $"{text.Length} characters at scale {scale} overflow {width} px");
    }

    [Theory]
    [InlineData(1280, 720)]
    [InlineData(3840, 2160)]
    public void Caption_KeepsTheSerialAndCounter_WhereThereIsRoom(int width, int height)
    {
        var (text, _) = TestPatternSource.Caption(width, height, At, Serial, 42);

        Assert.Equal($"2026-03-04 05:06:07Z  #42  {Serial}", text);
    }

    [Theory]
    [InlineData(320, 240)]
    [InlineData(1280, 720)]
    public void TheCaptionSize_DoesNotChange_WhenTheCounterGainsDigits(int width, int height)
    {
        // A caption that grew or shrank would redraw the whole band: motion detection would see motion in a still scene.
        Assert.Equal(TestPatternSource.Caption(width, height, At, Serial, 9).Scale, TestPatternSource.Caption(width, height, At, Serial, 1_000_000).Scale);
    }

    [Theory]
    [InlineData(160, 120)]
    [InlineData(1280, 720)]
    [InlineData(3840, 2160)]
    public void ASecondLater_ThePictureDiffers_EvenInAStillScene(int width, int height)
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        using var identity = new DeviceIdentity(Serial, "model", IdentityOrigin.Development,
            DeviceCertificate.CreateSelfSigned(key, Serial, "Iris", DateTimeOffset.UnixEpoch));
        var source = new TestPatternSource(new MediaOptions { Width = width, Height = height, TestPatternMoves = false }, identity, TimeProvider.System);

        var now = source.RenderFrame(7, At);
        var sameTime = source.RenderFrame(7, At);
        var secondLater = source.RenderFrame(7, At.AddSeconds(1));

        Assert.Equal(now.Jpeg.ToArray(), sameTime.Jpeg.ToArray());
        Assert.NotEqual(now.Jpeg.ToArray(), secondLater.Jpeg.ToArray());
    }
}
