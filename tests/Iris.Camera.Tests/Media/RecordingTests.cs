using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Media;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Media;

/// <summary>Encrypted recordings through the API: recorded, played, damage refused, retention, delete all, crash.</summary>
public sealed class RecordingTests
{
    private static Uri Api(string path) => new(path, UriKind.Relative);

    internal static void OneSecondSegments(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
        LiveViewTests.SmallFrames(builder);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Media:SegmentLength"] = "00:00:01" });
    }

    /// <summary>One-second segments of sealed JPEGs (format 2): for tests about what an MJPEG recording holds; H.264 is the default.</summary>
    internal static void OneSecondMjpegSegments(Microsoft.AspNetCore.Builder.WebApplicationBuilder builder)
    {
        OneSecondSegments(builder);
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Media:RecordingFormat"] = "mjpeg" });
    }

    private static readonly byte[][] JpegStarts = [[0xFF, 0xD8, 0xFF, 0xE0], [0xFF, 0xD8, 0xFF, 0xE1], [0xFF, 0xD8, 0xFF, 0xDB]];

    [Fact]
    public async Task ContinuousRecording_IsEncryptedOnDisk_PlaysThroughTheApi_AndRefusesAFlippedByte()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: OneSecondMjpegSegments);
        using var admin = await camera.ClaimAsync();
        var completed = SegmentsCompleted(camera, 2);

        using (var on = await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "continuous" }))
        {
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
        }

        await completed.WaitAsync(TimeSpan.FromSeconds(30));
        var segments = await admin.Http.GetFromJsonAsync<List<RecordingSegment>>(Api("/api/recordings"));
        var first = segments![0];
        Assert.True(first.Frames > 0);

        var files = Directory.GetFiles(Path.Combine(camera.DataDirectory, "recordings"), "*.seg");
        Assert.NotEmpty(files);
        // A JPEG's start of image and its first marker (JFIF APP0 or a quantisation table): four bytes, so ~200 KB
        // of ciphertext holds them by chance about once in 20,000 runs (three bytes did about once in a hundred).
        Assert.All(files, f => Assert.All(JpegStarts, start => Assert.Equal(-1, File.ReadAllBytes(f).AsSpan().IndexOf(start))));

        using var play = await admin.Http.GetAsync(Api($"/api/recordings/{first.Id}"));
        var reader = new MjpegReader(await play.Content.ReadAsStreamAsync());
        var played = new List<byte[]>();
        while (await reader.NextFrameAsync(CancellationToken.None) is { } frame)
        {
            played.Add(frame);
        }

        Assert.Equal(first.Frames, played.Count);
        Assert.All(played, f => Assert.True(MjpegReader.IsJpeg(f)));

        // One flipped bit in each finished segment: none of them may be played any more.
        using (await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "off" }))
        {
        }

        foreach (var file in Directory.GetFiles(Path.Combine(camera.DataDirectory, "recordings"), "*.seg"))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            bytes[bytes.Length / 2] ^= 0x01;
            await File.WriteAllBytesAsync(file, bytes);
        }

        using var refused = await admin.Http.GetAsync(Api($"/api/recordings/{first.Id}"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
    }

    [Fact]
    public async Task DeleteAll_LeavesNoSegmentFile_AndDestroysTheRecordingsKey()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: OneSecondSegments);
        using var admin = await camera.ClaimAsync();
        var completed = SegmentsCompleted(camera, 1);
        using (await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "continuous" }))
        {
        }

        await completed.WaitAsync(TimeSpan.FromSeconds(30));
        using (await admin.Http.PutAsJsonAsync(Api("/api/recordings/settings"), new { mode = "off" }))
        {
        }

        using var delete = await admin.Http.DeleteAsync(Api("/api/recordings?all=true"));
        var after = await admin.Http.GetFromJsonAsync<List<RecordingSegment>>(Api("/api/recordings"));

        Assert.Equal(HttpStatusCode.OK, delete.StatusCode);
        Assert.Empty(after!);
        Assert.Empty(Directory.GetFiles(Path.Combine(camera.DataDirectory, "recordings")));
        Assert.Equal(VaultReadStatus.NotFound, camera.App.Services.GetRequiredService<SecretVault>().Unseal(RecordingStore.KeyItem).Status);
    }

    [Fact]
    public async Task DeleteAll_WhileASegmentIsBeingWritten_LeavesNothingUnderTheNewKey()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: OneSecondSegments);
        var store = camera.App.Services.GetRequiredService<RecordingStore>();
        var frame = new VideoFrame(0, DateTimeOffset.UtcNow, 2, 2, new byte[] { 0xFF, 0xD8, 1, 2, 0xFF, 0xD9 });
        using var writer = store.Begin(DateTimeOffset.UtcNow);
        writer.Append(frame);

        store.DeleteAll();
        writer.Append(frame with { Sequence = 1 });
        writer.Complete();

        Assert.Empty(store.List());
        Assert.Empty(Directory.GetFiles(store.Directory));
    }

    [Fact]
    public async Task Retention_RemovesTheOldestSegments_WhenOverQuota()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: builder =>
        {
            OneSecondSegments(builder);
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?> { ["Iris:Media:RecordingQuotaBytes"] = "1048576" });
        });
        var store = camera.App.Services.GetRequiredService<RecordingStore>();
        var frame = new VideoFrame(0, DateTimeOffset.UtcNow, 2, 2, new byte[300 * 1024]);
        var ids = new List<long>();
        for (var i = 0; i < 6; i++)
        {
            using var writer = store.Begin(DateTimeOffset.UtcNow);
            writer.Append(frame with { CapturedAt = DateTimeOffset.UtcNow.AddSeconds(i) });
            writer.Complete();
            ids.Add(writer.Id);
        }

        var removed = store.EnforceRetention();
        var kept = store.List().Select(s => s.Id).ToList();

        Assert.True(removed >= 3);
        Assert.True(kept.Sum(id => store.List().Single(s => s.Id == id).Bytes) <= 1048576);
        Assert.Equal(ids.TakeLast(kept.Count), kept);
    }

    [Fact]
    public async Task Viewer_CanPlayButNotDelete()
    {
        await using var camera = await InProcessCamera.StartAsync(configure: OneSecondSegments);
        using var admin = await camera.ClaimAsync();
        using var viewer = await LiveViewTests.ViewerAsync(camera, admin);

        using var list = await viewer.Http.GetAsync(Api("/api/recordings"));
        using var delete = await viewer.Http.DeleteAsync(Api("/api/recordings?all=true"));

        Assert.Equal(HttpStatusCode.OK, list.StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, delete.StatusCode);
    }

    private static Task SegmentsCompleted(InProcessCamera camera, int count)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var seen = 0;
        camera.App.Services.GetRequiredService<Recorder>().SegmentCompleted += _ =>
        {
            if (Interlocked.Increment(ref seen) >= count)
            {
                done.TrySetResult();
            }
        };
        return done.Task;
    }
}
