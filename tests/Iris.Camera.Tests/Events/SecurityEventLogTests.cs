using System.Net.Http.Json;
using Iris.Camera.Events;
using Iris.Camera.Identity;
using Iris.Camera.Tests.Support;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Events;

/// <summary>IoT-1005-1 5.8.1.1: security events name the serial, hold no secrets, and tampering is detectable.</summary>
public sealed class SecurityEventLogTests
{
    [Fact]
    public async Task LoginEvents_AreRecordedWithSerialAndSource_AndWithoutThePassword()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();
        await camera.TrySignInAsync("admin", "definitely-wrong-password-77");
        var serial = camera.App.Services.GetRequiredService<DeviceIdentity>().Serial;

        var events = await admin.Http.GetFromJsonAsync<List<SecurityEvent>>(new Uri("/api/security/events?limit=500", UriKind.Relative));

        Assert.Contains(events!, e => e.Kind == SecurityEventKinds.LoginSucceeded && e.Source == "127.0.0.1");
        Assert.Contains(events!, e => e.Kind == SecurityEventKinds.LoginFailed);
        Assert.Contains(events!, e => e.Kind == SecurityEventKinds.PasswordChanged);
        Assert.Contains(events!, e => e.Kind == SecurityEventKinds.DeviceClaimed);
        Assert.All(events!, e => Assert.Equal(serial, e.Serial));
        var raw = File.ReadAllBytes(Path.Combine(camera.DataDirectory, "iris.db")).Concat(File.ReadAllBytes(Path.Combine(camera.DataDirectory, "iris.db-wal"))).ToArray();
        Assert.True(raw.AsSpan().IndexOf("definitely-wrong-password-77"u8) < 0, "a typed password reached the database");
        Assert.True(raw.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(InProcessCamera.OwnerPassword)) < 0, "the owner's password reached the database");
    }

    [Fact]
    public async Task EditingARecord_BreaksTheChainAtThatRecord()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        Assert.Null(log.FindFirstBrokenRecord());
        var target = log.Read(0, 500)[1];

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(camera.DataDirectory, "iris.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "UPDATE security_events SET source = '10.9.9.9' WHERE id = $id;";
            command.Parameters.AddWithValue("$id", target.Id);
            command.ExecuteNonQuery();
        }

        var status = await admin.Http.GetFromJsonAsync<ChainStatus>(new Uri("/api/security/events/verify", UriKind.Relative));
        Assert.False(status!.Intact);
        Assert.Equal(target.Id, status.FirstBrokenRecord);
    }

    [Fact]
    public async Task DeletingARecord_BreaksTheChain()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        var middle = log.Read(0, 500)[1];

        using (var connection = new SqliteConnection($"Data Source={Path.Combine(camera.DataDirectory, "iris.db")};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "DELETE FROM security_events WHERE id = $id;";
            command.Parameters.AddWithValue("$id", middle.Id);
            command.ExecuteNonQuery();
        }

        Assert.NotNull(log.FindFirstBrokenRecord());
    }

    [Fact]
    public async Task CuttingRecordsOffTheEnd_IsDetectedByTheSignedHead()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        var last = log.Read(0, 500)[^1];
        Assert.True(log.Verify().Intact);

        Execute(camera, "DELETE FROM security_events WHERE id = $id;", last.Id);

        var status = log.Verify();
        Assert.False(status.Intact);
        Assert.Contains("signed head", status.Problem, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AChainRebuiltWithoutTheDeviceKey_IsDetected()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        var target = log.Read(0, 500)[0];

        // An attacker with the database file changes a record and recomputes every hash after it, consistently.
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(camera.DataDirectory, "iris.db")};Pooling=False"))
        {
            connection.Open();
            var rows = new List<(long Id, string At, string Kind, string Serial, byte[] Commitments)>();
            using (var read = connection.CreateCommand())
            {
                read.CommandText = "SELECT id, at, kind, serial, commitments FROM security_events ORDER BY id;";
                using var reader = read.ExecuteReader();
                while (reader.Read())
                {
                    rows.Add((reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetString(3), (byte[])reader[4]));
                }
            }

            var previous = new byte[32];
            foreach (var row in rows)
            {
                var kind = row.Id == target.Id ? "tampered" : row.Kind;
                var hash = SecurityLogChain.Hash(previous, row.At, kind, row.Serial, row.Commitments);
                using var update = connection.CreateCommand();
                update.CommandText = "UPDATE security_events SET kind = $kind, previous_hash = $previous, hash = $hash WHERE id = $id;";
                update.Parameters.AddWithValue("$kind", kind);
                update.Parameters.AddWithValue("$previous", previous);
                update.Parameters.AddWithValue("$hash", hash);
                update.Parameters.AddWithValue("$id", row.Id);
                update.ExecuteNonQuery();
                previous = hash;
            }
        }

        var status = await admin.Http.GetFromJsonAsync<ChainStatus>(new Uri("/api/security/events/verify", UriKind.Relative));
        Assert.False(status!.Intact);
        Assert.Null(status.FirstBrokenRecord);

        // A later legitimate event does not sign over the rebuilt chain.
        log.Append(SecurityEventKinds.SettingsChanged, "127.0.0.1", "admin", "after the tampering");
        Assert.False(log.Verify().Intact);
    }

    [Fact]
    public async Task Redaction_RemovesPersonalFields_AndTheChainStillVerifies()
    {
        await using var camera = await InProcessCamera.StartAsync();
        using var admin = await camera.ClaimAsync();
        await camera.TrySignInAsync("someone-else", "wrong password here 1");
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        var before = log.Read(0, 500);
        Assert.Contains(before, e => e.Source == "127.0.0.1");

        Assert.True(log.RedactPersonalFields() >= before.Count);

        var after = log.Read(0, 500);
        Assert.Equal(before.Select(e => (e.Id, e.Kind, e.Hash)), after.Select(e => (e.Id, e.Kind, e.Hash)));
        Assert.All(after, e => Assert.True(e.Source is null && e.Account is null && e.Detail is null));
        Assert.True(log.Verify().Intact, log.Verify().Problem);

        // Writing a value back into a redacted record is a change like any other.
        Execute(camera, "UPDATE security_events SET account = 'admin' WHERE id = $id;", after[0].Id);
        Assert.Equal(after[0].Id, log.Verify().FirstBrokenRecord);
    }

    private static void Execute(InProcessCamera camera, string sql, long id)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(camera.DataDirectory, "iris.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Parameters.AddWithValue("$id", id);
        command.ExecuteNonQuery();
    }
}
