using System.Security.Cryptography;
using Iris.Firmware.Agent;
using Iris.Firmware.Metadata;
using Iris.Firmware.Payload;
using Iris.Firmware.Repository;
using Iris.Firmware.Slots;
using Iris.Firmware.Tests.Support;

namespace Iris.Firmware.Tests.Slots;

/// <summary>
/// Choosing, downloading and installing (IoT-1005-1 5.3.1.1-5.3.1.2, 5.4.1.1): a good release lands in the
/// inactive slot on trial; every bad one is refused with a reason and the running slot is untouched.
/// </summary>
public sealed class UpdateEngineTests
{
    private static DeviceState Device(string version = TestDevice.FactoryVersion, long counter = 1) => new(TestRepository.Model, version, counter);

    [Fact]
    public async Task GoodRelease_InstallsIntoTheInactiveSlot_OnTrial_WithTheRunningSlotAsFallback()
    {
        using var repo = new TestRepository();
        var device = new TestDevice(repo);
        await repo.PublishDirectoryAsync("1.1.0", securityVersion: 2);
        var (view, _) = await repo.Client().RefreshAsync(CancellationToken.None);
        var (target, choice) = UpdateEngine.Choose(view!.Targets, Device());
        Assert.Equal(UpdateCode.Ok, choice.Code);

        var (file, downloaded) = await device.DownloadAsync(target!);
        var installed = await device.InstallAsync(target!, file);

        Assert.True(downloaded.Succeeded, downloaded.Message);
        Assert.True(installed.Succeeded, installed.Message);
        Assert.True(TestDevice.SlotHolds(device.SlotDirectory("b"), "1.1.0"));
        Assert.True(TestDevice.SlotHolds(device.SlotDirectory("a"), TestDevice.FactoryVersion));
        var record = device.Slots.Load()!;
        Assert.Equal(new BootChoice("b", record.B, Trial: true), BootDecisions.Choose(record));
        Assert.Equal(UpdateEngine.DefaultBootTries, record.B.TriesRemaining);
        Assert.Equal(2, record.B.SecurityVersion);
        Assert.Equal(1, record.SecurityCounter);
        Assert.True(File.GetUnixFileMode(Path.Combine(device.SlotDirectory("b"), "start.sh")).HasFlag(UnixFileMode.UserExecute));
    }

    [Fact]
    public async Task BundleAtRest_InTheRepository_HoldsNoPlaintext()
    {
        using var repo = new TestRepository();
        var target = await repo.PublishDirectoryAsync("1.1.0");

        var bytes = await File.ReadAllBytesAsync(repo.PathOf(RepositoryClient.TargetPath(target)));

        Assert.Equal(-1, bytes.AsSpan().IndexOf("application 1.1.0"u8));
        Assert.Equal(-1, bytes.AsSpan().IndexOf("iris-manifest"u8));
    }

    [Fact]
    public async Task TamperedChunk_IsRefused_AndTheRunningSlotIsUntouched()
    {
        using var repo = new TestRepository();
        var device = new TestDevice(repo);
        var target = await repo.PublishDirectoryAsync("1.1.0");
        var (file, _) = await device.DownloadAsync(target);
        var bytes = await File.ReadAllBytesAsync(file);
        bytes[PayloadFormat.HeaderLength + 4096 + 16 + 10] ^= 0x40;
        await File.WriteAllBytesAsync(file, bytes);
        var before = device.Slots.Load()!;

        var outcome = await device.InstallAsync(target, file);

        Assert.Equal(UpdateCode.PayloadRejected, outcome.Code);
        Assert.Contains("chunk 1", outcome.Message, StringComparison.Ordinal);
        AssertRunningSlotUntouched(device, before);
    }

