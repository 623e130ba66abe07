using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text.Json;
using Iris.Firmware.Agent;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;
using Iris.Firmware.Slots;

namespace Iris.UpdateBench;

/// <summary>
/// Helpers for bench/update-install.sh (bench-only; never shipped):
///   make-update IMAGE OUT_DIR            encrypts IMAGE as an image release; writes bundle.irfw, target.json, device-key.pem
///   install-update OUT_DIR SLOT_IMAGE    installs it into SLOT_IMAGE (or /dev/null for verify + decrypt only)
/// install-update prints "seconds peak_rss_kib" from inside the process (VmHWM), so the number covers the whole
/// verify, decrypt, write, fsync and read-back path and nothing else.
/// </summary>
internal static class UpdateBench
{
    public static async Task<int> MakeAsync(string image, string outDirectory)
    {
        Directory.CreateDirectory(outDirectory);
        using var deviceKey = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var bundle = Path.Combine(outDirectory, "bundle.irfw");
        var release = await ReleaseBuilder.BuildAsync(image, new ReleaseDescription(ReleaseInfo.ImageKind, "rootfs", ["bench"], "1.0.0", 1, new DateOnly(2031, 12, 31)),
            [deviceKey.ExportSubjectPublicKeyInfo()], bundle);
        string sha;
        long length;
        await using (var stream = File.OpenRead(bundle))
        {
            length = stream.Length;
            sha = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream));
        }

        var target = new TargetEntry("bundle.irfw", length, sha, release);
        await File.WriteAllBytesAsync(Path.Combine(outDirectory, "target.json"), JsonSerializer.SerializeToUtf8Bytes(target, MetadataJson.Options));
        await File.WriteAllTextAsync(Path.Combine(outDirectory, "device-key.pem"), deviceKey.ExportPkcs8PrivateKeyPem());
        return 0;
    }

    public static async Task<int> InstallAsync(string outDirectory, string slotImage)
    {
        var target = JsonSerializer.Deserialize<TargetEntry>(await File.ReadAllBytesAsync(Path.Combine(outDirectory, "target.json")), MetadataJson.Options)!;
        using var key = ECDiffieHellman.Create();
        key.ImportFromPem(await File.ReadAllTextAsync(Path.Combine(outDirectory, "device-key.pem")));
        var boot = Directory.CreateTempSubdirectory("iris-bench-boot-").FullName;
        try
        {
            var slots = new SlotRecordStore(DiskFileSystem.Instance, boot);
            slots.Save(BootDecisions.Initial(new SlotState("0.9.0", 1, null, "rootfs", 0, 0, true)));
            var clock = Stopwatch.StartNew();
            UpdateOutcome outcome;
            if (slotImage == "/dev/null")
            {
                // Verify + decrypt only: the same reader, writing nowhere.
                var pins = target.Release.Payload;
                var wrap = target.Release.Keys[0];
                var bundleId = Convert.FromHexString(pins.BundleId);
                var releaseKey = Iris.Firmware.Payload.ReleaseKeyWrap.Unwrap(key, Convert.FromBase64String(wrap.EphemeralKey), Convert.FromBase64String(wrap.Wrapped), bundleId)!;
                await using var bundle = new FileStream(Path.Combine(outDirectory, "bundle.irfw"), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20);
                var result = await Iris.Firmware.Payload.PayloadReader.DecryptAsync(bundle, Stream.Null, releaseKey, bundleId, Convert.FromHexString(pins.TreeRoot),
                    Convert.FromBase64String(pins.ChunkList), target.Length);
                outcome = result.Succeeded ? UpdateOutcome.Ok : new UpdateOutcome(UpdateCode.PayloadRejected, result.Reason);
            }
            else
            {
                var installer = new ImageSlotInstaller(DiskFileSystem.Instance, new Dictionary<string, string> { ["b"] = slotImage });
                outcome = await new UpdateEngine(slots, TimeProvider.System).InstallAsync(target, Path.Combine(outDirectory, "bundle.irfw"), key, installer, "a", 3, null, CancellationToken.None);
            }

            clock.Stop();
            if (!outcome.Succeeded)
            {
                await Console.Error.WriteLineAsync($"install failed: {outcome.Code}: {outcome.Message}");
                return 1;
            }

            var peak = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
            Console.WriteLine($"{clock.Elapsed.TotalSeconds.ToString("0.000", CultureInfo.InvariantCulture)} {peak}");
            return 0;
        }
        finally
        {
            Directory.Delete(boot, recursive: true);
        }
    }
}
