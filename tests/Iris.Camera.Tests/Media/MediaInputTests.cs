using System.Net;
using System.Net.Http.Json;
using System.Text;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// Bad input to every Media endpoint is a 400 problem+json that changes nothing (issue 11, point 9; 5.5.2.1): null
/// where an object belongs, null elements, empty or repeated query values, numbers out of range, numbers for names.
/// </summary>
public sealed class MediaInputTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    [Theory]
    [InlineData("""{"enabled":true,"zones":null}""")]
    [InlineData("""{"enabled":true,"zones":[null]}""")]
    [InlineData("""{"enabled":true,"zones":[{"x":0,"y":0,"width":0.5,"height":0.5},null]}""")]
    [InlineData("""{"enabled":true,"zones":[{"x":1e308,"y":0,"width":0.5,"height":1}]}""")]
    [InlineData("""{"enabled":true,"zones":[{"x":"NaN","y":0,"width":0.5,"height":1}]}""")]
    [InlineData("""{"enabled":true,"sensitivity":1e400}""")]
    [InlineData("""{"enabled":true,"sensitivity":99999999999}""")]
    public async Task MotionSettings_WithNullsOrImpossibleNumbers_Are400_AndStoredSettingsKept(string body)
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.PutAsync(Api("/api/media/motion"), Json(body));
        var stored = await admin.Http.GetFromJsonAsync<MotionSettings>(Api("/api/media/motion"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.False(stored!.Enabled);
        Assert.Empty(stored.Zones);
    }

    [Theory]
    [InlineData("/api/recordings?from=&to=2999-01-01T00:00:00Z")]
    [InlineData("/api/recordings?from=2000-01-01T00:00:00Z&to=")]
    [InlineData("/api/recordings?from=2000-01-01T00:00:00Z&from=2001-01-01T00:00:00Z&to=2999-01-01T00:00:00Z")]
    [InlineData("/api/recordings?all=&from=2000-01-01T00:00:00Z&to=2999-01-01T00:00:00Z")]
    [InlineData("/api/recordings?all=true&all=true")]
    [InlineData("/api/recordings?all=")]
    [InlineData("/api/recordings?from=2999-01-01T00:00:00Z&to=2000-01-01T00:00:00Z")]
    [InlineData("/api/recordings?from=NaN&to=2999-01-01T00:00:00Z")]
    public async Task DeletingRecordings_WithAnEmptyRepeatedOrImpossibleQuery_Is400_AndDeletesNothing(string query)
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();
        var store = camera.App.Services.GetRequiredService<RecordingStore>();
        using (var writer = store.Begin(DateTimeOffset.UtcNow))
        {
            writer.Append(new VideoFrame(0, DateTimeOffset.UtcNow, 2, 2, new byte[] { 0xFF, 0xD8, 1, 2, 0xFF, 0xD9 }));
        }

        using var response = await admin.Http.DeleteAsync(Api(query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Single(store.List());
        using var key = camera.App.Services.GetRequiredService<Iris.Camera.Vault.SecretVault>().Unseal(RecordingStore.KeyItem);
        Assert.Equal(Iris.Camera.Vault.VaultReadStatus.Ok, key.Status);
    }

    [Theory]
    [InlineData("/api/recordings?from=")]
    [InlineData("/api/recordings?to=&from=2000-01-01T00:00:00Z")]
    [InlineData("/api/media/motion-events?after=")]
    [InlineData("/api/media/motion-events?limit=")]
    [InlineData("/api/media/motion-events?after=99999999999999999999")]
    [InlineData("/api/media/motion-events?limit=NaN")]
    [InlineData("/api/media/motion-events?after=1&after=2")]
    public async Task Queries_WithEmptyRepeatedOrHugeValues_Are400(string query)
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.GetAsync(Api(query));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task PlayingARecording_WithAnEmptyPlayValue_Is400()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();
        var store = camera.App.Services.GetRequiredService<RecordingStore>();
        long id;
        using (var writer = store.Begin(DateTimeOffset.UtcNow))
        {
            writer.Append(new VideoFrame(0, DateTimeOffset.UtcNow, 2, 2, new byte[] { 0xFF, 0xD8, 1, 2, 0xFF, 0xD9 }));
            id = writer.Id;
        }

        using var empty = await admin.Http.GetAsync(Api($"/api/recordings/{id}?play="));
        using var fine = await admin.Http.GetAsync(Api($"/api/recordings/{id}?play=false"));

        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal(HttpStatusCode.OK, fine.StatusCode);
    }

    [Theory]
    [InlineData("/api/recordings/settings", """{"mode":2}""")]
    [InlineData("/api/recordings/settings", """{"mode":"off, motion"}""")]
    [InlineData("/api/recordings/settings", """{"mode":null}""")]
    [InlineData("/api/recordings/settings", """{"mode":""}""")]
    [InlineData("/api/media/privacy", """{"enabled":null}""")]
    [InlineData("/api/media/video", """{"source":"v4l2","device":"","width":320,"height":240,"framesPerSecond":10}""")]
    [InlineData("/api/media/video", """{"source":"stream","streamUrl":"","width":320,"height":240,"framesPerSecond":10}""")]
    [InlineData("/api/media/video", """{"source":null,"width":320,"height":240,"framesPerSecond":10}""")]
    [InlineData("/api/media/video", """{"source":"test-pattern","width":1e999,"height":240,"framesPerSecond":10}""")]
    public async Task SettingsBodies_WithNullsEmptyStringsOrNumbersForNames_Are400_AndChangeNothing(string path, string body)
    {
        await using var camera = await InProcessCamera.StartAsync(configure: LiveViewTests.SmallFrames);
        using var admin = await camera.ClaimAsync();

        using var response = await admin.Http.PutAsync(Api(path), Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal(RecordingMode.Off, camera.App.Services.GetRequiredService<Recorder>().Mode);
        Assert.False((await admin.Http.GetFromJsonAsync<PrivacyState>(Api("/api/media/privacy")))!.Enabled);
        Assert.Equal("test-pattern", (await admin.Http.GetFromJsonAsync<VideoSettings>(Api("/api/media/video")))!.Source);
    }
}