    [Fact]
    public async Task SwappedChunks_AreRefused()
    {
        using var repo = new TestRepository();
        var device = new TestDevice(repo);
        var target = await repo.PublishDirectoryAsync("1.1.0");
        var (file, _) = await device.DownloadAsync(target);
        var bytes = await File.ReadAllBytesAsync(file);
        var chunk = 4096 + 16;
        var first = bytes.AsSpan(PayloadFormat.HeaderLength, chunk).ToArray();
        bytes.AsSpan(PayloadFormat.HeaderLength + chunk, chunk).CopyTo(bytes.AsSpan(PayloadFormat.HeaderLength));
        first.CopyTo(bytes.AsSpan(PayloadFormat.HeaderLength + chunk));
        await File.WriteAllBytesAsync(file, bytes);
        var before = device.Slots.Load()!;

        var outcome = await device.InstallAsync(target, file);

        Assert.Equal(UpdateCode.PayloadRejected, outcome.Code);
        AssertRunningSlotUntouched(device, before);
    }

    [Fact]
    public async Task TruncatedBundle_IsRefused_AtDownload_AndAtInstall()
    {
        using var repo = new TestRepository();
        var device = new TestDevice(repo);
        var target = await repo.PublishDirectoryAsync("1.1.0");
        var served = repo.PathOf(RepositoryClient.TargetPath(target));
        var (file, _) = await device.DownloadAsync(target);
        var full = await File.ReadAllBytesAsync(served);
        await File.WriteAllBytesAsync(served, full[..^100]);
        await File.WriteAllBytesAsync(file, full[..^100]);
        var before = device.Slots.Load()!;

        var (_, downloaded) = await device.DownloadAsync(target);
        var installed = await device.InstallAsync(target, file);

        Assert.Equal(UpdateCode.Mismatch, downloaded.Code);
        Assert.Equal(UpdateCode.PayloadRejected, installed.Code);
        Assert.Contains("ends inside chunk", installed.Message, StringComparison.Ordinal);
        AssertRunningSlotUntouched(device, before);
    }

    [Fact]
    public async Task OversizedDownload_IsCutOffAtTheSignedLength()
    {
        using var repo = new TestRepository();
        var device = new TestDevice(repo);
        var target = await repo.PublishDirectoryAsync("1.1.0");
        await using (var served = File.Open(repo.PathOf(RepositoryClient.TargetPath(target)), FileMode.Append))
        {
            served.Write(new byte[8 << 20]);
        }

        var (file, outcome) = await device.DownloadAsync(target);

        Assert.Equal(UpdateCode.TooLarge, outcome.Code);
        Assert.True(new FileInfo(file).Length <= target.Length + (1 << 20));
    }

    [Fact]
    public async Task ReleaseWrappedForAnotherDevice_IsRefused()
    {
        using var repo = new TestRepository();
        var device = new TestDevice(repo);
        using var otherDevice = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var target = await repo.PublishDirectoryAsync("1.1.0", recipient: otherDevice.ExportSubjectPublicKeyInfo());
        var (file, _) = await device.DownloadAsync(target);
        var before = device.Slots.Load()!;

        var outcome = await device.InstallAsync(target, file);

        Assert.Equal(UpdateCode.NotForThisDevice, outcome.Code);
        Assert.Equal(before, device.Slots.Load());
    }

