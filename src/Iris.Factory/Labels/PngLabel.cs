using SkiaSharp;

namespace Iris.Factory.Labels;

/// <summary>The label as a 300 dpi PNG (709 x 472 pixels), for printers that take bitmaps.</summary>
internal static class PngLabel
{
    public const int Dpi = 300;

    public static int Pixels(double millimetres) => (int)Math.Round(millimetres / 25.4 * Dpi);

    public static byte[] Render(LabelLayout layout)
    {
        using var bitmap = new SKBitmap(Pixels(LabelLayout.WidthMm), Pixels(LabelLayout.HeightMm), SKColorType.Gray8, SKAlphaType.Opaque);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
            foreach (var text in layout.Texts)
            {
                float x = Pixels(text.X);
                foreach (var (run, cjk) in LabelFonts.Runs(text.Text))
                {
                    using var typeface = SKTypeface.FromFile(LabelFonts.PathOf(text.Face, cjk))
                        ?? throw new FileNotFoundException($"Label font {LabelFonts.PathOf(text.Face, cjk)} is missing.");
                    using var font = new SKFont(typeface, (float)(text.Size / 25.4 * Dpi));
                    canvas.DrawText(run, x, Pixels(text.Y), SKTextAlign.Left, font, ink);
                    x += font.MeasureText(run);
                }
            }

            // QR modules snapped to whole pixels so a scanner sees sharp edges.
            var modules = layout.QrModules.GetLength(0);
            var cell = Math.Max(1, Pixels(layout.QrSize) / modules);
            using var square = new SKPaint { Color = SKColors.Black, IsAntialias = false };
            for (var row = 0; row < modules; row++)
            {
                for (var column = 0; column < modules; column++)
                {
                    if (layout.QrModules[row, column])
                    {
                        canvas.DrawRect(Pixels(layout.QrX) + (column * cell), Pixels(layout.QrY) + (row * cell), cell, cell, square);
                    }
                }
            }
        }

        using var image = SKImage.FromBitmap(bitmap);
        using var png = image.Encode(SKEncodedImageFormat.Png, 100);
        return png.ToArray();
    }
}
