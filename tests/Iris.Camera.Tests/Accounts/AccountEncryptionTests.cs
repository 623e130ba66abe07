using System.Net.Http.Json;
using System.Text;
using Iris.Camera.Accounts;
using Iris.Camera.Storage;
using Iris.Camera.Telemetry;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Accounts;

/// <summary>
/// The accounts tables at rest (issue 12, Deliver 1): names, password hashes and addresses are sealed under a key
/// per account, found by blind index, and a deleted account's key is destroyed, so a copy of its row taken before
/// the delete (what a medium that never overwrites keeps) does not open.
/// </summary>
public sealed class AccountEncryptionTests
{
    private const string Visitor = "visitor-cleo";
    private const string VisitorPassword = "saffron harbour kite 4417";

    [Fact]
    public async Task TheDatabaseFiles_HoldNoUsernameHashOrSaltOfAnAccount_WhileSignInWorks()
    {
        using var directory = new TempDirectory();
        PasswordHash password;
        await using (var camera = await InProcessCamera.StartAsync(directory.Path))
        {
            using var owner = await camera.ClaimAsync();
            password = await CreateVisitorAsync(camera, owner);
            using var visitor = await camera.SignInAsync(Visitor, VisitorPassword);
            Assert.True(camera.App.Services.GetRequiredService<KnownSources>().IsKnown(Visitor, "127.0.0.1"));
            Assert.True(camera.App.Services.GetRequiredService<KnownSources>().IsKnownSource("127.0.0.1"));
            Assert.False(camera.App.Services.GetRequiredService<KnownSources>().IsKnownSource("10.9.9.9"));
            Assert.Contains(camera.App.Services.GetRequiredService<AccountStore>().List(), a => a.Username == Visitor);
        }

        var files = DatabaseBytes(directory.Path);
        Assert.True(files.AsSpan().IndexOf(password.Hash) < 0, "the hash is in the database files");
        Assert.True(files.AsSpan().IndexOf(password.Salt) < 0, "the salt is in the database files");
        Assert.True(files.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Visitor)) < 0, "the username is in the database files");
    }

    [Fact]
    public async Task DeletingAUser_DestroysTheirKey_SoACopyOfTheirRowTakenBeforeDoesNotOpen()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var owner = await camera.ClaimAsync();
        await CreateVisitorAsync(camera, owner);
        var cipher = camera.App.Services.GetRequiredService<AccountCipher>();
        var (keyId, sealedRow) = RowOf(camera, Visitor);
        Assert.Equal(Visitor, cipher.Open(keyId, sealedRow)?.Username);

        using (var delete = await owner.Http.DeleteAsync(new Uri($"/api/users/{Visitor}", UriKind.Relative)))
        {
            delete.EnsureSuccessStatusCode();
        }

        Assert.Null(cipher.Open(keyId, sealedRow));
        Assert.False(camera.App.Services.GetRequiredService<SecretVault>().Contains(VaultDataKeys.ItemPrefix + "account." + keyId));
        Assert.Null(camera.App.Services.GetRequiredService<AccountStore>().Find(Visitor));
    }

    [Fact]
    public async Task PlaintextRowsFromBeforeSchema9_AreSealedAtStart_AndTheAccountStillSignsIn()
    {
        using var directory = new TempDirectory();
        PasswordHash password;
        string oldKeyId;
        await using (var camera = await InProcessCamera.StartAsync(directory.Path))
        {
            using var owner = await camera.ClaimAsync();
            password = await CreateVisitorAsync(camera, owner);
            oldKeyId = RowOf(camera, Visitor).KeyId;
        }

        // The rows as schema 8 wrote them: plaintext name, hash and address; an unsealed telemetry payload. The
        // key the visitor had is left in the vault with no row naming it, as after a crash during a delete.
        WithDatabase(directory.Path, connection => DbRows.Execute(connection, """
            UPDATE accounts SET username = $name, key_id = NULL, sealed = NULL, password_hash = $h, password_salt = $s, password_iterations = $i WHERE key_id = $k;
            INSERT INTO known_sources (account, source, first_seen_at) VALUES ($name, '10.7.7.7', '2026-01-01T00:00:00.0000000Z');
            INSERT INTO telemetry_sent (at, payload, result, sealed) VALUES ('2026-01-01T00:00:00.0000000Z', '{"legacy-payload-marker":1}', 'sent', 0);
            """, ("$name", Visitor), ("$h", password.Hash), ("$s", password.Salt), ("$i", password.Iterations), ("$k", oldKeyId)));
        Assert.True(DatabaseBytes(directory.Path).AsSpan().IndexOf(password.Hash) >= 0, "the legacy row was not written");

        await using (var camera = await InProcessCamera.StartAsync(directory.Path))
        {
            using (await camera.SignInAsync(Visitor, VisitorPassword))
            {
            }

            Assert.True(camera.App.Services.GetRequiredService<KnownSources>().IsKnown(Visitor, "10.7.7.7"));
            Assert.Contains(camera.App.Services.GetRequiredService<TelemetrySentHistory>().List(), p => p.Payload == "{\"legacy-payload-marker\":1}");
            Assert.NotEqual(oldKeyId, RowOf(camera, Visitor).KeyId);
            Assert.False(camera.App.Services.GetRequiredService<SecretVault>().Contains(VaultDataKeys.ItemPrefix + "account." + oldKeyId));
        }

        var files = DatabaseBytes(directory.Path);
        Assert.True(files.AsSpan().IndexOf(password.Hash) < 0, "the legacy hash stayed in the database files");
        Assert.True(files.AsSpan().IndexOf(Encoding.UTF8.GetBytes(Visitor)) < 0, "the legacy username stayed in the database files");
        Assert.True(files.AsSpan().IndexOf("10.7.7.7"u8) < 0, "the legacy address stayed in the database files");
        Assert.True(files.AsSpan().IndexOf("legacy-payload-marker"u8) < 0, "the legacy payload stayed in the database files");
    }

    private static async Task<PasswordHash> CreateVisitorAsync(InProcessCamera camera, SignedInClient owner)
    {
        using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = Visitor, role = "viewer", password = VisitorPassword }))
        {
            create.EnsureSuccessStatusCode();
        }

        return camera.App.Services.GetRequiredService<AccountStore>().Find(Visitor)!.Password;
    }

    private static (string KeyId, byte[] Sealed) RowOf(InProcessCamera camera, string username)
    {
        var index = camera.App.Services.GetRequiredService<AccountCipher>().UsernameIndex(username);
        using var connection = camera.App.Services.GetRequiredService<CameraDatabase>().OpenConnection();
        return DbRows.Query(connection, "SELECT key_id, sealed FROM accounts WHERE username = $u;", r => (r.GetString(0), (byte[])r[1]), ("$u", index)).Single();
    }

    private static void WithDatabase(string dataDirectory, Action<SqliteConnection> action)
    {
        SqliteConnection.ClearAllPools();
        using var connection = new SqliteConnection($"Data Source={Path.Combine(dataDirectory, "iris.db")};Pooling=False");
        connection.Open();
        action(connection);
    }

    private static readonly string[] DatabaseFiles = ["iris.db", "iris.db-wal"];

    /// <summary>The database file and its WAL, byte for byte, as a carver would read them.</summary>
    private static byte[] DatabaseBytes(string dataDirectory)
    {
        SqliteConnection.ClearAllPools();
        return [.. DatabaseFiles.Select(f => Path.Combine(dataDirectory, f)).Where(File.Exists).SelectMany(File.ReadAllBytes)];
    }
}
