using System.Net;
using System.Net.Http.Json;
using System.Text;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Link;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Link;

/// <summary>
/// Alerts waiting for an unreachable platform named the account and its address in clear text in the database, and
/// a user's deletion left them (outside forensic review of issue 12): they are sealed under the outbox's own field
/// key, a deleted user's name and address leave the waiting alerts (which still go out), and deleting the outbox
/// destroys its key.
/// </summary>
public sealed class OutboxSealingTests
{
    private const string Name = "visitor-anna";
    private const string Address = "127.0.0.77";
    private static readonly string[] DatabaseFiles = ["iris.db", "iris.db-wal"];

    [Fact]
    public async Task AWaitingAlert_IsSealedOnDisk_LosesADeletedUsersNameAndAddress_AndItsKeyGoesWithTheOutbox()
    {
        using var dir = new TempDirectory();
        await File.WriteAllTextAsync(dir.Combine("ca.pem"), "");
        await using var camera = await InProcessCamera.StartAsync(configure: b => b.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // A broker nobody runs: the alert waits in the outbox, as it does while the owner's platform is down.
            ["Iris:Cloud:BrokerHost"] = "127.0.0.1",
            ["Iris:Cloud:BrokerPort"] = "9",
            ["Iris:Cloud:CaCertificateFile"] = dir.Combine("ca.pem"),
        }));
        using var owner = await camera.ClaimAsync();
        using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = Name, role = "viewer", password = "amber meadow river 2931" }))
        {
            Assert.Equal(HttpStatusCode.Created, create.StatusCode);
        }

        var services = camera.App.Services;
        var outbox = services.GetRequiredService<AlertOutbox>();
        services.GetRequiredService<AlertCenter>().Raise(AlertKinds.NewSource, Address, Name, $"Login to '{Name}' from {Address}, a source not seen before.");
        var waiting = Assert.Single(outbox.Pending(LinkChannel.Mqtt, 10), e => e.Kind == AlertKinds.NewSource);
        Assert.Equal(Address, waiting.Source);
        Assert.Contains(Name, waiting.Message, StringComparison.Ordinal);

        var onDisk = RawDatabase(camera.DataDirectory);
        Assert.DoesNotContain(Name, onDisk, StringComparison.Ordinal);
        Assert.DoesNotContain(Address, onDisk, StringComparison.Ordinal);

        Assert.Equal(AccountChange.Done, services.GetRequiredService<AccountStore>().Delete(Name));
        var redacted = Assert.Single(outbox.Pending(LinkChannel.Mqtt, 10), e => e.Kind == AlertKinds.NewSource);
        Assert.Equal(waiting.MessageId, redacted.MessageId);
        Assert.Null(redacted.Source);
        Assert.DoesNotContain(Name, redacted.Message, StringComparison.Ordinal);

        var keys = services.GetRequiredService<IDataKeys>();
        Assert.NotNull(keys.Find(LinkFields.OutboxKey));
        Assert.True(services.GetRequiredService<LinkData>().DeleteKind(LinkData.KindId, new ErasureRequest(0, "admin", null)) >= 1);
        Assert.Null(keys.Find(LinkFields.OutboxKey));
        Assert.Equal(0, outbox.CountAll());
    }

    /// <summary>The database and its WAL as a medium holds them, decoded loosely so any stored text is found.</summary>
    private static string RawDatabase(string dataDirectory)
    {
        var text = new StringBuilder();
        foreach (var file in DatabaseFiles.Select(f => Path.Combine(dataDirectory, f)).Where(File.Exists))
        {
            using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
            using var copy = new MemoryStream();
            stream.CopyTo(copy);
            text.Append(Encoding.Latin1.GetString(copy.ToArray()));
        }

        return text.ToString();
    }
}
