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
}
