using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Hosting;

/// <summary>
/// IoT-1005-1 5.4.1.2: what the daemon keeps at rest is readable by its own user only. Every file it writes is
/// 0600 and every directory 0700, whatever umask it was started under, and looser modes left by an older
/// version are tightened at start.
/// </summary>
public sealed class FileModeTests
{
    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;

    [Fact]
    public async Task DaemonStartedUnderUmask022_WritesOnlyOwnerOnlyFilesAndDirectories()
    {
        using var data = new TempDirectory();
        // What an older version left: a world-readable file in a world-readable directory.
        var legacyDirectory = Directory.CreateDirectory(data.Combine("recordings"));
        File.SetUnixFileMode(legacyDirectory.FullName, OwnerOnlyDirectory | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
        var legacyFile = data.Combine("recordings", "legacy.tmp-1");
        await File.WriteAllTextAsync(legacyFile, "left behind");
        File.SetUnixFileMode(legacyFile, OwnerOnlyFile | UnixFileMode.GroupRead | UnixFileMode.OtherRead);

        using (var camera = await CameraProcess.StartWithUmaskAsync(data.Path, "022"))
        {
            // Work that writes: the database and its journal, the vault, the identity, a session.
            var (response, client) = await CameraSessions.TrySignInAsync(camera.BaseAddress, camera.Certificate, "admin", "not the password");
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            client?.Dispose();
            using var device = await camera.Client.GetAsync(new Uri("/api/device", UriKind.Relative));
            Assert.Equal(HttpStatusCode.OK, device.StatusCode);

            var loose = Loose(data.Path);
            Assert.True(loose.Count == 0, "looser than owner-only: " + string.Join(", ", loose));
            Assert.Contains(Directory.EnumerateFiles(data.Path, "*", SearchOption.AllDirectories), f => f.EndsWith("iris.db-wal", StringComparison.Ordinal));
            Assert.NotEmpty(Directory.EnumerateFiles(data.Combine("identity")));
        }
    }

    private static List<string> Loose(string root)
    {
        var found = new List<string>();
        foreach (var entry in new DirectoryInfo(root).EnumerateFileSystemInfos("*", SearchOption.AllDirectories).Append(new DirectoryInfo(root)))
        {
            var allowed = entry is DirectoryInfo ? OwnerOnlyDirectory : OwnerOnlyFile;
            if ((entry.UnixFileMode & ~allowed) != 0)
            {
                found.Add($"{Path.GetRelativePath(root, entry.FullName)} {Convert.ToString((int)entry.UnixFileMode, 8)}");
            }
        }

        return found;
    }
}
