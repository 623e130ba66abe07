using System.Net;
using System.Net.Http.Json;
using FsCheck;
using FsCheck.Fluent;
using PropertyAttribute = FsCheck.Xunit.PropertyAttribute;
using Iris.Camera.Platform;
using Iris.Camera.Accounts;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Accounts;

/// <summary>
/// IoT-1005-1 5.1.3.1, new passwords (issue 11, point 7): near-default, patterned and look-alike passwords are
/// refused with a reason; NFKC works in the daemon as shipped, not only in the test process.
/// </summary>
public sealed class PasswordRulesTests
{
    private const string Serial = "IRIS-CAM-4821-7730";
    private const string TheDefault = "ABCD-EFGH-JKMN-PQRS-2345";
    private static readonly PasswordContext Context = new("admin", Serial, "Iris Camera DEV", "Iris", candidate => DefaultPassword.Canonical(candidate) == TheDefault);

    private static Uri Api(string path) => new(path, UriKind.Relative);

    [Fact]
    public async Task ListedWeakPasswords_AreRefusedThroughTheApi_WithAReason()
    {
        await using var camera = await InProcessCamera.StartAsync();
        var defaultPassword = camera.DefaultPassword!;
        var serial = camera.App.Services.GetRequiredService<Iris.Camera.Identity.DeviceIdentity>().Serial;
        using var restricted = await camera.SignInAsync("admin", defaultPassword);
        var cases = new (string Candidate, string Reason)[]
        {
            (defaultPassword.ToLowerInvariant(), "default password"),
            (defaultPassword.Replace("-", "", StringComparison.Ordinal), "default password"),
            (defaultPassword.Replace("-", " ", StringComparison.Ordinal), "default password"),
            ("  " + defaultPassword + "  ", "default password"),
            (" " + defaultPassword.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() + "\u00A0 ", "default password"),
            ("aaaaaaaaaaaa", "repeats"),
            ("111111111111", "repeats"),
            ("qwertyuiopas", "keyboard pattern"),
            ("abcabcabcabc", "repeats"),
            ("123412341234", "repeats"),
            ("\uFF50\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44\uFF11\uFF12\uFF13\uFF14", "commonly used"), // ｐａｓｓｗｏｒｄ１２３４
            ("my camera " + Fullwidth(serial), "serial"),
        };

        var answers = new List<(string Candidate, HttpStatusCode Status, string Body)>();
        foreach (var (candidate, _) in cases)
        {
            using var response = await restricted.Http.PostAsJsonAsync(Api("/api/auth/password"), new { currentPassword = defaultPassword, newPassword = candidate });
            answers.Add((candidate, response.StatusCode, await response.Content.ReadAsStringAsync()));
        }

        for (var i = 0; i < cases.Length; i++)
        {
            Assert.True(answers[i].Status == HttpStatusCode.BadRequest, $"'{cases[i].Candidate}' was accepted");
            Assert.Contains("weak-password", answers[i].Body, StringComparison.Ordinal);
            Assert.Contains(cases[i].Reason, answers[i].Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task ShippedDaemon_NormalisesNfkc_InItsRulesAndItsHashes()
    {
        using var data = new TempDirectory();
        using var camera = await CameraProcess.StartAsync(data.Path);
        var defaultPassword = camera.DefaultPassword!;
        using var restricted = await CameraSessions.SignInAsync(camera.BaseAddress, camera.Certificate, "admin", defaultPassword);

        using var fullwidthCommon = await restricted.Http.PostAsJsonAsync(Api("/api/auth/password"),
            new { currentPassword = defaultPassword, newPassword = "\uFF50\uFF41\uFF53\uFF53\uFF57\uFF4F\uFF52\uFF44\uFF11\uFF12\uFF13\uFF14" });
        using var fullwidthStrong = await restricted.Http.PostAsJsonAsync(Api("/api/auth/password"),
            new { currentPassword = defaultPassword, newPassword = Fullwidth(InProcessCamera.OwnerPassword) });
        var (asciiLogin, client) = await CameraSessions.TrySignInAsync(camera.BaseAddress, camera.Certificate, "admin", InProcessCamera.OwnerPassword);
        client?.Dispose();

        Assert.Equal(HttpStatusCode.BadRequest, fullwidthCommon.StatusCode);
        Assert.Contains("commonly used", await fullwidthCommon.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, fullwidthStrong.StatusCode);
        // Set in fullwidth, typed in ASCII: the same password once normalised.
        Assert.Equal(HttpStatusCode.OK, asciiLogin.StatusCode);
    }

    [Fact]
    public async Task DaemonWhereNfkcDoesNotWork_RefusesToStart()
    {
        using var data = new TempDirectory();
        // Invariant globalization mode makes string.Normalize a silent no-op, as it was in the shipped build.
        using var process = ChildProcess.Start("Iris.Camera", ["--listen", "127.0.0.1:0", "--data-dir", data.Path],
            new Dictionary<string, string> { ["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1" });

        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(60));

        Assert.Equal(Iris.Camera.Platform.StartupException.ConfigurationError, exitCode);
        Assert.Contains("NFKC", process.StandardError, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(data.Path, "default-password")));
    }

    [Property(MaxTest = 200)]
    public bool AnyShortUnitRepeatedToLength_IsRefused(NonEmptyString unit, PositiveInt extra)
    {
        var text = new string(unit.Get.Where(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '!' or '-').Take(4).ToArray());
        if (text.Length == 0)
        {
            return true;
        }

        var candidate = string.Concat(Enumerable.Repeat(text, (PasswordPolicy.MinLength / text.Length) + 1 + (extra.Get % 8)));
        return PasswordPolicy.Check(candidate, Context) is not null;
    }

    [Property(MaxTest = 200)]
    public bool AnyLetterOrDigitSequence_IsRefused(PositiveInt start, bool descending, PositiveInt extra)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz";
        var length = PasswordPolicy.MinLength + (extra.Get % 10);
        var first = start.Get % alphabet.Length;
        var candidate = new string(Enumerable.Range(0, length).Select(i => alphabet[(first + ((descending ? -i : i) % 26) + 26) % 26]).ToArray());
        // Runs of digits too, with the same property.
        var digits = new string(Enumerable.Range(0, length).Select(i => (char)('0' + ((start.Get + (descending ? -i : i)) % 10 + 10) % 10)).ToArray());
        return PasswordPolicy.Check(candidate, Context) is not null && PasswordPolicy.Check(digits, Context) is not null;
    }

    [Property(MaxTest = 200)]
    public bool TheDefaultPassword_InAnyCaseWithAnySeparatorsAndBlanks_IsRefused(int[] separatorChoices, bool[] upper)
    {
        var separators = new[] { "", "-", " ", "_", ".", "\u00A0", "  ", "\u3000", "\uFF0D" };
        var symbols = TheDefault.Replace("-", "", StringComparison.Ordinal);
        var text = new System.Text.StringBuilder(" ");
        for (var i = 0; i < symbols.Length; i++)
        {
            var choice = separatorChoices.Length == 0 ? 0 : Math.Abs(separatorChoices[i % separatorChoices.Length] % separators.Length);
            text.Append(i > 0 ? separators[choice] : "");
            var lower = upper.Length == 0 || !upper[i % upper.Length];
            text.Append(lower ? char.ToLowerInvariant(symbols[i]) : symbols[i]);
        }

        var reason = PasswordPolicy.Check(text.Append(' ').ToString(), Context);
        return reason is not null && reason.Contains("default password", StringComparison.Ordinal);
    }

    [Property(MaxTest = 100)]
    public bool FullwidthFormsOfRefusedPasswords_AreRefusedForTheSameReason(PositiveInt pick)
    {
        string[] refused = ["password1234", "qwertyuiopas", "abcabcabcabc", "123412341234", "aaaaaaaaaaaa", "iris " + Serial, "dragon2024!!", "admin-is-great-2025"];
        var candidate = refused[pick.Get % refused.Length];
        var ascii = PasswordPolicy.Check(candidate, Context);
        var fullwidth = PasswordPolicy.Check(Fullwidth(candidate), Context);
        return ascii is not null && ascii == fullwidth;
    }

    [Property(MaxTest = 200)]
    public Property RandomSixteenCharacterPasswords_AreAccepted()
    {
        const string alphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789!#%&*";
        var password = Gen.ArrayOf(Gen.Elements(alphabet.ToCharArray()), 16).Select(chars => new string(chars));
        return Prop.ForAll(password.ToArbitrary(), p => PasswordPolicy.Check(p, Context) is null);
    }

    [Property(MaxTest = 100)]
    public Property PassphrasesOfFourWords_AreAccepted()
    {
        string[] words = ["violet", "harbour", "lantern", "copper", "kettle", "morning", "thistle", "canyon", "meadow", "quartz", "willow", "ember", "orchid", "glacier", "saffron", "tundra"];
        // Four different words: a phrase repeating one word is rightly refused as a repeat.
        var phrase = Gen.Shuffle(words).Select(w => string.Join(' ', w.Take(4)));
        return Prop.ForAll(phrase.ToArbitrary(), p => PasswordPolicy.Check(p, Context) is null);
    }

    [Theory]
    [InlineData("zxcvbnmasdfg", "keyboard pattern")]
    [InlineData("1qaz2wsx3edc", "commonly used")]
    [InlineData("poiuytrewqlkjh", "keyboard pattern")]
    [InlineData("p@ssw0rdp@ssw0rd", "repeats")]
    [InlineData("irisirisiris", "repeats")]
    [InlineData("Iris Camera 2024", "too easy to guess")]
    [InlineData("dragonmonkey1", "too easy to guess")]
    public void PatternedPasswords_AreRefusedWithTheirPattern(string candidate, string reason)
    {
        var refusal = PasswordPolicy.Check(candidate, Context);

        Assert.NotNull(refusal);
        Assert.Contains(reason, refusal, StringComparison.Ordinal);
    }

    /// <summary>ASCII as its fullwidth forms (U+FF01..U+FF5E; space as U+3000), which NFKC maps back.</summary>
    private static string Fullwidth(string ascii) =>
        new(ascii.Select(c => c == ' ' ? '\u3000' : c is > ' ' and <= '~' ? (char)(c - 0x21 + 0xFF01) : c).ToArray());
}
