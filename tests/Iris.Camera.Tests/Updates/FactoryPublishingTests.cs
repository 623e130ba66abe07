using System.Security.Cryptography;
using Iris.Camera.Tests.Support;
using Iris.Factory;

namespace Iris.Camera.Tests.Updates;

/// <summary>
/// Factory commands that could break a fleet (issue 11, point 17), run as the real Iris.Factory process against a
/// repository with a release in it: each bad step gets a clear message and a non-zero exit, and the published
/// repository stays byte for byte as it was; good steps verify from the root devices ship with.
/// </summary>
public sealed class FactoryPublishingTests
{
    [Fact]
    public async Task RotateRoot_WithKeysThatAreNotTheCurrentRootKeys_IsRefused()
    {
        using var factory = await FactoryRepository.CreateAsync();
        await FactoryRepository.InProcessAsync("keys", "generate", "--out", factory.Dir.Combine("stranger"));
        var before = factory.Contents();

        var (exit, _, error) = await FactoryRepository.RunAsync("repo", "rotate-root", "--repo", factory.Repo, "--keys", factory.Dir.Combine("stranger"),
            "--new-keys", factory.Dir.Combine("stranger"));

        Assert.NotEqual(0, exit);
        Assert.Contains("Nothing was published", error, StringComparison.Ordinal);
        Assert.Contains("by the trusted root's keys", error, StringComparison.Ordinal);
        Assert.Equal(before, factory.Contents());
        Assert.Equal(0, (await FactoryRepository.RunAsync("verify", "--repo", factory.Repo, "--root", factory.ShippedRoot)).Exit);
    }

    [Fact]
    public async Task RotateRoot_ToNewKeys_VerifiesFromTheShippedRoot_AndOnlyTheNewKeysPublishAfterwards()
    {
        using var factory = await FactoryRepository.CreateAsync();
        var next = factory.Dir.Combine("keys-2");
        await FactoryRepository.InProcessAsync("keys", "generate", "--out", next);

        var rotated = await FactoryRepository.RunAsync("repo", "rotate-root", "--repo", factory.Repo, "--keys", factory.Keys, "--new-keys", next);
        var verified = await FactoryRepository.RunAsync("verify", "--repo", factory.Repo, "--root", factory.ShippedRoot);

        Assert.True(rotated.Exit == 0, rotated.Error);
        Assert.True(verified.Exit == 0, verified.Error);
        Assert.Contains("ok: root 2", verified.Output, StringComparison.Ordinal);
        Assert.Contains("iris-camera-0.2.0.irfw: 0.2.0", verified.Output, StringComparison.Ordinal);

        var before = factory.Contents();
        var old = await FactoryRepository.RunAsync([.. factory.ReleaseArguments("0.3.0")]);
        Assert.NotEqual(0, old.Exit);
        Assert.Contains("Nothing was published", old.Error, StringComparison.Ordinal);
        Assert.Equal(before, factory.Contents());
        var current = await FactoryRepository.RunAsync([.. factory.ReleaseArguments("0.3.0", keys: next)]);
        Assert.True(current.Exit == 0, current.Error);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("0")]
    [InlineData("1")]
    public async Task Timestamp_ThatWouldExpireWithinTheMargin_IsRefused(string hours)
    {
        using var factory = await FactoryRepository.CreateAsync();
        var before = factory.Contents();

        var (exit, _, error) = await FactoryRepository.RunAsync("timestamp", "--repo", factory.Repo, "--keys", factory.Keys, "--expires-hours", hours);

        Assert.NotEqual(0, exit);
        Assert.Contains("The timestamp metadata would be valid for", error, StringComparison.Ordinal);
        Assert.Equal(before, factory.Contents());
    }

    [Theory]
    // A daily `timestamp --expires-hours 48` leaves a day of margin; `repo refresh` used to put back a 24 h one.
    [InlineData("48", null, 48)]
    [InlineData("48", "72", 72)]
    [InlineData(null, null, 24)]
    public async Task RepoRefresh_KeepsTheTimestampLifetimeItWasGiven(string? timestampHours, string? refreshHours, int expectedHours)
    {
        using var factory = await FactoryRepository.CreateAsync();
        if (timestampHours is not null)
        {
            await FactoryRepository.InProcessAsync("timestamp", "--repo", factory.Repo, "--keys", factory.Keys, "--expires-hours", timestampHours);
        }

        var started = DateTimeOffset.UtcNow;
        await FactoryRepository.InProcessAsync(["repo", "refresh", "--repo", factory.Repo, "--keys", factory.Keys, .. refreshHours is null ? Array.Empty<string>() : ["--timestamp-hours", refreshHours]]);

        var bytes = await File.ReadAllBytesAsync(Path.Combine(factory.Repo, "metadata", "timestamp.json"));
        var expires = Iris.Firmware.Metadata.MetadataCheck.Parse<Iris.Firmware.Metadata.TimestampDocument>(bytes, Iris.Firmware.Metadata.RoleName.Timestamp)!.Value.Document.Expires;
        Assert.InRange(expires, started.AddHours(expectedHours).AddMinutes(-2), DateTimeOffset.UtcNow.AddHours(expectedHours).AddMinutes(1));
    }

