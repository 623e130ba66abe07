using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Iris.Lab.Audit;
using Iris.Lab.Ixit;
using Iris.Lab.Reports;

namespace Iris.Lab;

/// <summary>
/// <c>iris-lab audit --target HOST[:PORT] --out DIR</c>: audits a camera from the network against IoT-1005-1 and
/// writes report.json, report.html, junit.xml and findings.sarif (<c>iris-lab tls</c>: the TLS part on one port). Exit 0: no item failed; 1: an item failed;
/// 2: the audit could not run (bad arguments, unreadable IXIT).
/// </summary>
internal static class LabCli
{
    public const int NoItemFailed = 0;
    public const int ItemFailed = 1;
    public const int Unusable = 2;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error) =>
        await RunAsync(args, output, error, Probes.Default);

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error, Func<IReadOnlyList<IProbe>> probes)
    {
        ArgumentNullException.ThrowIfNull(probes);
        var root = new RootCommand("Iris lab: audit any IP camera against IoT-1005-1 from the outside.");
        root.Subcommands.Add(AuditCommand(output, error, probes));
        root.Subcommands.Add(TlsCommand(output, error));
        var parsed = root.Parse(args);
        try
        {
            var code = await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
            return parsed.Errors.Count > 0 ? Unusable : code;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or JsonException or UnauthorizedAccessException or ArgumentException)
        {
            await error.WriteLineAsync($"iris-lab: {e.Message}");
            return Unusable;
        }
    }

    private static Command AuditCommand(TextWriter output, TextWriter error, Func<IReadOnlyList<IProbe>> probes)
    {
        var target = new Option<string>("--target") { Description = "HOST[:PORT] of the camera ([v6]:PORT for IPv6).", Required = true };
        var outDir = new Option<string>("--out") { Description = "Directory for report.json, report.html, junit.xml, findings.sarif.", Required = true };
        var ixit = new Option<string?>("--ixit") { Description = "The vendor's IXIT declarations (JSON, see ixit.schema.json)." };
        var firmware = new Option<string?>("--firmware") { Description = "A firmware image to unpack and examine." };
        var nvd = new Option<string?>("--nvd") { Description = "NVD mirror directory for the CVE match of the firmware's SBOM." };
        var account = new Option<string?>("--account") { Description = "File with one line USER:PASSWORD: an account the vendor gave the lab (sign-in replay test)." };
        var alertCert = new Option<string?>("--alert-cert") { Description = "PEM certificate and key the lab presents to the IXIT's alert broker." };
        var alertCa = new Option<string?>("--alert-ca") { Description = "PEM of the CA trusted for the alert broker (default: the system's)." };
        var alertWait = new Option<int>("--alert-wait-s") { Description = "Seconds to wait for a login alert after the failed logins.", DefaultValueFactory = _ => 20 };
        var ports = new Option<string>("--ports") { Description = "TCP ports to scan, e.g. 1-1024,8443 (default: all).", DefaultValueFactory = _ => "1-65535" };
        var timeout = new Option<int>("--timeout-ms") { Description = "Connect and read timeout per probe.", DefaultValueFactory = _ => 1000 };
        var fuzzCases = new Option<int>("--fuzz-cases") { Description = "At most this many malformed requests per declared endpoint.", DefaultValueFactory = _ => 6 };
        var fuzzSeed = new Option<int?>("--fuzz-seed") { Description = "Seed of the endpoint fuzz (default: random; the report names it)." };
        var connections = ConnectionsOption();
        var command = new Command("audit", "Audit one camera and write the reports.") { target, outDir, ixit, firmware, nvd, account, alertCert, alertCa, alertWait, ports, timeout, fuzzCases, fuzzSeed, connections };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!AuditTarget.TryParse(result.GetValue(target)!, out var parsedTarget, out var problem))
            {
                await error.WriteLineAsync($"iris-lab: {problem}");
                return Unusable;
            }

            if (!PortList.TryParse(result.GetValue(ports)!, out var portList, out problem))
            {
                await error.WriteLineAsync($"iris-lab: {problem}");
                return Unusable;
            }

            if (result.GetValue(firmware) is { } image && !File.Exists(image))
            {
                await error.WriteLineAsync($"iris-lab: firmware image '{image}' does not exist.");
                return Unusable;
            }

            var ixitPath = result.GetValue(ixit);
            var context = new AuditContext(parsedTarget, ixitPath is null ? null : IxitDeclaration.Load(ixitPath), TimeProvider.System)
            {
                PortsToScan = parsedTarget.Port is { } p && !portList.Contains(p) ? [.. portList, p] : portList,
                ConnectTimeout = TimeSpan.FromMilliseconds(Math.Clamp(result.GetValue(timeout), 50, 60_000)),
                FirmwarePath = result.GetValue(firmware),
                NvdDirectory = result.GetValue(nvd),
                OutDirectory = result.GetValue(outDir),
                AlertClientCertificate = result.GetValue(alertCert),
                AlertCa = result.GetValue(alertCa),
                AlertWait = TimeSpan.FromSeconds(Math.Clamp(result.GetValue(alertWait), 1, 600)),
                FuzzCasesPerEndpoint = Math.Clamp(result.GetValue(fuzzCases), 1, 100),
                FuzzSeed = result.GetValue(fuzzSeed) ?? Random.Shared.Next(),
                Account = result.GetValue(account) is { } accountPath ? Auth.LabAccount.Load(accountPath) : null,
                ConnectionsAtOnce = Math.Clamp(result.GetValue(connections), 1, 64),
            };
            return await AuditAsync(context, probes(), result.GetValue(outDir)!, output, cancellationToken);
        });
        return command;
    }

    /// <summary>
    /// <c>iris-lab tls --target HOST:PORT --out DIR</c>: the TLS part of an audit on one port alone (versions, suites,
    /// groups, signature schemes, certificate; items 5.4.2.1 and 5.4.2.2), the same reports and the phase timings:
    /// what testssl.sh does on one port, for a like-for-like comparison.
    /// </summary>
    private static Command TlsCommand(TextWriter output, TextWriter error)
    {
        var target = new Option<string>("--target") { Description = "HOST:PORT of the TLS service.", Required = true };
        var outDir = new Option<string>("--out") { Description = "Directory for report.json, report.html, junit.xml, findings.sarif.", Required = true };
        var ixit = new Option<string?>("--ixit") { Description = "The vendor's IXIT declarations (its TLS trust anchor is used)." };
        var timeout = new Option<int>("--timeout-ms") { Description = "Connect and read timeout per hello.", DefaultValueFactory = _ => 1000 };
        var connections = ConnectionsOption();
        var command = new Command("tls", "Audit TLS on one port and write the reports.") { target, outDir, ixit, timeout, connections };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!AuditTarget.TryParse(result.GetValue(target)!, out var parsedTarget, out var problem) || parsedTarget.Port is not { } port)
            {
                await error.WriteLineAsync($"iris-lab: {(problem.Length > 0 ? problem : "tls needs HOST:PORT.")}");
                return Unusable;
            }

            var ixitPath = result.GetValue(ixit);
            var context = new AuditContext(parsedTarget, ixitPath is null ? null : IxitDeclaration.Load(ixitPath), TimeProvider.System)
            {
                PortsToScan = [port],
                ConnectTimeout = TimeSpan.FromMilliseconds(Math.Clamp(result.GetValue(timeout), 50, 60_000)),
                OutDirectory = result.GetValue(outDir),
                ConnectionsAtOnce = Math.Clamp(result.GetValue(connections), 1, 64),
            };
            return await AuditAsync(context, [new Network.ServiceProbe(), new Tls.TlsProbe()], result.GetValue(outDir)!, output, cancellationToken);
        });
        return command;
    }

    private static Option<int> ConnectionsOption() =>
        new("--connections") { Description = "Connections the TLS probe and the endpoint fuzz open to the target at once (1: one at a time).", DefaultValueFactory = _ => 4 };

    private static async Task<int> AuditAsync(AuditContext context, IReadOnlyList<IProbe> probes, string directory, TextWriter output, CancellationToken cancellationToken)
    {
        var report = await new Auditor(probes).RunAsync(context, cancellationToken);
        ReportWriter.WriteAll(report, directory);
        foreach (var item in report.Items)
        {
            await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{item.Requirement.Id,-8} {VerdictNames.Of(item.Verdict),-12} {item.Requirement.TitleEn}"));
        }

        await output.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"iris-lab: {report.Findings.Count} finding(s) in {report.Elapsed.TotalSeconds:0.00} s; reports in {directory}"));
        return report.AnyFailed ? ItemFailed : NoItemFailed;
    }
}
