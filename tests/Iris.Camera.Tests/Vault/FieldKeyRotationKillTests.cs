using System.Net.Http.Json;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Storage;
using Iris.Camera.Telemetry;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Vault;

/// <summary>
/// Issue 12, Deliver 3: the move from the file key to a token replaces every database field key (per account, the
/// username index key, the security log's, telemetry's) and re-seals the rows under the new ones before the old
/// ones go. The old keys are what a carver gets from the old medium: the old file key opens the old sealed
/// <c>data-key.*</c> items. SIGKILLed after every step and resumed, no row (and no page image left in the
/// database file or its WAL) opens with any old key, every row opens with the new ones, and the users still sign in.
/// </summary>
public sealed class FieldKeyRotationKillTests
{
    private const string Visitor = "visitor-ines";
    private const string VisitorPassword = "copper meadow sextant 3185";
    private const string Payload = """{"uptime":4242,"marker":"telemetry-payload-7731"}""";

    [Fact]
    public async Task MovingToAToken_KilledAfterEveryStep_ReplacesEveryFieldKey_SoNoRowOpensWithAnOldOne()
    {
        using var template = new TempDirectory();
        await using (var camera = await InProcessCamera.StartAsync(template.Path))
        {
            using var owner = await camera.ClaimAsync();
            using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = Visitor, role = "viewer", password = VisitorPassword }))
            {
                create.EnsureSuccessStatusCode();
            }

            using (await camera.SignInAsync(Visitor, VisitorPassword))
            {
            }

            var sent = camera.App.Services.GetRequiredService<TelemetrySentHistory>();
            sent.Finish(sent.Begin(Payload), "delivered");
            camera.App.Services.GetRequiredService<TelemetryConsentStore>().Record(TelemetryConsentStore.Granted, "v-test", "admin");
        }

        var oldKeys = OldKeys(template.Path);
        Assert.Contains(oldKeys.Keys, k => k.StartsWith(EventFields.MonthKeyPrefix, StringComparison.Ordinal));
        Assert.Contains("accounts", oldKeys.Keys);
        Assert.Contains("telemetry", oldKeys.Keys);
        Assert.Equal(2, oldKeys.Keys.Count(k => k.StartsWith("account.", StringComparison.Ordinal)));
        var before = SealedValues(template.Path);
        // Every row is sealed under a key the carver holds: the test can fail.
        Assert.True(before.Count >= 8, $"only {before.Count} sealed values in the template");
        Assert.All(before, v => Assert.Contains(oldKeys.Values, k => v.OpensWith(k)));

        var token = SoftHsm.TakeToken();
        var steps = await RunAsync(template.Path, token, "iris-storage-key", killAfter: null, oldKeys, before);
        Assert.True(steps >= 3 * oldKeys.Count, $"only {steps} steps were reported for {oldKeys.Count} field keys");
        for (var k = 1; k <= steps; k++)
        {
            await RunAsync(template.Path, token, $"rot{k}", killAfter: k, oldKeys, before);
        }
    }

    /// <summary>Copies the template, migrates it (killed after step <paramref name="killAfter"/>, then resumed), and checks it; returns the steps of the first run.</summary>
    private static async Task<int> RunAsync(string template, string token, string keyLabel, int? killAfter, Dictionary<string, byte[]> oldKeys, List<SealedValue> before)
    {
        using var directory = new TempDirectory();
        Copy(template, directory.Path);
        var reported = await MigrationKillTests.MigrateAsync(directory.Path, token, keyLabel, killAfter);
        if (killAfter is not null)
        {
            Assert.Equal(killAfter, reported);
            await MigrationKillTests.MigrateAsync(directory.Path, token, keyLabel, killAfter: null);
        }

        var data = DataDirectory.Open(directory.Path);
        var raw = File.ReadAllBytes(data.DatabaseFile).Concat(File.Exists(data.DatabaseFile + "-wal") ? File.ReadAllBytes(data.DatabaseFile + "-wal") : []).ToArray();
        foreach (var value in before)
        {
            Assert.True(raw.AsSpan().IndexOf(value.Bytes) < 0, $"a page image of the old {value.Context} is still in the database or its WAL (kill after {killAfter})");
        }

        var after = SealedValues(directory.Path);
        Assert.Equal(before.Count, after.Count);
        foreach (var value in after)
        {
            Assert.DoesNotContain(oldKeys, k => value.OpensWith(k.Value));
        }

        using (var tokenKey = Pkcs11StorageKeyProvider.Open(new Pkcs11VaultOptions { Module = SoftHsm.Module, TokenLabel = token, KeyLabel = keyLabel, PinFile = SoftHsm.PinFile },
            tokenSealedItemsExist: true))
        using (var keys = new VaultDataKeys(new SecretVault(data.VaultDirectory, tokenKey)))
        {
            var vault = new SecretVault(data.VaultDirectory, tokenKey);
            Assert.Null(vault.DataKeysToRotate());
            Assert.DoesNotContain(vault.List(), n => n.StartsWith(VaultDataKeys.NextItemPrefix, StringComparison.Ordinal));
            Assert.All(after, v => Assert.True(keys.Find(v.KeyName)?.Open(v.Bytes, v.Context) is not null, $"{v.Context} does not open with its new key"));
            using var oldIndex = new FieldKey(oldKeys["accounts"]);
            using var connection = Open(directory.Path);
            foreach (var name in new[] { "admin", Visitor })
            {
                // The blind index is recomputed: the old index key confirms no name any more.
                Assert.Equal(1L, DbRows.Scalar(connection, "SELECT COUNT(*) FROM accounts WHERE username = $u;", ("$u", keys.Find("accounts")!.Index(name, AccountCipher.IndexContext))));
                Assert.Equal(0L, DbRows.Scalar(connection, "SELECT COUNT(*) FROM accounts WHERE username = $u;", ("$u", oldIndex.Index(name, AccountCipher.IndexContext))));
            }

            Assert.Equal(0L, DbRows.Scalar(connection, "SELECT COUNT(*) FROM known_sources;"));
        }

        if (killAfter is null)
        {
            // The camera starts on the moved directory and both users sign in with their passwords.
            await using var camera = await InProcessCamera.StartAsync(directory.Path, b => b.Configuration.AddInMemoryCollection(SoftHsm.VaultSettings(token)));
            using (await camera.SignInAsync("admin", InProcessCamera.OwnerPassword))
            using (await camera.SignInAsync(Visitor, VisitorPassword))
            {
            }
        }

        return reported;
    }

    /// <summary>Every field key in the template, opened with its file key: what a carver of the old medium holds.</summary>
    private static Dictionary<string, byte[]> OldKeys(string directory)
    {
        var data = DataDirectory.Open(directory);
        using var file = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, sealedItemsExist: true);
        var vault = new SecretVault(data.VaultDirectory, file);
        var keys = new Dictionary<string, byte[]>(StringComparer.Ordinal);
        foreach (var item in vault.List().Where(n => n.StartsWith(VaultDataKeys.ItemPrefix, StringComparison.Ordinal)))
        {
            using var read = vault.Unseal(item);
            keys[item[VaultDataKeys.ItemPrefix.Length..]] = read.Secret.ToArray();
        }

        return keys;
    }

    /// <summary>A sealed field as stored, with the key that should open it and its associated data.</summary>
    private sealed record SealedValue(string KeyName, string Context, byte[] Bytes)
    {
        public bool OpensWith(byte[] key)
        {
            using var field = new FieldKey(key);
            return field.Open(Bytes, Context) is not null;
        }
    }

    /// <summary>Every sealed personal value in the database, read by the test itself (not through the code under test).</summary>
    private static List<SealedValue> SealedValues(string directory)
    {
        using var connection = Open(directory);
        var values = new List<SealedValue>();
        foreach (var (keyId, sealedRow, id) in DbRows.Query(connection, "SELECT key_id, sealed, id FROM accounts;", r => (r.GetString(0), (byte[])r[1], r.GetInt64(2))))
        {
            values.Add(new SealedValue("account." + keyId, AccountCipher.SealContext(keyId), sealedRow));
            values.AddRange(DbRows.Query(connection, "SELECT source FROM sessions WHERE account_id = $id;", r => Text("account." + keyId, AccountCipher.SourceContext, r.GetString(0)), ("$id", id)));
        }

        foreach (var (column, context) in new[] { ("source", SecurityEventLog.SourceColumn), ("account", SecurityEventLog.AccountColumn), ("detail", SecurityEventLog.DetailColumn) })
        {
            values.AddRange(DbRows.Query(connection, $"SELECT {column}, at FROM security_events WHERE {column} IS NOT NULL;", r => Text(EventFields.KeyFor(r.GetString(1)), context, r.GetString(0))));
        }

        values.AddRange(DbRows.Query(connection, "SELECT salt, at FROM security_events WHERE salt IS NOT NULL;",
            r => new SealedValue(EventFields.KeyFor(r.GetString(1)), EventFields.SaltContext, (byte[])r[0])));
        values.AddRange(DbRows.Query(connection, "SELECT message, at FROM alerts WHERE message <> '';", r => Text(EventFields.KeyFor(r.GetString(1)), AlertCenter.MessageColumn, r.GetString(0))));
        values.AddRange(DbRows.Query(connection, "SELECT payload FROM telemetry_sent;", r => Text(TelemetrySentHistory.KeyName, TelemetrySentHistory.PayloadContext, r.GetString(0))));
        values.AddRange(DbRows.Query(connection, "SELECT account FROM telemetry_consent WHERE account <> $none;",
            r => Text(TelemetrySentHistory.KeyName, TelemetryConsentStore.AccountContext, r.GetString(0)), ("$none", TelemetryConsentStore.NoAccount)));
        return values;
    }

    private static SealedValue Text(string keyName, string context, string base64) => new(keyName, context, Convert.FromBase64String(base64));

    private static SqliteConnection Open(string directory)
    {
        var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "iris.db")};Mode=ReadOnly;Pooling=False");
        connection.Open();
        return connection;
    }

    private static void Copy(string from, string to)
    {
        foreach (var dir in Directory.EnumerateDirectories(from, "*", SearchOption.AllDirectories))
        {
            Directory.CreateDirectory(Path.Combine(to, Path.GetRelativePath(from, dir)));
        }

        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            File.Copy(file, Path.Combine(to, Path.GetRelativePath(from, file)));
        }
    }
}
