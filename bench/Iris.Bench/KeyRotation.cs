using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Iris.Camera.Media;
using Iris.Camera.Storage;
using Iris.Camera.Vault;

namespace Iris.Bench;

/// <summary>
/// Issue 12 benchmark: how long the recordings-key rotation (after a move to a token, <c>RecordingsKey.Rotate</c>)
/// takes on a device holding GIB gibibytes of recordings. Rotation re-wraps each segment's key in its slot of
/// <c>recordings/keys/segment.slots</c> and never touches video, so only the slot table is generated: one entry per
/// segment of SEGMENT_MIB mebibytes (the segment files themselves are not written). File key provider; with a token
/// only the recordings key itself is sealed through the token, once, so the slot work is the same.
/// Usage: Iris.Bench key-rotation [GIB] [SEGMENT_MIB] [DIRECTORY]; prints "segments slots_moved setup_ms rotate_ms".
/// DIRECTORY should be on the file system the device uses (the rewrite is synced).
/// </summary>
internal static class KeyRotation
{
    public static int Run(string[] args)
    {
        var gib = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var segmentMib = args.Length > 1 ? double.Parse(args[1], CultureInfo.InvariantCulture) : 8;
        var root = Path.Combine(args.Length > 2 ? args[2] : Path.GetTempPath(), "iris-key-rotation-" + Guid.NewGuid().ToString("N"));
        var segments = (int)Math.Ceiling(gib * 1024 / segmentMib);
        try
        {
            var data = DataDirectory.Open(root);
            using var provider = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, sealedItemsExist: false);
            var vault = new SecretVault(data.VaultDirectory, provider);
            var setup = Stopwatch.StartNew();
            using (var key = new RecordingsKey(vault, new SegmentFiles(data)))
            {
                for (var i = 0; i < segments; i++)
                {
                    CryptographicOperations.ZeroMemory(key.NewSegmentKey(RandomNumberGenerator.GetBytes(16)));
                }
            }

            setup.Stop();

            // A fresh instance, as at the start after a migration: the key is read from the vault, then rotated.
            using var rotating = new RecordingsKey(vault, new SegmentFiles(data));
            var rotate = Stopwatch.StartNew();
            var moved = rotating.Rotate();
            rotate.Stop();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{segments} {moved} {setup.Elapsed.TotalMilliseconds:0} {rotate.Elapsed.TotalMilliseconds:0.0}"));
            return moved == segments ? 0 : 1;
        }
        finally
        {
            if (Directory.Exists(root))
            {
                Directory.Delete(root, recursive: true);
            }
        }
    }
}
