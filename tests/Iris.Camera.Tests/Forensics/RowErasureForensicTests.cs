using System.Net.Http.Json;
using System.Text;
using Iris.Camera.Accounts;
using Iris.Camera.Storage;
using Iris.Camera.Tests.Support;
using Iris.Camera.Vault;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Iris.Camera.Tests.Forensics;

/// <summary>
/// Row erasure that does not rest on overwriting rows in place (issue 12, Deliver 1): the carver gets the raw
/// ext4 image and, besides, a copy of the database and its WAL taken just before the user was deleted, which is
/// what a medium that never overwrites in place (flash behind an FTL, a copy-on-write file system) could keep of
/// every page. The deleted user's row is in that copy, sealed; with every key on the image it does not open,
/// because its account key was shredded. The only in-place overwrite left is of that one small key item.
/// </summary>
[Collection(ForensicImages.Name)]
public sealed class RowErasureForensicTests
{
    private const string Visitor = "visitor-dora";
    private const string VisitorPassword = "linen orchard comet 6620";

    [Fact]
    public async Task ADeletedUsersRow_KeptByAMediumThatOverwritesNothing_OpensWithNoKeyLeftOnTheImage()
    {
        using var image = Ext4Image.Create();
        using var scratch = new TempDirectory();
        var copy = scratch.Combine("copy");
        Directory.CreateDirectory(copy);
        string visitorKeyId, ownerKeyId;
        byte[] visitorKey;
        PasswordHash password;
        await using (var camera = await InProcessCamera.StartAsync(image.DataDirectory))
        {
            using var owner = await camera.ClaimAsync();
            using (var create = await owner.Http.PostAsJsonAsync(new Uri("/api/users", UriKind.Relative), new { username = Visitor, role = "viewer", password = VisitorPassword }))
            {
                create.EnsureSuccessStatusCode();
            }

            using (await camera.SignInAsync(Visitor, VisitorPassword))
            {
            }

            password = camera.App.Services.GetRequiredService<AccountStore>().Find(Visitor)!.Password;
            visitorKeyId = KeyIdOf(camera, Visitor);
            ownerKeyId = KeyIdOf(camera, "admin");
            using (var read = camera.App.Services.GetRequiredService<SecretVault>().Unseal(KeyItem(visitorKeyId)))
            {
                visitorKey = read.Secret.ToArray();
            }

            foreach (var file in DatabaseFiles)
            {
                File.Copy(Path.Combine(image.DataDirectory, file), Path.Combine(copy, file));
            }

            using var delete = await owner.Http.DeleteAsync(new Uri($"/api/users/{Visitor}", UriKind.Relative));
            delete.EnsureSuccessStatusCode();
        }

        image.Unmount();
        var kept = DatabaseFiles.SelectMany(f => File.ReadAllBytes(Path.Combine(copy, f)));
        var carver = new Carver([.. image.ReadRaw(), .. kept]);

        // The copy holds the deleted user's row, and the key captured before the delete opens it: the row is there.
        var sealedRow = SealedRowIn(copy, visitorKeyId);
        using (var captured = new FieldKey(visitorKey))
        {
            Assert.NotNull(captured.Open(sealedRow, AccountCipher.SealContext(visitorKeyId)));
        }

        // The live file key is on the image and opens the live owner's account key: the carver works.
        var fileKeys = carver.FileKeysOnImage(scratch);
        Assert.NotEmpty(fileKeys);
        string[] names = [KeyItem(ownerKeyId), KeyItem(visitorKeyId), VaultDataKeys.ItemPrefix + "accounts", VaultDataKeys.ItemPrefix + "security-log"];
        var opened = carver.OpenSealedItems(fileKeys, names);
        Assert.Contains(opened, o => o.Name == KeyItem(ownerKeyId));
        Assert.DoesNotContain(opened, o => o.Name == KeyItem(visitorKeyId));
        Assert.False(carver.Contains(visitorKey), "the deleted user's account key is on the image");

        foreach (var (_, secret) in opened.Where(o => o.Secret.Length == 32))
        {
            using var key = new FieldKey(secret);
            Assert.Null(key.Open(sealedRow, AccountCipher.SealContext(visitorKeyId)));
        }

        Assert.False(carver.Contains(password.Hash), "the deleted user's PBKDF2 hash is on the image or in the copy");
        Assert.False(carver.Contains(password.Salt), "the deleted user's salt is on the image or in the copy");
        Assert.False(carver.Contains(Encoding.UTF8.GetBytes(Visitor)), "the deleted user's name is on the image or in the copy");
    }

    private static readonly string[] DatabaseFiles = ["iris.db", "iris.db-wal"];

    private static string KeyItem(string keyId) => VaultDataKeys.ItemPrefix + "account." + keyId;

    private static string KeyIdOf(InProcessCamera camera, string username)
    {
        var index = camera.App.Services.GetRequiredService<AccountCipher>().UsernameIndex(username);
        using var connection = camera.App.Services.GetRequiredService<CameraDatabase>().OpenConnection();
        return (string)DbRows.Scalar(connection, "SELECT key_id FROM accounts WHERE username = $u;", ("$u", index))!;
    }

    private static byte[] SealedRowIn(string copy, string keyId)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(copy, "iris.db")};Pooling=False");
        connection.Open();
        return (byte[])DbRows.Scalar(connection, "SELECT sealed FROM accounts WHERE key_id = $k;", ("$k", keyId))!;
    }
}
