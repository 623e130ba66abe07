using System.Diagnostics;
using Iris.Camera.Tests.Support;
using Iris.Factory.Labels;
using SkiaSharp;
using ZXing;
using ZXing.Common;
using ZXing.QrCode;

namespace Iris.Camera.Tests.Factory;

/// <summary>
/// Issue 13, point 2 (5.1.1.1, 5.2.3.4): the label read back the way people and machines read it: the QR code
/// by ZXing.Net, the PNG by OCR (Debian tesseract-ocr), the PDF by Debian pdftotext.
/// </summary>
public sealed class LabelTests : IDisposable
{
    private static readonly DeviceLabel Label = new("Iris Labs", "Iris Cam 2", "IC2-00000006M", "MVZV-3B8Y-P668-KEWZ-DRAF", "https://setup.example.com/start");
    private readonly TempDirectory _dir = new();

    public LabelTests() => new LabelFiles(_dir.Path).Write(Label);

    private string Stem => _dir.Combine(Label.Serial);

    [Fact]
    public void Qr_ReadsBackAsTheSerialAndTheSetupAddress_AndNeverThePassword()
    {
        var text = DecodeQr(File.ReadAllBytes(Stem + ".png"));

        var address = new Uri(text);
        Assert.Equal("https://setup.example.com/start/", address.GetLeftPart(UriPartial.Path));
        Assert.Equal("?serial=" + Label.Serial, address.Query);
        Assert.DoesNotContain(Label.Password, text, StringComparison.Ordinal);
    }

    [Fact]
    public void Png_Is60By40MillimetresAt300Dpi_AndShowsModelSerialAndPassword()
    {
        using var bitmap = SKBitmap.Decode(Stem + ".png");
        Assert.Equal((709, 472), (bitmap.Width, bitmap.Height));

        var text = Squeeze(Run("tesseract", Stem + ".png", "-", "--psm", "6"));

        Assert.Contains(Squeeze(Label.Model), text, StringComparison.Ordinal);
        Assert.Contains(Label.Serial, text, StringComparison.Ordinal);
        Assert.Contains(Label.Password, text, StringComparison.Ordinal);
        Assert.Contains("Defaultpassword", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Pdf_ShowsModelSerialPasswordAndTheRequiredTextInBothLanguages()
    {
        var text = Run("pdftotext", Stem + ".pdf", "-");

        Assert.Contains(Label.Model, text, StringComparison.Ordinal);
        Assert.Contains(Label.Serial, text, StringComparison.Ordinal);
        Assert.Contains(Label.Password, text, StringComparison.Ordinal);
        Assert.Contains(Label.Vendor, text, StringComparison.Ordinal);
        Assert.Contains("型號", text, StringComparison.Ordinal);
        Assert.Contains("預設密碼", text, StringComparison.Ordinal);
        Assert.Contains("首次登入時請變更此密碼", text, StringComparison.Ordinal);
        Assert.Contains("Change this password when you first sign in.", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Svg_CarriesEveryField_AndLabelFilesAreOwnerOnly()
    {
        var svg = File.ReadAllText(Stem + ".svg");

        Assert.Contains("width=\"60mm\" height=\"40mm\"", svg, StringComparison.Ordinal);
        foreach (var field in new[] { Label.Vendor, Label.Model, Label.Serial, Label.Password, "Serial 序號", "Default password 預設密碼" })
        {
            Assert.Contains(">" + field + "</text>", svg, StringComparison.Ordinal);
        }

        foreach (var extension in new[] { ".svg", ".png", ".pdf" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Stem + extension));
        }
    }

    public void Dispose() => _dir.Dispose();

    private static string DecodeQr(byte[] png)
    {
        using var bitmap = SKBitmap.Decode(png);
        var luminance = new byte[bitmap.Width * bitmap.Height];
        for (var y = 0; y < bitmap.Height; y++)
        {
            for (var x = 0; x < bitmap.Width; x++)
            {
                var pixel = bitmap.GetPixel(x, y);
                luminance[(y * bitmap.Width) + x] = (byte)((pixel.Red + pixel.Green + pixel.Blue) / 3);
            }
        }

        var source = new RGBLuminanceSource(luminance, bitmap.Width, bitmap.Height, RGBLuminanceSource.BitmapFormat.Gray8);
        var result = new QRCodeReader().decode(new BinaryBitmap(new HybridBinarizer(source)), new Dictionary<DecodeHintType, object> { [DecodeHintType.TRY_HARDER] = true });
        Assert.NotNull(result);
        return result.Text;
    }

    private static string Squeeze(string text) => string.Concat(text.Where(c => !char.IsWhiteSpace(c)));

    private static string Run(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{program} did not start");
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $"{program} failed: {process.StandardError.ReadToEnd()}");
        return output;
    }
}
