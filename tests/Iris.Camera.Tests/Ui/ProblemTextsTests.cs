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
    public async Task FieldErrors_InTraditionalChinese_KeepWhichFieldAndWhatLimit()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();

        var range = await MotionProblemAsync(owner, """{"enabled":true,"sensitivity":101,"zones":[]}""");
        Assert.Equal("靈敏度：必須介於 1 到 100 之間。", range.GetProperty("errors").GetProperty("sensitivity")[0].GetString());

        var zone = await MotionProblemAsync(owner, """{"enabled":true,"sensitivity":50,"zones":[{"x":0,"y":0,"width":1,"height":1},{"x":0.9,"y":0,"width":0.5,"height":1}]}""");
        Assert.Equal("偵測範圍：第 2 個範圍必須完全在畫面內（以 0 到 1 的比例表示）。", zone.GetProperty("errors").GetProperty("zones")[0].GetString());

        var errors = (await MotionProblemAsync(owner, """{"enabled":true,"sensitivity":50,"zones":[],"schedule":{"timeZone":"Nowhere/Else","days":[],"from":"07:00","to":"08:00"}}""")).GetProperty("errors");
        Assert.Equal("時區：請以標準名稱指定時區，例如 Asia/Taipei。", errors.GetProperty("schedule.timeZone")[0].GetString());
        Assert.Equal("日子：請至少選擇一天，或關閉偵測時段。", errors.GetProperty("schedule.days")[0].GetString());
        var time = (await MotionProblemAsync(owner, """{"enabled":true,"sensitivity":50,"zones":[],"schedule":{"timeZone":"UTC","days":["monday"],"from":"25:00","to":"08:00"}}""")).GetProperty("errors");
        Assert.Equal("開始時間：請以「時:分」填寫開始時間（00:00 到 23:59）。", time.GetProperty("schedule.from")[0].GetString());

        // A message the catalog does not know still comes in Chinese (the type's detail), never in English.
        Assert.Null(FieldTexts.Chinese("sensitivity", "Something no validator says."));
    }

    public static TheoryData<string, string, int, string, string> BeforeTheApp => new()
    {
        { "headers too large", "GET /api/device HTTP/1.1\r\nHost: h\r\nAccept-Language: zh-TW\r\nX-Big: " + new string('b', 20 * 1024) + "\r\n\r\n", 431, "headers-too-large", "zh-TW" },
        { "too many headers", "GET /api/device HTTP/1.1\r\nHost: h\r\nAccept-Language: zh-TW,en;q=0.5\r\n" + string.Concat(Enumerable.Range(0, 80).Select(i => $"X-{i}: 1\r\n")) + "\r\n", 431, "headers-too-large", "zh-TW" },
        { "body too large", "POST /api/auth/login HTTP/1.1\r\nHost: h\r\nAccept-Language: zh-TW\r\nContent-Type: application/json\r\nContent-Length: 100000000\r\n\r\n{", 413, "body-too-large", "zh-TW" },
        // Refused at the request line, before any header is read: no language is known yet, so English.
        { "unsupported version", "GET /api/device HTTP/1.2\r\nHost: h\r\nAccept-Language: zh-TW\r\n\r\n", 400, "http-version-not-supported", "en" },
        { "garbage request line", "\u0001\u0002 nonsense\r\nAccept-Language: zh-TW\r\n\r\n", 400, "bad-request", "en" },
    };

    [Theory]
    [MemberData(nameof(BeforeTheApp))]
    public async Task KestrelsOwnRefusals_SpeakTheAskedLanguage_WhereTheHeaderWasRead(string description, string request, int status, string type, string language)
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var connection = await RawHttps.ConnectAsync(camera.BaseAddress, camera.Certificate, timeout.Token);

        await connection.WriteAsync(System.Text.Encoding.Latin1.GetBytes(request), timeout.Token);
        var response = await connection.ReadResponseAsync(isHead: false, timeout.Token);

        Assert.True(response is not null, description);
        Web.ErrorBoundaryTests.AssertProblem(response, (HttpStatusCode)status, type);
        Assert.Equal(language, response.Header("Content-Language"));
        var title = JsonDocument.Parse(response.Body).RootElement.GetProperty("title").GetString()!;
        if (language == "zh-TW")
        {
            Assert.Equal(ProblemTexts.For(type)!.ZhTitle, title);
        }
        else
        {
            Assert.DoesNotMatch(Chinese(), title);
        }
    }

    private static async Task<JsonElement> MotionProblemAsync(SignedInClient owner, string body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/api/media/motion") { Content = new StringContent(body, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.AcceptLanguage.ParseAdd("zh-TW");
        using var response = await owner.Http.SendAsync(request);
        return await ProblemAssert.IsAsync(response, HttpStatusCode.BadRequest, "urn:iris:problem:invalid-field");
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
