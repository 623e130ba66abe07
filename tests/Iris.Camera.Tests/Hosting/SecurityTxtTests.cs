using System.Globalization;
using System.Net;
using Iris.Camera.Platform;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace Iris.Camera.Tests.Hosting;

/// <summary>Issue 13, point 6 (5.2.3.1): the vendor's disclosure contact as RFC 9116 security.txt.</summary>
public sealed class SecurityTxtTests
{
    private static readonly DateTimeOffset Expires = DateTimeOffset.UtcNow.AddDays(300);

    [Fact]
    public async Task SecurityTxt_IsServedToAnyone_WithTheRequiredFieldsAndAFutureExpiry()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(Settings(Expires)));

        using var response = await camera.Client.GetAsync(new Uri("/.well-known/security.txt", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("utf-8", response.Content.Headers.ContentType?.CharSet);
        var fields = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split(": ", 2)).ToLookup(parts => parts[0], parts => parts[1]);
        Assert.Equal(["mailto:security@vendor.example", "https://vendor.example/security"], fields["Contact"]);
        var expires = DateTimeOffset.Parse(Assert.Single(fields["Expires"]), CultureInfo.InvariantCulture);
        Assert.True(expires > DateTimeOffset.UtcNow, "Expires must be in the future");
        Assert.Equal(Expires.ToUnixTimeSeconds(), expires.ToUnixTimeSeconds());
        Assert.Equal("https://vendor.example/vulnerability-disclosure", Assert.Single(fields["Policy"]));
        Assert.Equal("en, zh-TW", Assert.Single(fields["Preferred-Languages"]));
        Assert.Equal("https://vendor.example/.well-known/security.txt", Assert.Single(fields["Canonical"]));
    }

    [Fact]
    public async Task ExpiredSecurityTxt_IsReportedAtStart()
    {
        var log = new CapturedLog();
        var time = new FakeTimeProvider(Expires.AddDays(1));
        await using var camera = await InProcessCamera.StartAsync(configure: b =>
        {
            b.Configuration.AddInMemoryCollection(Settings(Expires));
            b.Logging.AddProvider(log);
        }, time: time);

        Assert.Contains(log.Lines, l => l.EventId == 1701 && l.Level == LogLevel.Error);
    }

    [Fact]
    public async Task WithoutAContact_NoFileIsServed_AndTheStartLogSaysSo()
    {
        var log = new CapturedLog();
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Logging.AddProvider(log));

        using var response = await camera.Client.GetAsync(new Uri("/.well-known/security.txt", UriKind.Relative));

        await ProblemAssert.IsAsync(response, HttpStatusCode.NotFound, "urn:iris:problem:not-found");
        Assert.Contains(log.Lines, l => l.EventId == 1700);
    }

    [Fact]
    public async Task ContactWithoutExpiry_OrAPlainHttpContact_StopsTheDaemonAtStart()
    {
        var settings = Settings(Expires);
        settings.Remove("Iris:SecurityTxt:Expires");
        settings["Iris:SecurityTxt:Contact:1"] = "http://vendor.example/security";

        var failure = await Assert.ThrowsAsync<StartupException>(() => InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(settings)));

        Assert.Contains("Iris:SecurityTxt:Expires is required", failure.Message, StringComparison.Ordinal);
        Assert.Contains("must be a mailto:, https: or tel: URI", failure.Message, StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> Settings(DateTimeOffset expires) => new()
    {
        ["Iris:SecurityTxt:Contact:0"] = "mailto:security@vendor.example",
        ["Iris:SecurityTxt:Contact:1"] = "https://vendor.example/security",
        ["Iris:SecurityTxt:Expires"] = expires.ToString("O", CultureInfo.InvariantCulture),
        ["Iris:SecurityTxt:Policy"] = "https://vendor.example/vulnerability-disclosure",
        ["Iris:SecurityTxt:Canonical"] = "https://vendor.example/.well-known/security.txt",
    };
}
