using System.CommandLine;

namespace Iris.Factory.Cve;

/// <summary><c>iris-factory cve</c>: the CVE gate on its own; <c>release</c> runs the same check with the same options.</summary>
internal static class CveCommand
{
    public static Option<string?> Nvd() => new("--nvd") { Description = "Directory of NVD CVE API 2.0 JSON files (the vendor's mirror; nothing is fetched)." };

    public static Option<string[]> Vex() => new("--vex") { Description = "CycloneDX VEX or OpenVEX file (repeat).", AllowMultipleArgumentsPerToken = false };

    public static Option<string> Aliases() => new("--aliases")
    {
        DefaultValueFactory = _ => Path.Combine(AppContext.BaseDirectory, "cve-aliases.txt"),
        Description = "Package name to CPE vendor:product aliases (one per line).",
    };

    public static Option<string?> Report() => new("--cve-report") { Description = "Path prefix for the reports: PREFIX.md, PREFIX.json, PREFIX.sarif." };

    public static Command Create(TextWriter output)
    {
        var sbom = FactoryCli.Required("--sbom", "The release's CycloneDX SBOM (from 'iris-factory sbom').");
        var nvd = Nvd();
        nvd.Required = true;
        var vex = Vex();
        var aliases = Aliases();
        var report = Report();
        var command = new Command("cve", "Check every component of an SBOM against the NVD mirror (IoT-1005-1 5.2.1.1): High or Critical fails.") { sbom, nvd, vex, aliases, report };
        command.SetAction(async result =>
        {
            var outcome = await RunAsync(result.GetValue(sbom)!, result.GetValue(nvd)!, result.GetValue(vex) ?? [], result.GetValue(aliases), result.GetValue(report), output);
            return outcome.Failed ? FactoryCli.Failed : 0;
        });
        return command;
    }

    /// <summary>Runs the gate, writes the reports when asked, prints the Markdown report, and returns the result.</summary>
    public static async Task<CveReport> RunAsync(string sbom, string nvd, string[] vex, string? aliases, string? reportPrefix, TextWriter output)
    {
        var aliasFile = aliases is not null && File.Exists(aliases) ? aliases : null;
        CveReport report;
        try
        {
            var inventory = Inventory.FromSbom(sbom, Inventory.LoadAliases(aliasFile));
            report = CveGate.Run(inventory, NvdMirror.Read(nvd), VexStatements.Read(vex), DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime));
        }
        catch (KeyNotFoundException e)
        {
            // A file that is JSON but not the format it should be: a message, not a stack trace.
            throw new InvalidDataException($"An SBOM, NVD or VEX file lacks a required field: {e.Message}", e);
        }

        if (reportPrefix is not null)
        {
            CveReportWriter.WriteAll(report, reportPrefix);
        }

        await output.WriteAsync(CveReportWriter.Markdown(report));
        return report;
    }
}
