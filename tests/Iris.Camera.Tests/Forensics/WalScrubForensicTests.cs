using Iris.Camera.Storage;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Tests.Forensics;

/// <summary>
/// The WAL against a carver. A row deleted with secure_delete on, then checkpointed and truncated (what the camera
/// did before issue 12, and what SQLite does on its own when the last connection closes), is carved back from the
/// blocks the WAL freed; the same row deleted through <see cref="CameraDatabase"/>, whose delete paths end with
/// <see cref="WalScrub"/>, is not.
/// </summary>
[Collection(ForensicImages.Name)]
public sealed class WalScrubForensicTests
{
    [Fact]
    public void ADeletedRowIsCarvedBackFromATruncatedWal_ButNotAfterTheScrub()
    {
        using var image = Ext4Image.Create();
        Directory.CreateDirectory(image.DataDirectory);
        var plainMarker = "plain-wal-marker-" + Guid.NewGuid().ToString("N");
        var scrubbedMarker = "scrubbed-wal-marker-" + Guid.NewGuid().ToString("N");

        using (var plain = new SqliteConnection($"Data Source={Path.Combine(image.DataDirectory, "plain.db")};Pooling=False"))
        {
            plain.Open();
            DbRows.Execute(plain, "PRAGMA journal_mode=WAL; PRAGMA secure_delete=ON; CREATE TABLE t (v TEXT);");
            DbRows.Execute(plain, "INSERT INTO t VALUES ($v);", ("$v", plainMarker));
            DbRows.Execute(plain, "DELETE FROM t;");
            DbRows.Execute(plain, "PRAGMA wal_checkpoint(TRUNCATE);");
        }

        var database = CameraDatabase.Open(Path.Combine(image.DataDirectory, "iris.db"), CameraApp.Schema());
        database.SetSetting("marker", scrubbedMarker, DateTimeOffset.UnixEpoch);
        using (var connection = database.OpenConnection())
        {
            CameraDatabase.DeleteSetting(connection, "marker");
        }

        database.Compact();
        image.Unmount();

        var carver = new Carver(image.ReadRaw());
        Assert.True(carver.Contains(plainMarker), "the carver should find the row a truncated WAL left in free blocks");
        Assert.False(carver.Contains(scrubbedMarker), "the deleted setting survives on the image");
    }
}
