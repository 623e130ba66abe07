using System.Security.Cryptography;
using Iris.Firmware.Metadata;
using Iris.Firmware.Payload;
using Iris.Firmware.Slots;

namespace Iris.Firmware.Agent;

/// <summary>Fetches a target file into a local file, resuming a partial download; never more than the signed length.</summary>
public interface IBundleDownloader
{
    Task<UpdateOutcome> DownloadAsync(string path, string destination, long signedLength, IProgress<long>? progress, CancellationToken cancellationToken);
}

/// <summary>What the device is and runs, for choosing a target.</summary>
public sealed record DeviceState(string Model, string InstalledVersion, long SecurityCounter);

/// <summary>
/// The device-side update steps, independent of HTTP and of the daemon: choose a target from verified
/// metadata, download it under its signed length and hash, and stream it through the payload reader into the
/// inactive slot. The slot record marks the target slot unbootable before the first write and bootable only
/// after the written slot has been read back and verified; the running slot is never touched.
/// </summary>
public sealed class UpdateEngine(SlotRecordStore slots, TimeProvider time)
{
    public const int DefaultBootTries = 3;

    /// <summary>The newest target for this model, or why there is nothing to install.</summary>
    public static (TargetEntry? Target, UpdateOutcome Outcome) Choose(TargetsDocument targets, DeviceState device)
    {
        var forModel = targets.Targets.Where(t => t.Release.Models.Contains(device.Model, StringComparer.Ordinal)).ToList();
        if (forModel.Count == 0)
        {
            return (null, targets.Targets.Count == 0
                ? new UpdateOutcome(UpdateCode.UpToDate, "the repository offers no releases")
                : new UpdateOutcome(UpdateCode.WrongModel, $"no release in the repository is for model '{device.Model}'"));
        }

        var newest = forModel.Where(t => Version.TryParse(t.Release.Version, out _)).MaxBy(t => Version.Parse(t.Release.Version));
        if (newest is null || !Version.TryParse(device.InstalledVersion, out var installed))
        {
            return (null, new UpdateOutcome(UpdateCode.Malformed, "release versions cannot be compared"));
        }

        var offered = Version.Parse(newest.Release.Version);
        if (offered == installed)
        {
            return (null, new UpdateOutcome(UpdateCode.UpToDate, $"version {installed} is the newest release"));
        }

        if (offered < installed)
        {
            return (null, new UpdateOutcome(UpdateCode.OlderVersion, $"the repository's newest release {offered} is older than the installed {installed}"));
        }

        if (newest.Release.SecurityVersion < device.SecurityCounter)
        {
            return (null, new UpdateOutcome(UpdateCode.LowerSecurityVersion,
                $"release {offered} has security version {newest.Release.SecurityVersion}, below this device's {device.SecurityCounter}"));
        }

        return (newest, new UpdateOutcome(UpdateCode.Ok, $"version {offered} is available"));
    }

    /// <summary>Downloads a target and checks the whole file against its signed length and hash.</summary>
    public static async Task<UpdateOutcome> DownloadAsync(IBundleDownloader downloader, TargetEntry target, string destination, IProgress<long>? progress,
        CancellationToken cancellationToken)
    {
        var outcome = await downloader.DownloadAsync(RepositoryClient.TargetPath(target), destination, target.Length, progress, cancellationToken);
        if (!outcome.Succeeded)
        {
            return outcome;
        }

        await using var file = File.OpenRead(destination);
        return await CheckBundleAsync(file, target, cancellationToken);
    }

