using System.Net;
using System.Text.RegularExpressions;
using Iris.Camera.Tests.Support;
using Iris.Camera.Tests.Web;

namespace Iris.Camera.Tests.Hosting;

/// <summary>
/// Issue 13, point 6 (5.2.3.3): the owner's setup guide, in English and Traditional Chinese, is served by the
/// camera to anyone (it is read before the first sign-in) and says what the two documents in docs/ say.
/// </summary>
public sealed partial class SetupGuideTests
{
    [Theory]
    [InlineData("docs/setup-guide.md", "en", " ")]
    [InlineData("docs/setup-guide.zh-TW.md", "zh-TW", "")]
    public async Task SetupGuidePage_IsServedWithoutSignIn_AndSaysWhatTheDocumentSays(string document, string language, string lineJoiner)
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var response = await camera.Client.GetAsync(new Uri("/setup-guide.html", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var page = await response.Content.ReadAsStringAsync();
        var section = Regex.Match(page, $"<section lang=\"{language}\"[^>]*>(.*?)</section>", RegexOptions.Singleline);
        Assert.True(section.Success, $"no {language} section");
        var shown = WebUtility.HtmlDecode(Tags().Replace(section.Groups[1].Value, ""));

        var markdown = File.ReadAllText(Path.Combine(ServiceManifestTests.RepositoryRoot(), document));
        var sections = markdown.Split("\n## ")[1..];
        Assert.Equal(7, sections.Length);
        foreach (var block in sections)
        {
            var lines = block.Split('\n');
            Assert.Contains(lines[0].Trim(), shown, StringComparison.Ordinal);
            foreach (var paragraph in string.Join('\n', lines[1..]).Split("\n\n", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var text = string.Join(lineJoiner, paragraph.Split('\n').Select(l => l.Trim())).Replace("`", "", StringComparison.Ordinal);
                Assert.Contains(text, shown, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task TheAppLinksToTheSetupGuide()
    {
        await using var camera = await InProcessCamera.StartAsync();

        var index = await camera.Client.GetStringAsync(new Uri("/", UriKind.Relative));

        Assert.Contains("href=\"/setup-guide.html\"", index, StringComparison.Ordinal);
    }

    [GeneratedRegex("<[^>]+>")]
    private static partial Regex Tags();
}
