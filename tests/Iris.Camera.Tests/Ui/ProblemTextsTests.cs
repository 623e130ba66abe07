using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Iris.Camera.Tests.Support;
using Iris.Camera.Web;

namespace Iris.Camera.Tests.Ui;

/// <summary>
/// Problems speak the owner's language (house style 10): every problem type the daemon can answer has an English
/// and a Traditional Chinese text, an Accept-Language of zh-TW gets the Chinese words, and the type code clients
/// key on never changes with the language.
/// </summary>
public sealed partial class ProblemTextsTests
{
    // Where the source names a problem type: Problems.Create(status, "code", …), TypePrefix + "code" (and both
    // arms of a conditional), and the fault tables of the error boundary and Kestrel's rejections.
    [GeneratedRegex(@"Problems\.Create\(\s*[^,]+,\s*""(?<code>[a-z0-9-]+)""|TypePrefix \+ \(?(?:[^""\n]*\? )?""(?<code>[a-z0-9-]+)""(?: : ""(?<other>[a-z0-9-]+)"")?|\((?:kestrelStatus|status|StatusCodes\.\w+(?: is [^,]+)?|status is [^,]+), ""(?<code>[a-z0-9-]+)"", ""|new Fault\([^,]+, ""(?<code>[a-z0-9-]+)""|new\(status, ""(?<code>[a-z0-9-]+)""|new\(StatusCodes\.\w+, ""(?<code>[a-z0-9-]+)""")]
    private static partial Regex ProblemTypeInSource();

    [GeneratedRegex("[\u4e00-\u9fff]")]
    private static partial Regex Chinese();

    [GeneratedRegex("[A-Za-z]{2,}")]
    private static partial Regex LatinWord();

    public static IReadOnlySet<string> ProblemTypesInSource()
    {
        var root = Path.Combine(Web.ServiceManifestTests.RepositoryRoot(), "src", "Iris.Camera");
        var codes = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Where(f => !f.Contains("/obj/", StringComparison.Ordinal)))
        {
            foreach (Match match in ProblemTypeInSource().Matches(File.ReadAllText(file)))
            {
                foreach (var group in new[] { match.Groups["code"], match.Groups["other"] }.Where(g => g.Success))
                {
                    codes.Add(group.Value);
                }
            }
        }

