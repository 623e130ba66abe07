// Writes continuously through the camera's real vault and database until it is killed, reporting each
// completed (durable) write on stdout. Crash tests SIGKILL it at a random moment and then check that the
// daemon starts on the same data directory and that every write reported before the kill is intact.
// With "install", it installs an update bundle into the inactive slot instead, reporting progress, so the
// power-loss suite can SIGKILL it part-way through.
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Iris.Camera.Storage;
using Iris.Camera.Vault;
using Iris.Firmware.Agent;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Slots;

if (args is ["install", var bootDirectory, var bundle, var targetJson, var keyPem])
{
    var target = JsonSerializer.Deserialize<TargetEntry>(File.ReadAllBytes(targetJson), MetadataJson.Options)!;
    using var key = ECDiffieHellman.Create();
    key.ImportFromPem(File.ReadAllText(keyPem));
    var engine = new UpdateEngine(new SlotRecordStore(DiskFileSystem.Instance, bootDirectory), TimeProvider.System);
    // After each chunk reaches the slot, report it and wait for a line on stdin, so the test decides exactly
    // where the kill lands.
    var progress = new SynchronousProgress(done =>
    {
        Console.Out.WriteLine($"wrote {done.ToString(CultureInfo.InvariantCulture)}");
        Console.Out.Flush();
        _ = Console.In.ReadLine();
    });
    var outcome = await engine.InstallAsync(target, bundle, key, new DirectorySlotInstaller(DiskFileSystem.Instance, bootDirectory), "a", 3, progress, CancellationToken.None);
    Console.WriteLine($"done {outcome.Code}");
    return outcome.Succeeded ? 0 : 1;
}

// Moves a data directory's vault from the file key to a token, as the daemon's start does (StorageKeys.Open, then
// the field-key rotation with every module's rows re-sealed, then the recordings-key rotation), printing each step as it completes and waiting for a line on stdin, so a test can
// SIGKILL it after exactly that step.
if (args is ["migrate", var migrateDirectory, var module, var token, var keyLabel, var pinFile])
{
    static void Reached(string step)
    {
        Console.Out.WriteLine("step " + step);
        Console.Out.Flush();
        _ = Console.In.ReadLine();
    }

    var directory = DataDirectory.Open(migrateDirectory);
    var options = new VaultOptions { Provider = "pkcs11", Pkcs11 = new Pkcs11VaultOptions { Module = module, TokenLabel = token, KeyLabel = keyLabel, PinFile = pinFile } };
    using var opened = StorageKeys.Open(options, directory, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, Reached);
    var migrateDatabase = CameraDatabase.Open(directory.DatabaseFile, Iris.Camera.CameraApp.Schema());
    using (var keys = new VaultDataKeys(opened.Vault))
    {
        IFieldKeyHolder[] holders = [new Iris.Camera.Accounts.AccountKeyHolder(migrateDatabase, keys), new Iris.Camera.Events.EventKeyHolder(migrateDatabase),
            new Iris.Camera.Telemetry.TelemetryKeyHolder(migrateDatabase)];
        new DataKeyRotation(opened.Vault, keys, migrateDatabase, holders, Microsoft.Extensions.Logging.Abstractions.NullLogger<DataKeyRotation>.Instance).Run(Reached);
    }

    if (opened.Vault.RotationRequested)
    {
        using var recordings = new Iris.Camera.Media.RecordingsKey(opened.Vault, new Iris.Camera.Media.SegmentFiles(directory));
        recordings.Rotate(Reached);
        opened.Vault.RotationDone();
    }

    Console.WriteLine("done");
    return 0;
}

if (args.Length != 1)
{
    await Console.Error.WriteLineAsync("usage: Iris.Camera.CrashWriter DATA_DIR | install BOOT_DIR BUNDLE TARGET_JSON KEY_PEM");
    return 64;
}

var data = DataDirectory.Open(args[0]);
using var provider = FileStorageKeyProvider.OpenOrCreate(data.StorageKeyFile, SecretVault.HasSealedItems(data.VaultDirectory));
var vault = new SecretVault(data.VaultDirectory, provider);
var database = CameraDatabase.Open(data.DatabaseFile, Iris.Camera.CameraApp.Schema());

for (var n = 1; ; n++)
{
    // Large enough that a kill often lands inside a write rather than between writes.
    var secret = Encoding.UTF8.GetBytes($"crash-writer-secret-{n}-" + new string('x', 64 * 1024));
    vault.Seal($"crash-item-{n % 8}", secret);
    database.RecordBoot(DateTimeOffset.UnixEpoch.AddSeconds(n), n.ToString(CultureInfo.InvariantCulture), "crash-writer");
    Console.WriteLine(n.ToString(CultureInfo.InvariantCulture));
    Console.Out.Flush();
}

/// <summary>Reports on the writing thread, so each line is printed before the next chunk is written.</summary>
internal sealed class SynchronousProgress(Action<long> report) : IProgress<long>
{
    public void Report(long value)
    {
        report(value);
        Console.Out.Flush();
    }
}
