using Iris.Camera.Media;
using Iris.Camera.Tests.Support;

namespace Iris.Camera.Tests.Media;

/// <summary>
/// An export decrypts a recording into /dev/shm for ffmpeg; a daemon killed before it removed the directory left
/// the plaintext there across restarts, deletions and resets (outside review of issue 12). Start sweeps it, and
/// only this data directory's: another daemon's export in progress keeps its file.
/// </summary>
public sealed class ExportLeftoverTests
{
    [Fact]
    public async Task Start_RemovesTheDecryptedExportACrashLeft_ButNotAnotherDataDirectorysExport()
    {
        Assert.True(Mp4Export.Available, "this test needs /dev/shm");
        using var data = new TempDirectory();
        using var other = new TempDirectory();
        var leftover = Path.Combine(Mp4Export.RamDirectory, Mp4Export.WorkPrefix(data.Path) + "0123456789abcdef");
        var foreign = Path.Combine(Mp4Export.RamDirectory, Mp4Export.WorkPrefix(other.Path) + "fedcba9876543210");
        Directory.CreateDirectory(leftover);
        Directory.CreateDirectory(foreign);
        try
        {
            await File.WriteAllBytesAsync(Path.Combine(leftover, "export.mp4"), [0, 0, 0, 0x18, (byte)'f', (byte)'t', (byte)'y', (byte)'p']);
            await File.WriteAllBytesAsync(Path.Combine(foreign, "export.mp4"), [1, 2, 3]);

            await using var camera = await InProcessCamera.StartAsync(dataDirectory: data.Path);

            Assert.False(Directory.Exists(leftover), "the crashed export of this data directory is still in RAM");
            Assert.True(File.Exists(Path.Combine(foreign, "export.mp4")), "another data directory's export was removed");
        }
        finally
        {
            if (Directory.Exists(leftover))
            {
                Directory.Delete(leftover, recursive: true);
            }

            Directory.Delete(foreign, recursive: true);
        }
    }
}