    [Fact]
    public async Task ImageRelease_PassesThroughTheGate()
    {
        using var factory = await FactoryRepository.CreateAsync();
        var image = factory.Dir.Combine("rootfs.img");
        var clean = RandomNumberGenerator.GetBytes(256 * 1024);
        await File.WriteAllBytesAsync(image, [.. clean, .. "-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n"u8, .. clean]);
        var before = factory.Contents();

        var refused = await FactoryRepository.RunAsync([.. factory.ReleaseArguments("0.3.0", from: image), "--kind", "image"]);

        Assert.NotEqual(0, refused.Exit);
        Assert.Contains("gate: rootfs.img: contains a private key", refused.Error, StringComparison.Ordinal);
        Assert.Contains("nothing was published", refused.Error, StringComparison.Ordinal);
        Assert.Equal(before, factory.Contents());

        await File.WriteAllBytesAsync(image, clean);
        var published = await FactoryRepository.RunAsync([.. factory.ReleaseArguments("0.3.0", from: image), "--kind", "image"]);
        Assert.True(published.Exit == 0, published.Error);
    }

    [Theory]
    [InlineData("deleted", "not found")]
    [InlineData("flipped", "does not match the signed hash")]
    [InlineData("truncated", "the metadata signs")]
    [InlineData("extended", "longer than the")]
    public async Task Verify_FetchesAndHashesEveryBundle(string damage, string message)
    {
        using var factory = await FactoryRepository.CreateAsync();
        Assert.Equal(0, (await FactoryRepository.RunAsync("verify", "--repo", factory.Repo, "--root", factory.ShippedRoot)).Exit);
        var bundle = Assert.Single(Directory.GetFiles(Path.Combine(factory.Repo, "targets")));
        var bytes = await File.ReadAllBytesAsync(bundle);
        switch (damage)
        {
            case "deleted":
                File.Delete(bundle);
                break;
            case "flipped":
                bytes[bytes.Length / 2] ^= 0x01;
                await File.WriteAllBytesAsync(bundle, bytes);
                break;
            case "truncated":
                await File.WriteAllBytesAsync(bundle, bytes[..^1]);
                break;
            default:
                await File.WriteAllBytesAsync(bundle, [.. bytes, 0]);
                break;
        }

        var (exit, output, error) = await FactoryRepository.RunAsync("verify", "--repo", factory.Repo, "--root", factory.ShippedRoot);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, error, StringComparison.Ordinal);
        Assert.Contains("iris-camera-0.2.0.irfw", error, StringComparison.Ordinal);
        Assert.DoesNotContain("ok:", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gate_ScansAGibibyteFile_InAProcessWhoseHeapIsCappedAt64MiB()
    {
        using var dir = new TempDirectory();
        var app = dir.Combine("app");
        Directory.CreateDirectory(app);
        // Sparse: a gibibyte to read, almost nothing on disk.
        await using (var file = File.Create(Path.Combine(app, "rootfs.img")))
        {
            file.SetLength(1L << 30);
            file.Position = (1L << 29) - 12;
            await file.WriteAsync("ftp://update.example.net/"u8.ToArray());
            file.Position = (1L << 30) - 64;
            await file.WriteAsync("-----BEGIN PRIVATE KEY-----"u8.ToArray());
        }

        var (exit, _, error) = await FactoryRepository.RunProcessAsync(new Dictionary<string, string> { ["DOTNET_GCHeapHardLimit"] = "0x4000000" },
            "gate", "--from", app);

        Assert.Equal(FactoryCli.Failed, exit);
        Assert.Contains("gate: rootfs.img: undeclared endpoint ftp://update.example.net", error, StringComparison.Ordinal);
        Assert.Contains("gate: rootfs.img: contains a private key", error, StringComparison.Ordinal);
        Assert.DoesNotContain("OutOfMemory", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("timestamp --repo R --keys K --expires-hours 0", "would be valid for no time at all")]
    [InlineData("timestamp --repo R --keys EMPTY", "No key for role 'timestamp'")]
    [InlineData("repo rotate-root --repo R --keys K --new-keys K --root-expires-days 0", "The root metadata would be valid for")]
    [InlineData("repo rotate-root --repo R --keys K --new-keys K --threshold root=2", "no threshold may be higher")]
    [InlineData("repo init --repo R --keys K", "already holds a repository")]
    [InlineData("repo refresh --repo NOREPO --keys K", "is not an Iris repository")]
    [InlineData("release --kind tarball", "--kind must be 'directory' or 'image'")]
    [InlineData("release --chunk-size 100", "--chunk-size between 4096")]
    [InlineData("release --security-version -1", "--security-version must be 0 or more")]
    [InlineData("release --support-end 2001-01-01", "is in the past")]
    [InlineData("release --name ../escape", "is not a valid target name")]
    [InlineData("release --version banana", "is not a version")]
    [InlineData("release --model  ", "every --model a name")]
    [InlineData("gate --from NOWHERE", "is neither a directory nor a file")]
    [InlineData("verify --repo R --root NOWHERE", "NOWHERE")]
    [InlineData("keys generate --out K --count 0", "--count must be between 1 and 16")]
    public async Task BadInput_GetsAMessage_AndANonZeroExit_AndLeavesTheRepositoryIntact(string arguments, string message)
    {
        using var factory = await FactoryRepository.CreateAsync();
        Directory.CreateDirectory(factory.Dir.Combine("empty"));
        var given = arguments.Split(' ');
        var args = given[0] == "release"
            ? factory.ReleaseArguments("0.3.0", overrides: given[1..])
            : given.Select(a => a switch
            {
                "R" => factory.Repo,
                "K" => factory.Keys,
                "EMPTY" => factory.Dir.Combine("empty"),
                "NOREPO" => factory.Dir.Combine("empty"),
                "NOWHERE" => factory.Dir.Combine("NOWHERE"),
                _ => a,
            }).ToList();
        var before = factory.Contents();

        var (exit, output, error) = await FactoryRepository.RunAsync([.. args]);

        Assert.NotEqual(0, exit);
        Assert.Contains(message, output + error, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", error, StringComparison.Ordinal);
        Assert.Equal(before, factory.Contents());
    }
}
