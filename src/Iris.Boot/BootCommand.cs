using Iris.Firmware.Durable;
using Iris.Firmware.Slots;

namespace Iris.Boot;

/// <summary>
/// Iris.Boot, the slot launcher. It is the process systemd runs; it reads the slot record, runs the chosen
/// slot's daemon, and falls back to the other slot when a new one crashes or does not report healthy in time.
/// <code>
/// Iris.Boot run       --boot-dir DIR [--health-timeout SECONDS] [-- DAEMON ARGS…]
/// Iris.Boot init      --boot-dir DIR --from DIR --entry PATH --version V [--security-version N] [--support-end YYYY-MM-DD]
/// Iris.Boot mark-good --boot-dir DIR --slot a|b
/// Iris.Boot status    --boot-dir DIR
/// </code>
/// </summary>
public static class BootCommand
{
    public const int ExitUsage = 64;
    public const int ExitNoBootableSlot = 70;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var (options, passthrough) = Parse(args);
        if (options is null || options.Verb is null || !options.Values.TryGetValue("boot-dir", out var bootDir))
        {
            await error.WriteLineAsync("usage: Iris.Boot run|init|mark-good|status --boot-dir DIR [options] [-- daemon args]");
            return ExitUsage;
        }

        var store = new SlotRecordStore(DiskFileSystem.Instance, Path.GetFullPath(bootDir));
        try
        {
            switch (options.Verb)
            {
                case "run":
                    var timeout = options.Values.TryGetValue("health-timeout", out var t) && int.TryParse(t, out var seconds) && seconds > 0 ? seconds : 120;
                    using (var launcher = new SlotLauncher(store, TimeSpan.FromSeconds(timeout), TimeProvider.System, output, error))
                    {
                        return await launcher.RunAsync(passthrough);
                    }

                case "init":
                    return Init(store, options.Values, output, error);
                case "mark-good":
                    if (!options.Values.TryGetValue("slot", out var slot) || !SlotRecord.SlotNames.Contains(slot) || store.Load() is not { } record)
                    {
                        await error.WriteLineAsync("mark-good needs --slot a|b and a valid slot record");
                        return ExitUsage;
                    }

                    store.Save(BootDecisions.MarkGood(record, slot, DateTimeOffset.UtcNow));
                    return 0;
                case "status":
                    await output.WriteLineAsync(store.Load() is { } current ? System.Text.Json.JsonSerializer.Serialize(current, Iris.Firmware.Metadata.FirmwareJson.Default.SlotRecord) : "no valid slot record");
                    return 0;
                default:
                    await error.WriteLineAsync($"unknown command '{options.Verb}'");
                    return ExitUsage;
            }
        }
        catch (IOException e)
        {
            await error.WriteLineAsync($"Iris.Boot: {e.Message}");
            return 74;
        }
    }

    /// <summary>Provisions slot a from a directory (the factory image) and writes the first slot record.</summary>
    private static int Init(SlotRecordStore store, Dictionary<string, string> values, TextWriter output, TextWriter error)
    {
        if (!values.TryGetValue("from", out var from) || !values.TryGetValue("entry", out var entry) || !values.TryGetValue("version", out var version)
            || !Version.TryParse(version, out _) || !Directory.Exists(from))
        {
            error.WriteLine("init needs --from DIR (existing), --entry PATH and --version MAJOR.MINOR.PATCH");
            return ExitUsage;
        }

        if (store.Load() is not null)
        {
            error.WriteLine($"'{store.BootDirectory}' already holds a slot record; refusing to overwrite it");
            return ExitUsage;
        }

        var security = values.TryGetValue("security-version", out var s) && long.TryParse(s, out var sv) ? sv : 1;
        DateOnly? supportEnd = values.TryGetValue("support-end", out var e) && DateOnly.TryParse(e, System.Globalization.CultureInfo.InvariantCulture, out var end) ? end : null;
        var slotDir = Path.Combine(store.BootDirectory, "slots", SlotRecord.SlotA);
        CopyTree(Path.GetFullPath(from), slotDir);
        if (!File.Exists(Path.Combine(slotDir, entry)))
        {
            error.WriteLine($"the entry point '{entry}' is not in '{from}'");
            return ExitUsage;
        }

        store.Save(BootDecisions.Initial(new SlotState(version, security, supportEnd, entry, 0, 0, true)));
        output.WriteLine($"slot a holds version {version}; record written to {store.BootDirectory}");
        return 0;
    }

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var target = Path.Combine(to, Path.GetRelativePath(from, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target, overwrite: true);
            using var stream = new FileStream(target, FileMode.Open, FileAccess.ReadWrite);
            stream.Flush(flushToDisk: true);
        }

        DiskFileSystem.Instance.FlushDirectory(to);
    }

    private sealed record Options(string? Verb, Dictionary<string, string> Values);

    private static (Options? Options, string[] Passthrough) Parse(string[] args)
    {
        var split = Array.IndexOf(args, "--");
        var own = split < 0 ? args : args[..split];
        var passthrough = split < 0 ? [] : args[(split + 1)..];
        if (own.Length == 0 || own[0].StartsWith('-'))
        {
            return (null, passthrough);
        }

        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 1; i < own.Length; i++)
        {
            if (!own[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= own.Length)
            {
                return (null, passthrough);
            }

            values[own[i][2..]] = own[++i];
        }

        return (new Options(own[0], values), passthrough);
    }
}
