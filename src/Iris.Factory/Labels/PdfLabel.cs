using PdfSharp.Drawing;
using PdfSharp.Fonts;
using PdfSharp.Pdf;

namespace Iris.Factory.Labels;

/// <summary>The label as a one-page PDF of exactly the label's size, fonts embedded (Unicode, subset).</summary>
internal static class PdfLabel
{
    private static readonly Lazy<bool> FontsReady = new(() =>
    {
        GlobalFontSettings.FontResolver = new FileFontResolver();
        return true;
    });

    public static byte[] Render(LabelLayout layout)
    {
        _ = FontsReady.Value;
        using var document = new PdfDocument();
        document.Info.Title = "Device label";
        var page = document.AddPage();
        page.Width = XUnit.FromMillimeter(LabelLayout.WidthMm);
        page.Height = XUnit.FromMillimeter(LabelLayout.HeightMm);
        using (var graphics = XGraphics.FromPdfPage(page))
        {
            foreach (var text in layout.Texts)
            {
                var x = Points(text.X);
                foreach (var (run, cjk) in LabelFonts.Runs(text.Text))
                {
                    var font = new XFont(FileFontResolver.Family(text.Face, cjk), Points(text.Size), XFontStyleEx.Regular, new XPdfFontOptions(PdfFontEncoding.Unicode));
                    graphics.DrawString(run, font, XBrushes.Black, x, Points(text.Y), XStringFormats.BaseLineLeft);
                    x += graphics.MeasureString(run, font).Width;
                }
            }

            var modules = layout.QrModules.GetLength(0);
            var cell = Points(layout.QrSize) / modules;
            for (var row = 0; row < modules; row++)
            {
                for (var column = 0; column < modules; column++)
                {
                    if (layout.QrModules[row, column])
                    {
                        graphics.DrawRectangle(XBrushes.Black, Points(layout.QrX) + (column * cell), Points(layout.QrY) + (row * cell), cell, cell);
                    }
                }
            }
        }

        using var output = new MemoryStream();
        document.Save(output, closeStream: false);
        return output.ToArray();
    }

    private static double Points(double millimetres) => XUnit.FromMillimeter(millimetres).Point;

    /// <summary>Maps the label's faces to the station's font files; PDFsharp finds no system fonts on Linux.</summary>
    private sealed class FileFontResolver : IFontResolver
    {
        public static string Family(LabelFace face, bool cjk) => cjk ? "label-cjk" : "label-" + face.ToString().ToLowerInvariant();

        public FontResolverInfo? ResolveTypeface(string familyName, bool bold, bool italic) => new(familyName);

        public byte[]? GetFont(string faceName) => faceName switch
        {
            "label-cjk" => File.ReadAllBytes(LabelFonts.PathOf(LabelFace.Regular, cjk: true)),
            "label-bold" => File.ReadAllBytes(LabelFonts.PathOf(LabelFace.Bold, cjk: false)),
            "label-mono" => File.ReadAllBytes(LabelFonts.PathOf(LabelFace.Mono, cjk: false)),
            _ => File.ReadAllBytes(LabelFonts.PathOf(LabelFace.Regular, cjk: false)),
        };
    }
}
