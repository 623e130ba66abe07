using System.Net;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// No viewer can take every live-view slot (issue 11, point 4): streams are capped per session and per account,
/// and the last slots are kept for administrators. Refusals are problem+json 429 (your limit) or 503 (camera full).
/// </summary>
public sealed class LiveViewLimitsTests
{
    private static Uri Live => new("/api/media/live", UriKind.Relative);

    [Fact]
    public async Task OneViewerOpeningEverySlot_GetsOnlyItsShare_AndTheAdministratorStillWatches()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);
        var open = new List<HttpResponseMessage>();
        try
        {
            // The attack as reported: one viewer asks for all 16 streams of a default camera.
            var answers = new List<HttpStatusCode>();
            for (var i = 0; i < 16; i++)
            {
                var response = await viewer.Http.GetAsync(Live, HttpCompletionOption.ResponseHeadersRead);
                open.Add(response);
                answers.Add(response.StatusCode);
            }

            Assert.Equal(2, answers.Count(a => a == HttpStatusCode.OK));
            Assert.Equal(14, answers.Count(a => a == (HttpStatusCode)429));
            var refusal = open.First(r => r.StatusCode == (HttpStatusCode)429);
            Assert.Equal("application/problem+json", refusal.Content.Headers.ContentType!.MediaType);
            Assert.Contains("too-many-streams", await refusal.Content.ReadAsStringAsync(), StringComparison.Ordinal);

            var adminStream = await admin.Http.GetAsync(Live, HttpCompletionOption.ResponseHeadersRead);
            open.Add(adminStream);
            Assert.Equal(HttpStatusCode.OK, adminStream.StatusCode);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }

    [Fact]
    public async Task AccountCap_SpansSessions_AndTheReservedSlotsAreForAdministratorsOnly()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            LiveViewTests.SmallFrames(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Iris:Media:MaxViewers"] = "4",
                ["Iris:Media:AdministratorReservedStreams"] = "1",
                ["Iris:Media:MaxStreamsPerSession"] = "1",
                ["Iris:Media:MaxStreamsPerAccount"] = "2",
            });
        });
        using var admin = await camera.ClaimAsync();
        using var first = await LiveViewTests.ViewerAsync(camera, admin, "viewer1");
        using var second = await camera.SignInAsync("viewer1", LiveViewTests.ViewerPassword);
        using var third = await camera.SignInAsync("viewer1", LiveViewTests.ViewerPassword);
        using var other = await LiveViewTests.ViewerAsync(camera, admin, "viewer2");
        using var otherAgain = await camera.SignInAsync("viewer2", LiveViewTests.ViewerPassword);
        using var secondAdmin = await camera.SignInAsync("admin", InProcessCamera.OwnerPassword);
        var open = new List<HttpResponseMessage>();
        async Task<HttpResponseMessage> WatchAsync(SignedInClient client)
        {
            var response = await client.Http.GetAsync(Live, HttpCompletionOption.ResponseHeadersRead);
            open.Add(response);
            return response;
        }

        try
        {
            Assert.Equal(HttpStatusCode.OK, (await WatchAsync(first)).StatusCode);
            Assert.Equal((HttpStatusCode)429, (await WatchAsync(first)).StatusCode);         // one per session
            Assert.Equal(HttpStatusCode.OK, (await WatchAsync(second)).StatusCode);
            var accountFull = await WatchAsync(third);                                        // two per account
            Assert.Equal((HttpStatusCode)429, accountFull.StatusCode);
            Assert.Contains("account", await accountFull.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await WatchAsync(other)).StatusCode);            // 3 of 4: the last is reserved
            var reserved = await WatchAsync(otherAgain);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, reserved.StatusCode);
            Assert.Equal("application/problem+json", reserved.Content.Headers.ContentType!.MediaType);
            Assert.Contains("kept for administrators", await reserved.Content.ReadAsStringAsync(), StringComparison.Ordinal);
            Assert.Equal(HttpStatusCode.OK, (await WatchAsync(admin)).StatusCode);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await WatchAsync(secondAdmin)).StatusCode); // 4 of 4

            // A closed stream gives its slot back (here to the second administrator, refused just now).
            open[0].Dispose();
            using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            HttpResponseMessage again;
            do
            {
                again = await WatchAsync(secondAdmin);
                if (again.StatusCode != HttpStatusCode.OK)
                {
                    await Task.Delay(100, deadline.Token); // the server notices the closed stream at its next frame
                }
            }
            while (again.StatusCode != HttpStatusCode.OK);
        }
        finally
        {
            open.ForEach(r => r.Dispose());
        }
    }
}
