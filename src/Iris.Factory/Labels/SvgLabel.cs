using System.Globalization;
using System.Security;
using System.Text;

namespace Iris.Factory.Labels;

/// <summary>The label as SVG in millimetres (for label printers' own drivers and for review).</summary>
internal static class SvgLabel
{
    public static string Render(LabelLayout layout)
    {
        var svg = new StringBuilder();
        svg.Append(CultureInfo.InvariantCulture,
            $"""<svg xmlns="http://www.w3.org/2000/svg" width="{LabelLayout.WidthMm}mm" height="{LabelLayout.HeightMm}mm" viewBox="0 0 {LabelLayout.WidthMm} {LabelLayout.HeightMm}">""");
        svg.Append('\n').Append(CultureInfo.InvariantCulture, $"""<rect width="{LabelLayout.WidthMm}" height="{LabelLayout.HeightMm}" fill="#fff"/>""").Append('\n');
        foreach (var text in layout.Texts)
        {
            var family = text.Face == LabelFace.Mono ? "DejaVu Sans Mono, Droid Sans Fallback, monospace" : "DejaVu Sans, Droid Sans Fallback, sans-serif";
            var weight = text.Face == LabelFace.Regular ? "normal" : "bold";
            svg.Append(CultureInfo.InvariantCulture,
                $"""<text x="{text.X}" y="{text.Y}" font-size="{text.Size}" font-family="{family}" font-weight="{weight}">{SecurityElement.Escape(text.Text)}</text>""").Append('\n');
        }

        var modules = layout.QrModules.GetLength(0);
        var cell = layout.QrSize / modules;
        svg.Append("<path fill=\"#000\" d=\"");
        for (var row = 0; row < modules; row++)
        {
            for (var column = 0; column < modules; column++)
            {
                if (layout.QrModules[row, column])
                {
                    svg.Append(CultureInfo.InvariantCulture, $"M{layout.QrX + (column * cell):0.####} {layout.QrY + (row * cell):0.####}h{cell:0.####}v{cell:0.####}h-{cell:0.####}z");
                }
            }
        }

        svg.Append("\"/>\n</svg>\n");
        return svg.ToString();
    }
}
