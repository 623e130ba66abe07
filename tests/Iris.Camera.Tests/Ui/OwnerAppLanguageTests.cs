using System.Net.Http.Json;
using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Iris.Camera.Events;
using Iris.Camera.Link;
using static Microsoft.Playwright.Assertions;

namespace Iris.Camera.Tests.Ui;

/// <summary>
/// House style 10 and issue 16: the Traditional Chinese UI shows no English sentence on any page (product names,
/// the serial, codes and units excepted), and every event and alert kind the device stores has words in both languages.
/// </summary>
public sealed partial class OwnerAppLanguageTests
{
    // Names and units that stay as they are in either language.
    private static readonly string[] Kept = ["Iris", "MQTT", "Webhook", "App", "HTTPS", "V4L2", "CycloneDX", "MiB", "GiB", "UTC", "GMT", "admin", "family", "IoT", "KiB", "Home Assistant", "Frigate", "VLC", "RTSPS"];

    [GeneratedRegex(@"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,})+")]
    private static partial Regex EnglishWords();

    [Fact]
    public async Task TraditionalChineseUi_ShowsNoEnglishSentence_OnAnyPage()
    {
        await using var app = await OwnerAppBrowser.StartAsync(390, 844, locale: "zh-TW");
        // The serial and model are shown as they are. The telemetry recipient and third parties are the shipped
        // defaults here, which have Chinese words (a vendor's own names would be shown as written).
        var device = await app.Owner.Http.GetFromJsonAsync<JsonElement>(new Uri("/api/device", UriKind.Relative));
        string[] names = [.. new[] { device.GetProperty("serial"), device.GetProperty("model") }.Select(v => v.GetString()!)];
        await app.Page.GotoAsync(app.Camera.BaseAddress.ToString());
        await app.Page.SelectOptionAsync("#language", "zh-Hant");
        // A failed sign-in: the device's problem must come back in Chinese too.
        await app.SignInAsync("admin", "not the password at all");
        await Expect(app.Page.Locator("#message")).ToContainTextAsync("使用者名稱或密碼錯誤");
        var found = new List<string>();
        found.AddRange(EnglishIn("login", await app.Page.InnerTextAsync("body"), names));

        await app.SignInAsAsync("Administrator");
        foreach (var name in OwnerAppBrowser.AdminPages)
        {
            await app.OpenAsync(name);

            var text = await app.Page.EvaluateAsync<string>("""
                () => {
                  const clone = document.body.cloneNode(true);
                  // The software components list names third-party packages; the serial is the serial.
                  for (const kept of clone.querySelectorAll('#sbom-components, #header-serial, #telemetry-preview, [hidden]')) kept.remove();
                  return [...clone.querySelectorAll('header, nav, #message, section[id^=tab-]')].map(e => e.innerText || e.textContent).join('\n');
                }
                """);
            found.AddRange(EnglishIn(name, text, names));
            await app.Page.ScreenshotAsync(new() { Path = Path.Combine(OwnerAppBrowser.Screenshots, $"administrator-zh-Hant-390x844-{name}.png"), FullPage = true });
        }

        // Every screen's help page (help is a page per screen), so its words are checked too.
        foreach (var topic in OwnerAppBrowser.AdminPages.Where(p => p != "help"))
        {
            await app.Page.EvaluateAsync($"location.hash = '#/help/{topic}'");
            await Expect(app.Page.Locator("#help-back")).ToHaveAttributeAsync("href", $"#/{topic}");
            found.AddRange(EnglishIn($"help/{topic}", await app.Page.InnerTextAsync("#tab-help"), names));
        }

        Assert.True(found.Count == 0, "English in the zh-Hant UI:\n" + string.Join("\n", found.Distinct()));
        Assert.DoesNotContain(app.Errors, e => !e.Contains("/api/auth/login", StringComparison.Ordinal));
    }

    [Fact]
    public async Task EveryEventAndAlertKind_HasWordsInBothLanguages()
    {
        var kinds = typeof(SecurityEventKinds).GetFields(BindingFlags.Public | BindingFlags.Static)
            .Concat(typeof(AlertKinds).GetFields(BindingFlags.Public | BindingFlags.Static))
            .Where(f => f.IsLiteral && f.FieldType == typeof(string))
            .Select(f => (string)f.GetRawConstantValue()!)
            .Append(LinkService.TestAlertKind)
            .Append("debug-console-opened").Append("debug-console-closed") // Debug/DebugConsole.cs records these by name
            .Distinct()
            .ToArray();
        Assert.True(kinds.Length >= 30, $"only {kinds.Length} kinds found");

        await using var app = await OwnerAppBrowser.StartAsync(1280, 800, withRecording: false);
        await app.Page.GotoAsync(app.Camera.BaseAddress.ToString());
        var missing = await app.Page.EvaluateAsync<string[]>("""
            async kinds => {
              const { texts } = await import('/texts.js');
              const missing = [];
              for (const kind of kinds) {
                const en = texts.en[kind], zh = texts['zh-Hant'][kind];
                if (!en || en === kind || /^[a-z]+(-[a-z]+)+$/.test(en)) missing.push(`en ${kind}`);
                if (!zh || !/[\u4e00-\u9fff]/.test(zh)) missing.push(`zh-Hant ${kind}`);
              }
              return missing;
            }
            """, kinds);
        Assert.True(missing.Length == 0, "no words for: " + string.Join(", ", missing));
    }

    private static IEnumerable<string> EnglishIn(string page, string text, string[] names)
    {
        var stripped = names.Concat(Kept).Aggregate(text, (current, kept) => Regex.Replace(current, $@"(?<![A-Za-z]){Regex.Escape(kept)}(?![A-Za-z])", " ", RegexOptions.None, TimeSpan.FromSeconds(1)));
        return EnglishWords().Matches(stripped).Select(m => $"{page}: \"{m.Value}\"");
    }
}
