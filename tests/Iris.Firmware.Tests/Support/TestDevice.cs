using Iris.Firmware.Agent;
using Iris.Firmware.Durable;
using Iris.Firmware.Metadata;
using Iris.Firmware.Slots;

namespace Iris.Firmware.Tests.Support;

/// <summary>A provisioned device: slot a holds factory version 1.0.0 and is good; slot b is empty.</summary>
public sealed class TestDevice
{
    public const string FactoryVersion = "1.0.0";

    public TestDevice(TestRepository repo, IDurableFileSystem? fs = null, string? bootDirectory = null)
    {
        Repo = repo;
        BootDirectory = bootDirectory ?? repo.Scratch($"boot-{Guid.NewGuid():N}");
        WriteSlotFiles(Path.Combine(BootDirectory, "slots", "a"), FactoryVersion);
        new SlotRecordStore(DiskFileSystem.Instance, BootDirectory).Save(
            BootDecisions.Initial(new SlotState(FactoryVersion, 1, new DateOnly(2030, 6, 30), "start.sh", 0, 0, true)));
        UseFileSystem(fs ?? DiskFileSystem.Instance);
    }

    public TestRepository Repo { get; }

    public string BootDirectory { get; }

    public IDurableFileSystem FileSystem { get; private set; } = DiskFileSystem.Instance;

    public SlotRecordStore Slots { get; private set; } = null!;

    public DirectorySlotInstaller Installer { get; private set; } = null!;

    public UpdateEngine Engine { get; private set; } = null!;

    public void UseFileSystem(IDurableFileSystem fs)
    {
        FileSystem = fs;
        Slots = new SlotRecordStore(fs, BootDirectory);
        Installer = new DirectorySlotInstaller(fs, BootDirectory);
        Engine = new UpdateEngine(Slots, Repo.Time);
    }

    public string SlotDirectory(string slot) => Path.Combine(BootDirectory, "slots", slot);

    public static void WriteSlotFiles(string directory, string version)
    {
        foreach (var (name, content) in TestRepository.DefaultFiles(version))
        {
            var path = Path.Combine(directory, name);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, content);
        }
    }

    /// <summary>True when the directory holds exactly the files of <paramref name="version"/>.</summary>
    public static bool SlotHolds(string directory, string version) =>
        Directory.Exists(directory)
        && Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Count() == TestRepository.DefaultFiles(version).Count
        && TestRepository.DefaultFiles(version).All(f => File.Exists(Path.Combine(directory, f.Key)) && File.ReadAllText(Path.Combine(directory, f.Key)) == f.Value);

    /// <summary>Downloads a target into the device's download folder.</summary>
    public async Task<(string File, UpdateOutcome Outcome)> DownloadAsync(TargetEntry target)
    {
        var file = Path.Combine(Repo.Scratch("downloads"), $"{Guid.NewGuid():N}.irfw");
        return (file, await UpdateEngine.DownloadAsync(Repo.Transport, target, file, null, CancellationToken.None));
    }

    public Task<UpdateOutcome> InstallAsync(TargetEntry target, string file) =>
        Engine.InstallAsync(target, file, Repo.DeviceKey, Installer, "a", UpdateEngine.DefaultBootTries, null, CancellationToken.None);
}