    /// <summary>
    /// Checks a bundle against its signed length and hash, reading at most one byte past the signed length (the
    /// device after a download, the factory's verify on the published file).
    /// </summary>
    public static async Task<UpdateOutcome> CheckBundleAsync(Stream bundle, TargetEntry target, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[80 * 1024];
        long total = 0;
        int read;
        while (total <= target.Length && (read = await bundle.ReadAsync(buffer.AsMemory(0, (int)Math.Min(buffer.Length, target.Length - total + 1)), cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            total += read;
        }

        if (total != target.Length)
        {
            return new UpdateOutcome(UpdateCode.Mismatch, total > target.Length
                ? $"downloaded bundle is longer than the {target.Length} bytes the metadata signs"
                : $"downloaded bundle is {total} bytes; the metadata signs {target.Length}");
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset()) == target.Sha256
            ? UpdateOutcome.Ok
            : new UpdateOutcome(UpdateCode.Mismatch, "downloaded bundle does not match the signed hash");
    }

    /// <summary>Installs a downloaded bundle into the slot that is not running.</summary>
    public async Task<UpdateOutcome> InstallAsync(TargetEntry target, string bundleFile, ECDiffieHellman deviceKey, ISlotInstaller installer, string runningSlot,
        int bootTries, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        var release = target.Release;
        if (release.Kind != installer.Kind)
        {
            return new UpdateOutcome(UpdateCode.NotForThisDevice, $"release is a {release.Kind} bundle; this device installs {installer.Kind} bundles");
        }

        byte[] bundleId, treeRoot, chunkList;
        try
        {
            bundleId = Convert.FromHexString(release.Payload.BundleId);
            treeRoot = Convert.FromHexString(release.Payload.TreeRoot);
            chunkList = Convert.FromBase64String(release.Payload.ChunkList);
        }
        catch (FormatException)
        {
            return new UpdateOutcome(UpdateCode.Malformed, "release payload pins are not well-formed");
        }

        var recipient = MetadataSignatures.KeyId(deviceKey.ExportSubjectPublicKeyInfo());
        var wrap = release.Keys.FirstOrDefault(k => k.Recipient == recipient);
        if (wrap is null)
        {
            return new UpdateOutcome(UpdateCode.NotForThisDevice, "the release key is not wrapped for this device's update key");
        }

        byte[]? releaseKey;
        try
        {
            releaseKey = ReleaseKeyWrap.Unwrap(deviceKey, Convert.FromBase64String(wrap.EphemeralKey), Convert.FromBase64String(wrap.Wrapped), bundleId);
        }
        catch (FormatException)
        {
            releaseKey = null;
        }

        if (releaseKey is null)
        {
            return new UpdateOutcome(UpdateCode.PayloadRejected, "the wrapped release key does not open with this device's update key");
        }

        var record = slots.Load() ?? throw new InvalidOperationException("The slot record is missing; the device was not provisioned with slots.");
        var targetSlot = SlotRecord.Other(runningSlot);
        slots.Save(BootDecisions.BeginInstall(record, targetSlot));
        try
        {
            var outcome = await installer.InstallAsync(targetSlot, release, async (destination, ct) =>
            {
                // Unbuffered: the reader asks for whole chunks, so a file buffer would only be one more chunk-sized
                // array (and a copy) for the install's lifetime.
                await using var bundle = new FileStream(bundleFile, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 0);
                await using var counted = new ProgressStream(destination, progress);
                return await PayloadReader.DecryptAsync(bundle, counted, releaseKey, bundleId, treeRoot, chunkList, target.Length, ct);
            }, cancellationToken);
            if (!outcome.Succeeded)
            {
                return outcome;
            }

            var installed = new SlotState(release.Version, release.SecurityVersion, release.SupportEnd, release.Entry, 0, 0, false);
            slots.Save(BootDecisions.CompleteInstall(slots.Load()!, targetSlot, installed, bootTries, time.GetUtcNow()));
            return new UpdateOutcome(UpdateCode.Ok, $"version {release.Version} installed on slot {targetSlot}; it starts on the next restart");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(releaseKey);
        }
    }

    /// <summary>Counts bytes on their way to the slot, for the progress bar.</summary>
    private sealed class ProgressStream(Stream inner, IProgress<long>? progress) : Stream
    {
        private long _written;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Flush() => inner.Flush();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count)
        {
            inner.Write(buffer, offset, count);
            Report(count);
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            Report(buffer.Length);
        }

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        private void Report(int count)
        {
            _written += count;
            progress?.Report(_written);
        }
    }
}
