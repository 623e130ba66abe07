using QRCoder;

namespace Iris.Factory.Labels;

/// <summary>A line of text: position of its baseline's start and its size, in millimetres.</summary>
internal sealed record LabelText(double X, double Y, double Size, string Text, LabelFace Face);

internal enum LabelFace
{
    Regular,
    Bold,
    Mono,
}

/// <summary>
/// The label drawn once, in millimetres, and rendered by SVG, PNG and PDF alike: a 60 x 40 mm label with the
/// vendor, model, serial and default password captioned in English and Traditional Chinese, a QR code
/// (error correction M, quiet zone included) and the required instructions in both languages.
/// </summary>
internal sealed record LabelLayout(IReadOnlyList<LabelText> Texts, bool[,] QrModules, double QrX, double QrY, double QrSize)
{
    public const double WidthMm = 60;
    public const double HeightMm = 40;

    public static LabelLayout For(DeviceLabel label)
    {
        using var generator = new QRCodeGenerator();
        using var data = generator.CreateQrCode(label.QrPayload, QRCodeGenerator.ECCLevel.M);
        var size = data.ModuleMatrix.Count;
        var modules = new bool[size, size];
        for (var row = 0; row < size; row++)
        {
            for (var column = 0; column < size; column++)
            {
                modules[row, column] = data.ModuleMatrix[row][column];
            }
        }

        LabelText[] texts =
        [
            new(3, 6, 3.4, label.Vendor, LabelFace.Bold),
            new(3, 10.5, 1.9, "Model 型號", LabelFace.Regular),
            new(3, 14, 2.8, label.Model, LabelFace.Bold),
            new(3, 18, 1.9, "Serial 序號", LabelFace.Regular),
            new(3, 21.5, 2.8, label.Serial, LabelFace.Mono),
            new(3, 26, 1.9, "Default password 預設密碼", LabelFace.Regular),
            new(3, 29.8, 3.0, label.Password, LabelFace.Mono),
            new(3, 34, 1.6, "Change this password when you first sign in. Keep this label.", LabelFace.Regular),
            new(3, 37.2, 1.6, "首次登入時請變更此密碼，並妥善保存本標籤。", LabelFace.Regular),
        ];
        return new LabelLayout(texts, modules, 39, 1.5, 19.5);
    }
}