    [Fact]
    public async Task WrongReleaseKey_FailsChunkAuthentication()
    {
        using var repo = new TestRepository();
        var device = new TestDevice(repo);
        var target = await repo.PublishDirectoryAsync("1.1.0");

        // Another key, correctly wrapped for this device and this bundle, does not open the payload.
        var bundleId = Convert.FromHexString(target.Release.Payload.BundleId);
        var (ephemeral, wrapped) = ReleaseKeyWrap.Wrap(RandomNumberGenerator.GetBytes(32), repo.DeviceKey.ExportSubjectPublicKeyInfo(), bundleId);
        var wrongKey = new WrappedReleaseKey(target.Release.Keys[0].Recipient, Convert.ToBase64String(ephemeral), Convert.ToBase64String(wrapped));
        var mixed = target with { Release = target.Release with { Keys = [wrongKey] } };
        var (file, _) = await device.DownloadAsync(target);
        var outcome = await device.InstallAsync(mixed, file);

        Assert.Equal(UpdateCode.PayloadRejected, outcome.Code);
        Assert.Contains("failed authentication", outcome.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Other Camera", "1.1.0", 1, UpdateCode.WrongModel)]
    [InlineData(TestRepository.Model, "0.9.0", 1, UpdateCode.OlderVersion)]
    [InlineData(TestRepository.Model, "1.1.0", 0, UpdateCode.LowerSecurityVersion)]
    [InlineData(TestRepository.Model, TestDevice.FactoryVersion, 1, UpdateCode.UpToDate)]
    [InlineData(TestRepository.Model, "1.1.0", 1, UpdateCode.Ok)]
    public async Task Choice_RefusesWhatThisDeviceMustNotRun(string model, string version, long securityVersion, UpdateCode expected)
    {
        using var repo = new TestRepository();
        await repo.PublishDirectoryAsync(version, securityVersion, model);
        var (view, _) = await repo.Client().RefreshAsync(CancellationToken.None);

        var (target, outcome) = UpdateEngine.Choose(view!.Targets, Device());

        Assert.Equal(expected, outcome.Code);
        Assert.Equal(expected == UpdateCode.Ok, target is not null);
    }

    [Fact]
    public async Task ImageSlot_IsWrittenInPlace_AndReadBack()
    {
        using var repo = new TestRepository();
        var images = repo.Scratch("images");
        var image = RandomNumberGenerator.GetBytes(300_000);
        var source = Path.Combine(images, "rootfs.img");
        await File.WriteAllBytesAsync(source, image);
        var bundle = Path.Combine(images, "rootfs.irfw");
        var release = await ReleaseBuilder.BuildAsync(source, new ReleaseDescription("image", "rootfs", [TestRepository.Model], "2.0.0", 1, new DateOnly(2031, 1, 1)),
            [repo.DeviceKey.ExportSubjectPublicKeyInfo()], bundle, 65536);
        var target = repo.Publisher.AddRelease("rootfs-2.0.0.irfw", bundle, release, repo.Keys, RoleLifetimes.Default);
        var device = new TestDevice(repo);
        var slotImages = new Dictionary<string, string> { ["a"] = Path.Combine(images, "slot-a.img"), ["b"] = Path.Combine(images, "slot-b.img") };
        var installer = new ImageSlotInstaller(device.FileSystem, slotImages);

        var (file, _) = await device.DownloadAsync(target);
        var outcome = await device.Engine.InstallAsync(target, file, repo.DeviceKey, installer, "a", 3, null, CancellationToken.None);

        Assert.True(outcome.Succeeded, outcome.Message);
        Assert.Equal(image, await File.ReadAllBytesAsync(slotImages["b"]));
        Assert.False(File.Exists(slotImages["a"]));
        Assert.Equal("2.0.0", device.Slots.Load()!.B.Version);
    }

    [Fact]
    public async Task DirectoryBundle_OnAnImageDevice_IsRefused()
    {
        using var repo = new TestRepository();
        var device = new TestDevice(repo);
        var target = await repo.PublishDirectoryAsync("1.1.0");
        var (file, _) = await device.DownloadAsync(target);
        var installer = new ImageSlotInstaller(device.FileSystem, new Dictionary<string, string>());

        var outcome = await device.Engine.InstallAsync(target, file, repo.DeviceKey, installer, "a", 3, null, CancellationToken.None);

        Assert.Equal(UpdateCode.NotForThisDevice, outcome.Code);
    }

    private static void AssertRunningSlotUntouched(TestDevice device, SlotRecord before)
    {
        var after = device.Slots.Load()!;
        Assert.Equal(before.A, after.A);
        Assert.Equal("a", BootDecisions.Choose(after)!.Slot);
        Assert.True(TestDevice.SlotHolds(device.SlotDirectory("a"), TestDevice.FactoryVersion));
        Assert.False(Directory.Exists(device.SlotDirectory("b") + ".incoming"));
    }
}
