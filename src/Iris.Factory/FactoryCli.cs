using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Iris.Firmware.Metadata;
using Iris.Firmware.Repository;

namespace Iris.Factory;

/// <summary>
/// The vendor's update tooling: role keys (files or a PKCS#11 token), device update keys, and a static,
/// signed repository of encrypted bundles that any HTTPS server can serve. Every failure is a message on
/// stderr and a non-zero exit; nothing half-written is left as the repository's current state.
/// </summary>
internal static class FactoryCli
{
    public const int Failed = 1;

    public static async Task<int> RunAsync(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Iris factory tools: update keys, signed and encrypted releases, repository publishing.");
        root.Subcommands.Add(KeysCommand(output));
        root.Subcommands.Add(UpdateKeyCommand(output));
        root.Subcommands.Add(RepoCommand(output));
        root.Subcommands.Add(ReleaseCommand(output));
        root.Subcommands.Add(TimestampCommand(output));
        root.Subcommands.Add(VerifyCommand(output));
        root.Subcommands.Add(GateCommand(output));
        var parsed = root.Parse(args);
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or CryptographicException or InvalidOperationException
            or UnauthorizedAccessException or NotSupportedException or FormatException)
        {
            await error.WriteLineAsync($"iris-factory: {e.Message}");
            return Failed;
        }
    }

    private static Option<string> Required(string name, string description) => new(name) { Description = description, Required = true };

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
            foreach (var role in chosen)
            {
                if (!RoleName.All.Contains(role))
                {
                    throw new ArgumentException($"Unknown role '{role}'; roles are {string.Join(", ", RoleName.All)}.");
                }

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

    private static Command RepoCommand(TextWriter output)
    {
        var repo = Required("--repo", "Repository directory to create.");
        var keys = Required("--keys", "Directory with the role keys.");
        var thresholds = new Option<string[]>("--threshold") { Description = "ROLE=N signatures required (default 1).", AllowMultipleArgumentsPerToken = true };
        var rootDays = new Option<int>("--root-expires-days") { DefaultValueFactory = _ => 365, Description = "Days until root metadata expires." };
        var init = new Command("init", "Create a repository: root version 1 (ship it in devices) and an empty release set.") { repo, keys, thresholds, rootDays };
        init.SetAction(result =>
        {
            var keyDir = result.GetValue(keys)!;
            var limits = ParseThresholds(result.GetValue(thresholds));
            var signers = RoleName.All.ToDictionary(r => r, r => FactoryKeys.LoadSigners(keyDir, r));
            var rootDocument = RepositoryPublisher.NewRoot(1, DateTimeOffset.UtcNow.AddDays(result.GetValue(rootDays)),
                signers.ToDictionary(s => s.Key, s => (s.Value, limits.GetValueOrDefault(s.Key, 1))));
            if (!MetadataCheck.IsSoundRoot(rootDocument))
            {
                throw new ArgumentException("A threshold is higher than the number of keys for its role.");
            }

            var publisher = new RepositoryPublisher(result.GetValue(repo)!, TimeProvider.System);
            publisher.Initialise(rootDocument, signers[RoleName.Root], PublishingKeys(keyDir), RoleLifetimes.Default);
            output.WriteLine($"repository created; ship {Path.Combine(result.GetValue(repo)!, RepositoryClient.RootPath(1))} in devices as the trusted root");
            return 0;
        });

        var newKeys = Required("--new-keys", "Directory with the next root's role keys.");
        var rotate = new Command("rotate-root", "Publish the next root version, signed by the current root keys and the new ones.") { repo, keys, newKeys, thresholds, rootDays };
        rotate.SetAction(result =>
        {
            var repoDir = result.GetValue(repo)!;
            var latest = Directory.EnumerateFiles(Path.Combine(repoDir, RepositoryClient.MetadataFolder), "*.root.json")
                .Select(f => long.Parse(Path.GetFileName(f).Split('.')[0], CultureInfo.InvariantCulture)).Max();
            var limits = ParseThresholds(result.GetValue(thresholds));
            var next = RoleName.All.ToDictionary(r => r, r => FactoryKeys.LoadSigners(result.GetValue(newKeys)!, r));
            var document = RepositoryPublisher.NewRoot(latest + 1, DateTimeOffset.UtcNow.AddDays(result.GetValue(rootDays)),
                next.ToDictionary(s => s.Key, s => (s.Value, limits.GetValueOrDefault(s.Key, 1))));
            new RepositoryPublisher(repoDir, TimeProvider.System).RotateRoot(document, FactoryKeys.LoadSigners(result.GetValue(keys)!, RoleName.Root), next[RoleName.Root]);
            output.WriteLine($"root version {latest + 1} published; publish the next release with --keys {result.GetValue(newKeys)}");
            return 0;
        });
        return new Command("repo", "The static update repository.") { init, rotate };
    }

    private static Command ReleaseCommand(TextWriter output)
    {
        var repo = Required("--repo", "Repository directory.");
        var keys = Required("--keys", "Directory with the targets, snapshot and timestamp keys.");
        var from = Required("--from", "The published camera application (directory) or a file-system image (file).");
        var kind = new Option<string>("--kind") { DefaultValueFactory = _ => "directory", Description = "directory (application A/B) or image (root file system A/B)." };
        var entry = new Option<string>("--entry") { DefaultValueFactory = _ => "Iris.Camera", Description = "The program Iris.Boot starts, relative to the slot." };
        var models = new Option<string[]>("--model") { Required = true, Description = "Compatible model name (repeat for several).", AllowMultipleArgumentsPerToken = false };
        var version = Required("--version", "Software version (major.minor.patch).");
        var security = new Option<long>("--security-version") { Required = true, Description = "Monotonic security version; devices never go below the highest they ran." };
        var supportEnd = Required("--support-end", "Last day of security updates for this release (YYYY-MM-DD).");
        var recipients = new Option<string[]>("--recipient") { Required = true, Description = "Update public key PEM the release key is wrapped for (repeat).", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string?>("--name") { Description = "Target name (default iris-camera-VERSION.irfw)." };
        var chunk = new Option<int>("--chunk-size") { DefaultValueFactory = _ => 1 << 20, Description = "Plaintext bytes per encrypted chunk." };
        var allowList = AllowListOption();
        var command = new Command("release", "Gate, build, encrypt, sign and publish a release.") { repo, keys, from, kind, entry, models, version, security, supportEnd, recipients, name, chunk, allowList };
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!DateOnly.TryParseExact(result.GetValue(supportEnd), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
            {
                throw new ArgumentException("--support-end must be a date, YYYY-MM-DD.");
            }

            var source = result.GetValue(from)!;
            if (result.GetValue(kind) == "directory" ? !Directory.Exists(source) : !File.Exists(source))
            {
                throw new ArgumentException($"'{source}' is not a {(result.GetValue(kind) == "directory" ? "directory" : "file")}.");
            }

            if (result.GetValue(kind) == "directory" && ReleaseGate.Scan(source, ReleaseGate.LoadAllowList(result.GetValue(allowList)!)) is { Count: > 0 } findings)
            {
                foreach (var finding in findings)
                {
                    await result.InvocationConfiguration.Error.WriteLineAsync($"gate: {finding}");
                }

                throw new InvalidDataException($"The release gate found {findings.Count} problem(s) in '{source}'; nothing was published.");
            }

            if (!Directory.Exists(Path.Combine(result.GetValue(repo)!, RepositoryClient.MetadataFolder)))
            {
                throw new ArgumentException($"'{result.GetValue(repo)}' is not an Iris repository; run 'repo init' first.");
            }

            var recipientKeys = result.GetValue(recipients)!.Select(path =>
            {
                using var key = ECDiffieHellman.Create();
                key.ImportFromPem(File.ReadAllText(path));
                return key.ExportSubjectPublicKeyInfo();
            }).ToList();
            var repoDir = result.GetValue(repo)!;
            var targetName = result.GetValue(name) ?? $"iris-camera-{result.GetValue(version)}.irfw";
            var staging = Path.Combine(repoDir, $".staging-{Guid.NewGuid():N}.irfw");
            try
            {
                var description = new ReleaseDescription(result.GetValue(kind)!, result.GetValue(entry)!, result.GetValue(models)!, result.GetValue(version)!,
                    result.GetValue(security), end);
                var release = await ReleaseBuilder.BuildAsync(result.GetValue(from)!, description, recipientKeys, staging, result.GetValue(chunk), cancellationToken);
                var target = new RepositoryPublisher(repoDir, TimeProvider.System).AddRelease(targetName, staging, release, PublishingKeys(result.GetValue(keys)!), RoleLifetimes.Default);
                output.WriteLine($"published {target.Name}: version {release.Version}, security version {release.SecurityVersion}, {target.Length} bytes, sha256 {target.Sha256}");
            }
            finally
            {
                File.Delete(staging);
            }

            return 0;
        });
        return command;
    }

    private static Command TimestampCommand(TextWriter output)
    {
        var repo = Required("--repo", "Repository directory.");
        var keys = Required("--keys", "Directory with the timestamp key.");
        var hours = new Option<int>("--expires-hours") { DefaultValueFactory = _ => 24, Description = "Hours until this timestamp expires." };
        var command = new Command("timestamp", "Sign a fresh timestamp (run on a schedule; devices refuse stale metadata).") { repo, keys, hours };
        command.SetAction(result =>
        {
            new RepositoryPublisher(result.GetValue(repo)!, TimeProvider.System)
                .RefreshTimestamp(FactoryKeys.LoadSigners(result.GetValue(keys)!, RoleName.Timestamp), TimeSpan.FromHours(result.GetValue(hours)));
            output.WriteLine("timestamp refreshed");
            return 0;
        });
        return command;
    }

    private static Command VerifyCommand(TextWriter output)
    {
        var repo = Required("--repo", "Repository directory.");
        var rootFile = Required("--root", "The root metadata devices ship with.");
        var command = new Command("verify", "Check the repository exactly as a device would (release gate).") { repo, rootFile };
        command.SetAction(async (result, cancellationToken) =>
        {
            var scratch = Directory.CreateTempSubdirectory("iris-verify-").FullName;
            try
            {
                var store = new DirectoryMetadataStore(scratch);
                store.Save(RoleName.Root, await File.ReadAllBytesAsync(result.GetValue(rootFile)!, cancellationToken));
                var (view, outcome) = await new RepositoryClient(new DirectoryRepository(result.GetValue(repo)!), store, TimeProvider.System).RefreshAsync(cancellationToken);
                if (view is null)
                {
                    await result.InvocationConfiguration.Error.WriteLineAsync($"iris-factory: repository refused: {outcome.Code}: {outcome.Message}");
                    return Failed;
                }

                foreach (var target in view.Targets.Targets)
                {
                    output.WriteLine($"{target.Name}: {target.Release.Version} (security {target.Release.SecurityVersion}, support until {target.Release.SupportEnd:yyyy-MM-dd}) for {string.Join(", ", target.Release.Models)}");
                }

                output.WriteLine($"ok: root {view.Root.Version}, targets {view.Targets.Version}, timestamp expires {view.Timestamp.Expires:u}");
                return 0;
            }
            finally
            {
                Directory.Delete(scratch, recursive: true);
            }
        });
        return command;
    }

    private static Option<string> AllowListOption() => new("--allow-list")
    {
        DefaultValueFactory = _ => Path.Combine(AppContext.BaseDirectory, "release-gate-allow.txt"),
        Description = "Hosts a release may mention in URLs (one per line, *.domain allowed).",
    };

    private static Command GateCommand(TextWriter output)
    {
        var from = Required("--from", "The directory to be released (the published camera application).");
        var allowList = AllowListOption();
        var command = new Command("gate", "Scan a release for secrets and undeclared endpoints (IoT-1005-1 5.4.1.1).") { from, allowList };
        command.SetAction(async result =>
        {
            var findings = ReleaseGate.Scan(result.GetValue(from)!, ReleaseGate.LoadAllowList(result.GetValue(allowList)!));
            foreach (var finding in findings)
            {
                await result.InvocationConfiguration.Error.WriteLineAsync($"gate: {finding}");
            }

            output.WriteLine(findings.Count == 0 ? "gate: no secrets, no undeclared endpoints" : $"gate: {findings.Count} problem(s)");
            return findings.Count == 0 ? 0 : Failed;
        });
        return command;
    }

    private static PublishingKeys PublishingKeys(string keyDir) =>
        new(FactoryKeys.LoadSigners(keyDir, RoleName.Targets), FactoryKeys.LoadSigners(keyDir, RoleName.Snapshot), FactoryKeys.LoadSigners(keyDir, RoleName.Timestamp));

    private static Dictionary<string, int> ParseThresholds(string[]? values)
    {
        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var value in values ?? [])
        {
            var parts = value.Split('=', 2);
            if (parts.Length != 2 || !RoleName.All.Contains(parts[0]) || !int.TryParse(parts[1], CultureInfo.InvariantCulture, out var n) || n < 1)
            {
                throw new ArgumentException($"--threshold '{value}' must be ROLE=N with N >= 1.");
            }

            result[parts[0]] = n;
        }

        return result;
    }
}
