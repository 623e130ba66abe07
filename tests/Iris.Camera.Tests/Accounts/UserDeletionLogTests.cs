using System.Net;
using System.Net.Http.Json;
using Iris.Camera.Events;
using Iris.Camera.Tests.Forensics;
using Iris.Camera.Tests.Privacy;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Accounts;

/// <summary>
/// Outside review of issue 12 (F4): deleting a user takes its name and the addresses it signed in from out of the
/// security log and the alert inbox too, not only out of its own tables; the records stay (the chain verifies) and
/// the deletion's own record does not name it. Carved with every field key the disk holds, nothing names it.
/// </summary>
public sealed class UserDeletionLogTests
{
    private const string Visitor = "visitor-tove";
    private const string Password = "harbour quince lantern 5150";

    [Fact]
    public async Task DeletingAUser_RemovesItsNameAndAddressesFromTheLogAndAlerts_AndTheChainStillVerifies()
    {
        using var dir = new TempDirectory();
        await using var camera = await InProcessCamera.StartAsync(dir.Path);
        using var owner = await camera.ClaimAsync();
        using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = Visitor, role = "viewer", password = Password }))
        {
            create.EnsureSuccessStatusCode();
        }

        Assert.Equal(HttpStatusCode.OK, await PersonalDataTests.SignInFromAsync(camera, IPAddress.Parse("127.0.0.41"), Visitor, Password));
        Assert.Equal(HttpStatusCode.Unauthorized, await PersonalDataTests.SignInFromAsync(camera, IPAddress.Parse("127.0.0.42"), Visitor, "not the password at all 9"));
        var log = camera.App.Services.GetRequiredService<SecurityEventLog>();
        var alerts = camera.App.Services.GetRequiredService<AlertCenter>();
        // The control: before the deletion the log and the disk name the user and its addresses.
        Assert.Contains(log.Read(0, 500), e => e.Account == Visitor && e.Source == "127.0.0.41");
        Assert.Contains(log.Read(0, 500), e => e.Detail?.Contains(Visitor, StringComparison.Ordinal) == true);
        Assert.True(new Carver(RawDatabase(dir.Path)).SealedFieldReveals(Carver.FieldKeysIn(dir.Path), Visitor));

        using (var delete = await owner.Http.DeleteAsync(new Uri($"/api/users/{Visitor}", UriKind.Relative)))
        {
            delete.EnsureSuccessStatusCode();
        }

        var records = log.Read(0, 500);
        Assert.DoesNotContain(records, e => e.Account == Visitor || e.Detail?.Contains(Visitor, StringComparison.Ordinal) == true || e.Source is "127.0.0.41" or "127.0.0.42");
        Assert.Contains(records, e => e.Kind == SecurityEventKinds.LoginSucceeded && e.Account is null);
        Assert.Contains(records, e => e.Kind == SecurityEventKinds.UserDeleted && e.Account == "admin" && e.Detail is null);
        Assert.DoesNotContain(alerts.Inbox(includeAcknowledged: true, limit: 500), a => a.Account == Visitor || a.Message.Contains(Visitor, StringComparison.Ordinal));
        Assert.Null(log.FindFirstBrokenRecord());

        var carver = new Carver(RawDatabase(dir.Path));
        var keys = Carver.FieldKeysIn(dir.Path);
        foreach (var needle in Needles)
        {
            Assert.False(carver.SealedFieldReveals(keys, needle), $"'{needle}' opens from the database after the user was deleted");
        }
    }

    private static readonly string[] Needles = [Visitor, "127.0.0.41", "127.0.0.42"];

    private static byte[] RawDatabase(string directory) =>
        [.. File.ReadAllBytes(Path.Combine(directory, "iris.db")), .. File.Exists(Path.Combine(directory, "iris.db-wal")) ? File.ReadAllBytes(Path.Combine(directory, "iris.db-wal")) : []];
}