        return codes;
    }

    [Fact]
    public void EveryProblemTypeTheDaemonAnswers_HasEnglishAndTraditionalChineseText()
    {
        var codes = ProblemTypesInSource();
        // The scan must see the daemon's problems, or this test would pass on an empty list.
        Assert.True(codes.Count >= 45, $"only {codes.Count} problem types found in the source: {string.Join(", ", codes)}");
        Assert.Contains("login-failed", codes);
        Assert.Contains("reauthentication-locked", codes);
        Assert.Contains("request-target-too-long", codes);
        var missing = codes.Where(c => ProblemTexts.For(c) is null).ToList();
        Assert.True(missing.Count == 0, "no text for: " + string.Join(", ", missing));
        foreach (var code in codes)
        {
            var text = ProblemTexts.For(code)!;
            Assert.False(string.IsNullOrWhiteSpace(text.En), code);
            foreach (var chinese in new[] { text.ZhTitle, text.ZhDetail })
            {
                Assert.Matches(Chinese(), chinese);
                Assert.DoesNotMatch(LatinWord(), chinese);
            }
        }
    }

    [Fact]
    public async Task WrongPassword_InTraditionalChinese_KeepsItsType_AndEnglishStaysEnglish()
    {
        await using var camera = await InProcessCamera.StartAsync();

        using var zh = await LoginAsync(camera, "zh-TW,zh;q=0.9,en;q=0.5");
        var zhProblem = await ProblemAssert.IsAsync(zh, HttpStatusCode.Unauthorized, "urn:iris:problem:login-failed");
        Assert.Equal("使用者名稱或密碼錯誤。", zhProblem.GetProperty("title").GetString());
        Assert.Equal("zh-TW", zh.Content.Headers.ContentLanguage.Single());
        Assert.Contains("Accept-Language", zh.Headers.Vary);

        using var en = await LoginAsync(camera, "en-US,en;q=0.9");
        var enProblem = await ProblemAssert.IsAsync(en, HttpStatusCode.Unauthorized, "urn:iris:problem:login-failed");
        Assert.Equal("The username or password is wrong.", enProblem.GetProperty("title").GetString());

        // No preference at all: English, as before.
        using var none = await LoginAsync(camera, null);
        Assert.Equal("The username or password is wrong.", (await ProblemAssert.IsAsync(none, HttpStatusCode.Unauthorized, "urn:iris:problem:login-failed")).GetProperty("title").GetString());
    }

    [Fact]
    public async Task WeakPassword_InTraditionalChinese_NamesTheField_InChinese()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/password")
        {
            Content = JsonContent.Create(new { currentPassword = InProcessCamera.OwnerPassword, newPassword = "password1234" }),
        };
        request.Headers.AcceptLanguage.ParseAdd("zh-TW");
        using var response = await owner.Http.SendAsync(request);

        var problem = await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, "urn:iris:problem:weak-password");
        Assert.Equal("這個密碼不夠安全。", problem.GetProperty("title").GetString());
        var field = problem.GetProperty("errors").GetProperty("newPassword")[0].GetString()!;
        Assert.Matches(Chinese(), field);
        Assert.DoesNotMatch(LatinWord(), field);
    }

    [Fact]
    public async Task StrengthEstimate_AgreesWithWhatAPasswordChangeAccepts()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();

        var weak = await EstimateAsync(owner, "password1234");
        Assert.False(weak.GetProperty("acceptable").GetBoolean());
        Assert.True(weak.GetProperty("log10Guesses").GetDouble() < 10);
        Assert.Equal(10, weak.GetProperty("minimumLog10Guesses").GetDouble());

        const string Strong = "quartz meadow fiddle 93 lantern";
        var strong = await EstimateAsync(owner, Strong);
        Assert.True(strong.GetProperty("acceptable").GetBoolean());
        Assert.True(strong.GetProperty("log10Guesses").GetDouble() >= 10);

        // What the meter calls acceptable, the change accepts; what it refuses, the change refuses.
        using var refused = await owner.Http.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = InProcessCamera.OwnerPassword, newPassword = "password1234" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        using var accepted = await owner.Http.PostAsJsonAsync(new Uri("/api/auth/password", UriKind.Relative), new { currentPassword = InProcessCamera.OwnerPassword, newPassword = Strong });
        Assert.Equal(HttpStatusCode.NoContent, accepted.StatusCode);
    }

    [Fact]
    public async Task StrengthEstimate_IsNotOpenToStrangers()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var response = await camera.Client.PostAsJsonAsync(new Uri("/api/auth/password/strength", UriKind.Relative), new { password = "anything at all here" });
        await ProblemAssert.IsAsync(response, HttpStatusCode.Unauthorized, "urn:iris:problem:not-signed-in");
    }

    private static async Task<JsonElement> EstimateAsync(SignedInClient client, string password)
    {
        using var response = await client.Http.PostAsJsonAsync(new Uri("/api/auth/password/strength", UriKind.Relative), new { password });
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, body);
        return JsonSerializer.Deserialize<JsonElement>(body);
    }

    private static async Task<HttpResponseMessage> LoginAsync(InProcessCamera camera, string? acceptLanguage)
    {
        var nonce = await camera.NewNonceAsync();
        var request = new HttpRequestMessage(HttpMethod.Post, "/api/auth/login")
        {
            Content = JsonContent.Create(new { username = "admin", password = "not the password at all", nonce }),
        };
        if (acceptLanguage is not null)
        {
            request.Headers.AcceptLanguage.ParseAdd(acceptLanguage);
        }

        return await camera.Client.SendAsync(request);
    }
}
