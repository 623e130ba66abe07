using Iris.Camera.Platform;
using Iris.Camera.Hosting;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Microsoft.Data.Sqlite;

namespace Iris.Camera.Tests.Storage;

public sealed class CameraDatabaseTests : IDisposable
{
    private readonly TempDirectory _data = new();

    private string DatabaseFile => _data.Combine("iris.db");

    [Fact]
    public void NewDatabase_IsMigratedToTheLatestSchema_InWalMode()
    {
        var database = CameraDatabase.Open(DatabaseFile, CameraApp.Schema());

        using var connection = database.OpenConnection();
        Assert.Equal((long)CameraApp.Schema().Max(m => m.Version), Scalar(connection, "PRAGMA user_version;"));
        Assert.Equal("wal", Scalar(connection, "PRAGMA journal_mode;"));
        Assert.Equal(1L, Scalar(connection, "PRAGMA secure_delete;"));
    }

    [Fact]
    public void ReopeningAMigratedDatabase_KeepsItsData()
    {
        CameraDatabase.Open(DatabaseFile, CameraApp.Schema()).RecordBoot(DateTimeOffset.UnixEpoch, "1.0.0", "development");

        var reopened = CameraDatabase.Open(DatabaseFile, CameraApp.Schema());

        Assert.Equal(1, reopened.CountBoots());
    }

    [Fact]
    public void DatabaseFromNewerSoftware_IsRefusedAndLeftUntouched()
    {
        CameraDatabase.Open(DatabaseFile, CameraApp.Schema()).RecordBoot(DateTimeOffset.UnixEpoch, "1.0.0", "development");
        using (var connection = new SqliteConnection($"Data Source={DatabaseFile};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = $"PRAGMA user_version = {CameraApp.Schema().Max(m => m.Version) + 5};";
            command.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var before = Checksum();

        var error = Assert.Throws<StartupException>(() => CameraDatabase.Open(DatabaseFile, CameraApp.Schema()));

        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        SqliteConnection.ClearAllPools();
        Assert.Equal(before, Checksum());
    }

    [Fact]
    public void FileThatIsNotSqlite_IsRefused()
    {
        File.WriteAllText(DatabaseFile, "this is not a database, it is a text file that replaced it");

        var error = Assert.Throws<StartupException>(() => CameraDatabase.Open(DatabaseFile, CameraApp.Schema()));

        Assert.Contains("not a SQLite database", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DamagedPages_AreRefused()
    {
        var database = CameraDatabase.Open(DatabaseFile, CameraApp.Schema());
        for (var i = 0; i < 400; i++)
        {
            database.RecordBoot(DateTimeOffset.UnixEpoch.AddSeconds(i), new string('v', 100), "development");
        }

        using (var connection = database.OpenConnection())
        using (var checkpoint = connection.CreateCommand())
        {
            checkpoint.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
            checkpoint.ExecuteNonQuery();
        }

        SqliteConnection.ClearAllPools();
        var bytes = File.ReadAllBytes(DatabaseFile);
        Assert.True(bytes.Length > 4 * 4096, "the test needs a multi-page database");
        Array.Fill(bytes, (byte)0xA5, 4096 + 16, 4096 * 2);
        File.WriteAllBytes(DatabaseFile, bytes);

        Assert.Throws<StartupException>(() => CameraDatabase.Open(DatabaseFile, CameraApp.Schema()));
    }

    [Fact]
    public void DataDirectoryThatIsAFile_IsRefused()
    {
        var file = _data.Combine("not-a-directory");
        File.WriteAllText(file, "x");

        var error = Assert.Throws<StartupException>(() => DataDirectory.Open(file));

        Assert.Equal(StartupException.ConfigurationError, error.ExitCode);
    }

    public void Dispose() => _data.Dispose();

    private string Checksum() => Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(DatabaseFile)));

    private static object? Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
