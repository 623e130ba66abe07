using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Media;
using Iris.Camera.Platform;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Media;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Forensics;

/// <summary>
/// The examination of issue 12, automated: the data directory on a loop-mounted ext4 image, the camera used
/// (an account, recordings, a stream password), then deletions through the API, then the raw image carved with
/// every key the image still holds (and the keys the test captured before the deletion, where stated). Each test
/// also carves something that must still open (a live segment, the live vault), so a carver that finds nothing
/// cannot pass it. <see cref="ShredderForensicTests"/> and <see cref="WalScrubForensicTests"/> show the same carver
/// recovering a key file that was only unlinked and a row from a truncated WAL, the old behaviour. Checked by hand
/// too: with <c>Shredder.Destroy</c> only unlinking, the reset tests fail (old key file on the image; with the
/// token, both segments decrypt from the slot table left in free blocks) and so does delete-all; with the WAL
/// neither kept on close nor scrubbed, the user delete and both reset tests fail on the PBKDF2 hash.
/// </summary>
[Collection(ForensicImages.Name)]
public sealed class ForensicErasureTests
{
    private const string Visitor = "visitor-anna";
    private const string VisitorPassword = "amber meadow river 2931";
    private const string StreamPassword = "cam-pass-3b9d5e71";

    [Fact]
    public async Task DeletingOneSegmentAndOneUser_LeavesNothingACarverCanOpen_WhileEveryKeyLives()
    {
        using var image = Ext4Image.Create();
        using var scratch = new TempDirectory();
        await using var streams = await MjpegStreamServer.StartAsync();
        byte[] recordingsKey, frame, hash, salt;
        string deletedSegment, keptSegment;
        await using (var camera = await StartAsync(image.DataDirectory, streams))
        {
            using var owner = await camera.ClaimAsync();
            (hash, salt) = await CreateVisitorAsync(camera, owner);
            var ids = await RecordAsync(camera, owner, 3);
            frame = FrameSample(camera, ids[0]);
            deletedSegment = SegmentId(camera, ids[0]);
            keptSegment = SegmentId(camera, ids[1]);

            using (var delete = await owner.Http.DeleteAsync(new Uri($"/api/recordings/{ids[0]}", UriKind.Relative)))
            {
                Assert.Equal(HttpStatusCode.NoContent, delete.StatusCode);
            }

            using (var delete = await owner.Http.DeleteAsync(new Uri($"/api/users/{Visitor}", UriKind.Relative)))
            {
                Assert.True(delete.IsSuccessStatusCode, $"user delete: {(int)delete.StatusCode}");
            }

            using var read = camera.App.Services.GetRequiredService<SecretVault>().Unseal(RecordingsKey.VaultItem);
            recordingsKey = read.Secret.ToArray();
        }

        image.Unmount();
        var carver = new Carver(image.ReadRaw());

        // The file key is alive and on the image: the carver finds it and opens the live vault with it.
        var fileKeys = carver.FileKeysOnImage(scratch);
        Assert.NotEmpty(fileKeys);
        var opened = carver.OpenSealedItems(fileKeys, ItemNames);
        Assert.Contains(opened, o => o.Name == RecordingsKey.VaultItem && o.Secret.AsSpan().SequenceEqual(recordingsKey));
        var segments = carver.DecryptableSegments([recordingsKey, .. opened.Where(o => o.Name == RecordingsKey.VaultItem).Select(o => o.Secret)]);
        Assert.Contains(keptSegment, segments);

        Assert.DoesNotContain(deletedSegment, segments);
        Assert.False(carver.Contains(frame), "a frame is on the image in plaintext");
        Assert.False(carver.Contains(hash), "the deleted user's PBKDF2 hash is on the image");
        Assert.False(carver.Contains(salt), "the deleted user's salt is on the image");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task FactoryReset_LeavesNothingOfTheOwnerACarverCanOpen_WithTheFileKeyOrAToken(bool token)
    {
        using var image = Ext4Image.Create();
        using var scratch = new TempDirectory();
        await using var streams = await MjpegStreamServer.StartAsync();
        var tokenLabel = token ? SoftHsm.TakeToken() : null;
        byte[] recordingsKey, frame, hash, salt, oldKeyFile = [];
        string[] segmentIds;
        IReadOnlyList<string> names;
        var ownersDataKeys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        await using (var camera = await StartAsync(image.DataDirectory, streams, tokenLabel))
        {
            using var owner = await camera.ClaimAsync();
            (hash, salt) = await CreateVisitorAsync(camera, owner);
            var ids = await RecordAsync(camera, owner, 2);
            frame = FrameSample(camera, ids[0]);
            segmentIds = [.. ids.Select(id => SegmentId(camera, id))];
            await SetStreamPasswordAsync(owner, streams);
            using (var read = camera.App.Services.GetRequiredService<SecretVault>().Unseal(RecordingsKey.VaultItem))
            {
                recordingsKey = read.Secret.ToArray();
            }

            names = [.. ItemNames, .. camera.App.Services.GetRequiredService<SecretVault>().List()];
            foreach (var name in names.Where(n => n.StartsWith(VaultDataKeys.ItemPrefix, StringComparison.Ordinal)))
            {
                using var read = camera.App.Services.GetRequiredService<SecretVault>().Unseal(name);
                ownersDataKeys[name] = read.Secret.ToArray();
            }

            if (!token)
            {
                oldKeyFile = await File.ReadAllBytesAsync(Path.Combine(image.DataDirectory, "keys", "storage.key"));
            }

            using var reset = await owner.Http.PostAsJsonAsync(new Uri("/api/device/factory-reset", UriKind.Relative), new { password = InProcessCamera.OwnerPassword });
            Assert.Equal(HttpStatusCode.Accepted, reset.StatusCode);
        }

        // The restart carries the reset out; the device comes back unclaimed and records nothing.
        await using (var fresh = await StartAsync(image.DataDirectory, streams, tokenLabel))
        {
            Assert.False(Iris.Camera.Reset.FactoryReset.IsPending(DataDirectory.Open(image.DataDirectory)));
        }

        image.Unmount();
        var carver = new Carver(image.ReadRaw());

        // Every key the image (or the token) holds now opens the device's own items, and nothing of the owner's.
        List<IStorageKeyProvider> keys = [.. carver.FileKeysOnImage(scratch)];
        if (token)
        {
            keys.Add(Pkcs11StorageKeyProvider.Open(Pkcs11Options(tokenLabel!), tokenSealedItemsExist: true));
        }
        else
        {
            Assert.False(carver.Contains(oldKeyFile), "the old storage key file survives on the image");
            Assert.False(carver.Contains(oldKeyFile.AsSpan(5, 32)), "the old storage key survives on the image");
        }

        var opened = carver.OpenSealedItems(keys, names);
        Assert.Contains(opened, o => o.Name == "device-key");
        // The database's field keys of the fresh device carry the old names; none of them is the old owner's key.
        Assert.All(opened, o => Assert.True(Iris.Camera.Reset.FactoryReset.KeptItems.Contains(o.Name)
            || (ownersDataKeys.TryGetValue(o.Name, out var before) && !before.AsSpan().SequenceEqual(o.Secret)), $"{o.Name} opens"));
        Assert.All(ownersDataKeys.Values, k => Assert.False(carver.Contains(k), "a field key of the old owner is on the image in plaintext"));

        // Even a carver that had kept the old recordings key from before the reset opens no segment.
        Assert.Empty(carver.DecryptableSegments([recordingsKey, .. opened.Select(o => o.Secret).Where(s => s.Length == 32)]));
        Assert.False(carver.Contains(recordingsKey), "the recordings key is on the image in plaintext");
        Assert.False(carver.Contains(frame), "a frame is on the image in plaintext");
        Assert.False(carver.Contains(StreamPassword), "the stream password is on the image");
        Assert.False(carver.Contains(hash), "a PBKDF2 hash of the old owner's users is on the image");
        Assert.False(carver.Contains(salt), "a salt of the old owner's users is on the image");
        Assert.False(carver.Contains(Visitor), "a deleted username is on the image");
        foreach (var provider in keys)
        {
            provider.Dispose();
        }
    }

    [Fact]
    public async Task DeleteAll_LeavesNoSegmentACarverCanOpen_EvenWithTheLiveFileKey()
    {
        using var image = Ext4Image.Create();
        using var scratch = new TempDirectory();
        await using var streams = await MjpegStreamServer.StartAsync();
        byte[] recordingsKey, frame;
        await using (var camera = await StartAsync(image.DataDirectory, streams))
        {
            using var owner = await camera.ClaimAsync();
            var ids = await RecordAsync(camera, owner, 2);
            frame = FrameSample(camera, ids[0]);
            using (var read = camera.App.Services.GetRequiredService<SecretVault>().Unseal(RecordingsKey.VaultItem))
            {
                recordingsKey = read.Secret.ToArray();
            }

            using var request = new HttpRequestMessage(HttpMethod.Delete, new Uri("/api/privacy/data/all", UriKind.Relative))
            {
                Content = JsonContent.Create(new { password = InProcessCamera.OwnerPassword }),
            };
            using var delete = await owner.Http.SendAsync(request);
            Assert.True(delete.IsSuccessStatusCode, $"delete all: {(int)delete.StatusCode} {await delete.Content.ReadAsStringAsync()}");
        }

        image.Unmount();
        var carver = new Carver(image.ReadRaw());
        var fileKeys = carver.FileKeysOnImage(scratch);
        Assert.NotEmpty(fileKeys);
        var opened = carver.OpenSealedItems(fileKeys, ItemNames);
        Assert.DoesNotContain(opened, o => o.Name == RecordingsKey.VaultItem);
        Assert.Empty(carver.DecryptableSegments([recordingsKey]));
        Assert.False(carver.Contains(frame), "a frame is on the image in plaintext");
    }

    [Fact]
    public async Task MovingToAToken_LeavesNoFileKeyOnTheImage_AndNothingOpensWithoutTheToken()
    {
        using var image = Ext4Image.Create();
        using var scratch = new TempDirectory();
        await using var streams = await MjpegStreamServer.StartAsync();
        var token = SoftHsm.TakeToken();
        byte[] oldKeyFile, oldRecordingsKey;
        IReadOnlyList<string> names;
        long[] ids;
        await using (var camera = await StartAsync(image.DataDirectory, streams))
        {
            using var owner = await camera.ClaimAsync();
            ids = await RecordAsync(camera, owner, 1);
            using (var read = camera.App.Services.GetRequiredService<SecretVault>().Unseal(RecordingsKey.VaultItem))
            {
                oldRecordingsKey = read.Secret.ToArray();
            }

            await SetStreamPasswordAsync(owner, streams);
            names = [.. ItemNames, .. camera.App.Services.GetRequiredService<SecretVault>().List()];
            oldKeyFile = await File.ReadAllBytesAsync(Path.Combine(image.DataDirectory, "keys", "storage.key"));
        }

        await using (var moved = await StartAsync(image.DataDirectory, streams, token))
        {
            Assert.False(File.Exists(Path.Combine(image.DataDirectory, "keys", "storage.key")));
            // The recordings key was replaced and every segment key re-wrapped under the new one: still playable.
            using var read = moved.App.Services.GetRequiredService<SecretVault>().Unseal(RecordingsKey.VaultItem);
            Assert.NotEqual(oldRecordingsKey, read.Secret.ToArray());
            Assert.False(moved.App.Services.GetRequiredService<RecordingStore>().Read(ids[0]).Damaged);
            Assert.False(moved.App.Services.GetRequiredService<SecretVault>().RotationRequested);
        }

        image.Unmount();
        var carver = new Carver(image.ReadRaw());
        Assert.False(carver.Contains(oldKeyFile), "the old storage key file survives on the image");
        Assert.False(carver.Contains(oldKeyFile.AsSpan(5, 32)), "the old storage key survives on the image");
        var fileKeys = carver.FileKeysOnImage(scratch);
        Assert.Empty(carver.OpenSealedItems(fileKeys, names));

        // Even a carver that kept the recordings key from before the move opens no segment with it.
        Assert.Empty(carver.DecryptableSegments([oldRecordingsKey]));

        // The positive control: the same carving with the token opens the items sealed under it, and the segments.
        using var tokenKey = Pkcs11StorageKeyProvider.Open(Pkcs11Options(token), tokenSealedItemsExist: true);
        var withToken = carver.OpenSealedItems([tokenKey], names);
        Assert.Contains(withToken, o => o.Name == "video-settings");
        Assert.NotEmpty(carver.DecryptableSegments([.. withToken.Where(o => o.Name == RecordingsKey.VaultItem).Select(o => o.Secret)]));
    }

    private static readonly string[] ItemNames = [RecordingsKey.VaultItem, "video-settings", .. Iris.Camera.Reset.FactoryReset.KeptItems];

    private static Task<InProcessCamera> StartAsync(string dataDirectory, MjpegStreamServer streams, string? token = null) =>
        InProcessCamera.StartAsync(dataDirectory, builder =>
        {
            // FrameSample reads picture bytes from a segment's first record: a JPEG in format 2 (format 3 starts with the init segment).
            RecordingTests.OneSecondMjpegSegments(builder);
            // The image is small: without a lower floor, retention would delete the segments as soon as they exist.
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Iris:Media:StreamCaCertificateFile"] = streams.CaFile,
                ["Iris:Media:MinimumFreeBytes"] = "1048576",
            });
            if (token is not null)
            {
                builder.Configuration.AddInMemoryCollection(SoftHsm.VaultSettings(token));
            }

            builder.Services.AddSingleton<IRestartRequester>(new NoRestart());
        });

    private static Pkcs11VaultOptions Pkcs11Options(string token) =>
        new() { Module = SoftHsm.Module, TokenLabel = token, PinFile = SoftHsm.PinFile };

    private static async Task<(byte[] Hash, byte[] Salt)> CreateVisitorAsync(InProcessCamera camera, SignedInClient owner)
    {
        using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = Visitor, role = "viewer", password = VisitorPassword }))
        {
            create.EnsureSuccessStatusCode();
        }

        using (var visitor = await camera.SignInAsync(Visitor, VisitorPassword))
        {
        }

        var stored = camera.App.Services.GetRequiredService<Iris.Camera.Accounts.AccountStore>().Find(Visitor);
        Assert.NotNull(stored);
        return (stored.Password.Hash, stored.Password.Salt);
    }

    private static async Task SetStreamPasswordAsync(SignedInClient owner, MjpegStreamServer streams)
    {
        _ = streams;
        using var set = await owner.Http.PutAsJsonAsync(new Uri("/api/media/video", UriKind.Relative),
            new { source = "stream", streamUrl = $"https://viewer:{StreamPassword}@127.0.0.1:1/stream", width = 320, height = 240, framesPerSecond = 10 });
        Assert.Equal(HttpStatusCode.OK, set.StatusCode);
    }

    /// <summary>Records continuously until <paramref name="count"/> segments are complete, then stops; returns their ids.</summary>
    private static async Task<long[]> RecordAsync(InProcessCamera camera, SignedInClient owner, int count)
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
        using (var on = await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "continuous" }))
        {
            on.EnsureSuccessStatusCode();
        }

        await done.Task.WaitAsync(TimeSpan.FromSeconds(60));
        using (var off = await owner.Http.PutAsJsonAsync(new Uri("/api/recordings/settings", UriKind.Relative), new { mode = "off" }))
        {
            off.EnsureSuccessStatusCode();
        }

        var segments = camera.App.Services.GetRequiredService<RecordingStore>().List();
        Assert.True(segments.Count >= count);
        return [.. segments.Select(s => s.Id)];
    }

    /// <summary>32 bytes from the middle of the first frame of a segment: compressed picture data found nowhere else.</summary>
    private static byte[] FrameSample(InProcessCamera camera, long id)
    {
        var (frames, damaged) = camera.App.Services.GetRequiredService<RecordingStore>().Read(id);
        Assert.False(damaged);
        var jpeg = frames![0].Jpeg;
        return jpeg.AsSpan(jpeg.Length / 2, 32).ToArray();
    }

    private static string SegmentId(InProcessCamera camera, long id)
    {
        var (file, _) = camera.App.Services.GetRequiredService<RecordingIndex>().Lookup(id)!.Value;
        return file[..32];
    }

    private sealed class NoRestart : IRestartRequester
    {
        public void RequestRestart()
        {
        }
    }
}

/// <summary>Loop devices and mounts are a shared resource of the machine: the forensic tests take them one at a time.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ForensicImages
{
    public const string Name = "Forensic images";
}
