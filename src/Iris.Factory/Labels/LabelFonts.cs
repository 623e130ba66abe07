namespace Iris.Factory.Labels;

/// <summary>
/// The fonts labels are drawn with (Debian fonts-dejavu-core and fonts-droid-fallback on the station). DejaVu
/// has no CJK glyphs and Droid Sans Fallback no Latin ones, so every line is split into runs by script.
/// </summary>
internal static class LabelFonts
{
    public const string Directory = "/usr/share/fonts/truetype";

    public static string PathOf(LabelFace face, bool cjk) => cjk
        ? Path.Combine(Directory, "droid", "DroidSansFallbackFull.ttf")
        : Path.Combine(Directory, "dejavu", face switch
        {
            LabelFace.Bold => "DejaVuSans-Bold.ttf",
            LabelFace.Mono => "DejaVuSansMono-Bold.ttf",
            _ => "DejaVuSans.ttf",
        });

    /// <summary>Splits text into runs that one font can draw: CJK (and full-width punctuation) or not.</summary>
    public static IEnumerable<(string Text, bool Cjk)> Runs(string text)
    {
        var start = 0;
        for (var i = 1; i <= text.Length; i++)
        {
            if (i == text.Length || IsCjk(text[i]) != IsCjk(text[start]))
            {
                yield return (text[start..i], IsCjk(text[start]));
                start = i;
            }
        }
    }

    private static bool IsCjk(char c) => c >= '\u2E80';
}
