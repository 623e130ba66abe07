using System.CommandLine;
using System.Security.Cryptography;
using System.Text.Json;
using Iris.Factory.Gate;
using Iris.Firmware.Metadata;
using Net.Pkcs11Interop.Common;

namespace Iris.Factory;

/// <summary>
/// The vendor's update tooling: role keys (files or a PKCS#11 token), device update keys, and a static,
/// signed repository of encrypted bundles that any HTTPS server can serve. Every failure is a message on
/// stderr and a non-zero exit; nothing is written that a device would refuse (see README.md).
/// </summary>
internal static class FactoryCli
{
    public const int Failed = 1;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        // Help names the command as the README installs it, not the assembly (Iris.Factory) it is built from.
        var root = new RootCommand("Iris factory tools: update keys, signed and encrypted releases, repository publishing.") { HelpName = "iris-factory" };
        root.Subcommands.Add(KeysCommand(output));
        root.Subcommands.Add(UpdateKeyCommand(output));
        root.Subcommands.Add(RepositoryCommands.Repo(output));
        root.Subcommands.Add(RepositoryCommands.Release(output));
        root.Subcommands.Add(RepositoryCommands.Timestamp(output));
        root.Subcommands.Add(RepositoryCommands.Verify(output));
        root.Subcommands.Add(GateCommand(output));
        root.Subcommands.Add(Cve.CveCommand.Create(output));
        root.Subcommands.Add(Sbom.SbomCommand.Create(output));
        root.Subcommands.Add(Provisioning.ProvisionCommands.Ca(output));
        root.Subcommands.Add(Provisioning.ProvisionCommands.Provision(output));
        root.Subcommands.Add(DebugTokens.DebugTokenCommands.Create(output));
        var parsed = root.Parse(args);
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or CryptographicException or InvalidOperationException
            or UnauthorizedAccessException or NotSupportedException or FormatException or OverflowException or JsonException or Pkcs11Exception)
        {
            await error.WriteLineAsync($"iris-factory: {e.Message}");
            return Failed;
        }
    }

    public static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

    public static Option<string> AllowListOption() => new("--allow-list")
    {
        DefaultValueFactory = _ => Path.Combine(AppContext.BaseDirectory, "release-gate-allow.txt"),
        Description = "Hosts a release may mention in URLs (one per line, *.domain allowed).",
    };

    /// <summary>Runs the gate over a directory or an image and prints every finding; returns how many there were.</summary>
    public static async Task<int> RunGateAsync(string source, string allowList, TextWriter error)
    {
        var report = ReleaseGate.Scan(source, HostAllowList.Load(allowList));
        foreach (var finding in report.Findings)
        {
            await error.WriteLineAsync($"gate: {finding}");
        }

        foreach (var item in report.Review)
        {
            await error.WriteLineAsync($"gate: review: {item}");
        }

        return report.Findings.Count;
    }

    private static Command KeysCommand(TextWriter output)
    {
        var outDir = Required("--out", "Directory for the keys (created; existing keys are never overwritten).");
        var roles = new Option<string[]>("--role") { Description = "Roles to generate (default: all four).", AllowMultipleArgumentsPerToken = true };
        var count = new Option<int>("--count") { Description = "Keys per role (for thresholds above 1).", DefaultValueFactory = _ => 1 };
        var module = new Option<string?>("--pkcs11-module") { Description = "PKCS#11 library: create the keys inside a token instead of files." };
        var token = new Option<string?>("--token-label") { Description = "Label of the PKCS#11 token." };
        var generate = new Command("generate", "Generate ECDSA P-256 role keys.") { outDir, roles, count, module, token };
        generate.SetAction(result =>
        {
            var chosen = result.GetValue(roles) is { Length: > 0 } r ? r : [.. RoleName.All];
            if (chosen.FirstOrDefault(role => !RoleName.All.Contains(role)) is { } unknown)
            {
                throw new ArgumentException($"Unknown role '{unknown}'; roles are {string.Join(", ", RoleName.All)}.");
            }

            if (result.GetValue(count) is < 1 or > 16)
            {
                throw new ArgumentException("--count must be between 1 and 16.");
            }

            foreach (var role in chosen)
            {
                var written = result.GetValue(module) is { } library
                    ? Pkcs11Signer.Generate(result.GetValue(outDir)!, role, result.GetValue(count), library,
                        result.GetValue(token) ?? throw new ArgumentException("--token-label is required with --pkcs11-module."))
                    : FactoryKeys.Generate(result.GetValue(outDir)!, role, result.GetValue(count));
                foreach (var file in written)
                {
                    output.WriteLine($"{role}: {file}");
                }
            }

            return 0;
        });
        return new Command("keys", "Role keys for the update repository.") { generate };
    }

    private static Command UpdateKeyCommand(TextWriter output)
    {
        var outPrefix = Required("--out", "Path prefix: writes PREFIX.pem (for devices, owner-only) and PREFIX.pub.pem (for releases).");
        var generate = new Command("generate", "Generate a device update key (ECDH P-256) that releases are wrapped for.") { outPrefix };
        generate.SetAction(result =>
        {
            var prefix = result.GetValue(outPrefix)!;
            using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            FactoryKeys.WriteNew(prefix + ".pem", key.ExportPkcs8PrivateKeyPem(), FactoryKeys.OwnerOnly);
            File.WriteAllText(prefix + ".pub.pem", key.ExportSubjectPublicKeyInfoPem());
            output.WriteLine($"update key {MetadataSignatures.KeyId(key.ExportSubjectPublicKeyInfo())}: {prefix}.pem, {prefix}.pub.pem");
            return 0;
        });
        return new Command("update-key", "Device update keys (provisioned into devices; releases are wrapped for them).") { generate };
    }

    private static Command GateCommand(TextWriter output)
    {
        var from = Required("--from", "The release: the published camera application (directory) or a file-system image (file).");
        var allowList = AllowListOption();
        var command = new Command("gate", "Scan a release for secrets and undeclared endpoints (IoT-1005-1 5.4.1.1).") { from, allowList };
        command.SetAction(async result =>
        {
            var findings = await RunGateAsync(result.GetValue(from)!, result.GetValue(allowList)!, result.InvocationConfiguration.Error);
            output.WriteLine(findings == 0 ? "gate: no secrets, no undeclared endpoints" : $"gate: {findings} problem(s)");
            return findings == 0 ? 0 : Failed;
        });
        return command;
    }
}
