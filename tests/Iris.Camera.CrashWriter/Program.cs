// Writes continuously through the camera's real vault and database until it is killed, reporting each
// completed (durable) write on stdout. Crash tests SIGKILL it at a random moment and then check that the
// daemon starts on the same data directory and that every write reported before the kill is intact.
using System.Globalization;
using System.Text;
using Iris.Camera.Storage;
using Iris.Camera.Vault;

if (args.Length != 1)
{
    await Console.Error.WriteLineAsync("usage: Iris.Camera.CrashWriter DATA_DIR");
    return 64;
}

var data = DataDirectory.Open(args[0]);
using var provider = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, SecretVault.HasSealedItems(data.VaultDirectory));
var vault = new SecretVault(data.VaultDirectory, provider);
var database = CameraDatabase.Open(data.DatabaseFile);

for (var n = 1; ; n++)
{
    // Large enough that a kill often lands inside a write rather than between writes.
    var secret = Encoding.UTF8.GetBytes($"crash-writer-secret-{n}-" + new string('x', 64 * 1024));
    vault.Seal($"crash-item-{n % 8}", secret);
    database.RecordBoot(DateTimeOffset.UnixEpoch.AddSeconds(n), n.ToString(CultureInfo.InvariantCulture), "crash-writer");
    Console.WriteLine(n.ToString(CultureInfo.InvariantCulture));
    Console.Out.Flush();
}
