using System.CommandLine;
using System.Globalization;
using System.Security.Cryptography;
using Iris.Factory.Sbom;
using Iris.Firmware.Agent;
using Iris.Firmware.Metadata;
using Iris.Firmware.Payload;
using Iris.Firmware.Repository;

namespace Iris.Factory;

/// <summary>
/// The commands that change or check the repository. Each validates its input before anything is built, and the
/// publisher checks every step with the device's own client before it writes (RepositoryPublisher, PublishCheck).
/// </summary>
internal static class RepositoryCommands
{
    private const string DirectoryKind = ReleaseInfo.DirectoryKind;
    private const string ImageKind = ReleaseInfo.ImageKind;

    public static Command Repo(TextWriter output)
    {
        var repo = FactoryCli.Required("--repo", "Repository directory.");
        var keys = FactoryCli.Required("--keys", "Directory with the role keys.");
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
            var publisher = new RepositoryPublisher(result.GetValue(repo)!, TimeProvider.System);
            publisher.Initialise(rootDocument, signers[RoleName.Root], PublishingKeys(keyDir), RoleLifetimes.Default);
            output.WriteLine($"repository created; ship {Path.Combine(result.GetValue(repo)!, RepositoryClient.RootPath(1))} in devices as the trusted root");
            return 0;
        });

        var newKeys = FactoryCli.Required("--new-keys", "Directory with the next root's role keys (all four roles).");
        var rotate = new Command("rotate-root", "Publish the next root version, signed by the current root keys and the new ones, and re-sign the releases with the new keys.")
            { repo, keys, newKeys, thresholds, rootDays };
        rotate.SetAction(result =>
        {
            var publisher = ExistingRepository(result.GetValue(repo)!);
            var limits = ParseThresholds(result.GetValue(thresholds));
            var next = RoleName.All.ToDictionary(r => r, r => FactoryKeys.LoadSigners(result.GetValue(newKeys)!, r));
            var version = publisher.RootVersion + 1;
            var document = RepositoryPublisher.NewRoot(version, DateTimeOffset.UtcNow.AddDays(result.GetValue(rootDays)),
                next.ToDictionary(s => s.Key, s => (s.Value, limits.GetValueOrDefault(s.Key, 1))));
            publisher.RotateRoot(document, FactoryKeys.LoadSigners(result.GetValue(keys)!, RoleName.Root), next[RoleName.Root],
                new PublishingKeys(next[RoleName.Targets], next[RoleName.Snapshot], next[RoleName.Timestamp]), RoleLifetimes.Default);
            output.WriteLine($"root version {version} published and the releases re-signed; from now on use --keys {result.GetValue(newKeys)}");
            return 0;
        });

        var timestampHours = TimestampHours();
        var refresh = new Command("refresh", "Sign the current releases again (targets, snapshot, timestamp), e.g. before the snapshot expires.") { repo, keys, timestampHours };
        refresh.SetAction(result =>
        {
            var publisher = ExistingRepository(result.GetValue(repo)!);
            publisher.Publish(publisher.CurrentTargets(), PublishingKeys(result.GetValue(keys)!), KeptLifetimes(result.GetValue(repo)!, result.GetValue(timestampHours)));
            output.WriteLine("releases signed again");
            return 0;
        });
        return new Command("repo", "The static update repository.") { init, rotate, refresh };
    }

    public static Command Release(TextWriter output)
    {
        var repo = FactoryCli.Required("--repo", "Repository directory.");
        var keys = FactoryCli.Required("--keys", "Directory with the targets, snapshot and timestamp keys.");
        var from = FactoryCli.Required("--from", "The published camera application (directory) or a file-system image (file).");
        var kind = new Option<string>("--kind") { DefaultValueFactory = _ => DirectoryKind, Description = "directory (application A/B) or image (root file system A/B)." };
        var entry = new Option<string>("--entry") { DefaultValueFactory = _ => "Iris.Camera", Description = "The program Iris.Boot starts, relative to the slot." };
        var models = new Option<string[]>("--model") { Required = true, Description = "Compatible model name (repeat for several).", AllowMultipleArgumentsPerToken = false };
        var version = FactoryCli.Required("--version", "Software version (major.minor.patch).");
        var security = new Option<long>("--security-version") { Required = true, Description = "Monotonic security version; devices never go below the highest they ran." };
        var supportEnd = FactoryCli.Required("--support-end", "Last day of security updates for this release (YYYY-MM-DD).");
        var recipients = new Option<string[]>("--recipient") { Required = true, Description = "Update public key PEM the release key is wrapped for (repeat).", AllowMultipleArgumentsPerToken = false };
        var name = new Option<string?>("--name") { Description = "Target name (default iris-camera-VERSION.irfw)." };
        var chunk = new Option<int>("--chunk-size") { DefaultValueFactory = _ => PayloadFormat.DefaultChunkSize, Description = "Plaintext bytes per encrypted chunk." };
        var allowList = FactoryCli.AllowListOption();
        var supply = new ReleaseSupplyChain.Options();
        var command = new Command("release", "Gate, build, encrypt, sign and publish a release.") { repo, keys, from, kind, entry, models, version, security, supportEnd, recipients, name, chunk, allowList };
        supply.AddTo(command);
        command.SetAction(async (result, cancellationToken) =>
        {
            if (!DateOnly.TryParseExact(result.GetValue(supportEnd), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var end))
            {
                throw new ArgumentException("--support-end must be a date, YYYY-MM-DD.");
            }

            if (end < DateOnly.FromDateTime(TimeProvider.System.GetUtcNow().UtcDateTime))
            {
                throw new ArgumentException($"--support-end {end:yyyy-MM-dd} is in the past; devices would show the release as out of support.");
            }

            var bundleKind = result.GetValue(kind)!;
            if (bundleKind is not (DirectoryKind or ImageKind))
            {
                throw new ArgumentException($"--kind must be '{DirectoryKind}' or '{ImageKind}', not '{bundleKind}'.");
            }

            var source = result.GetValue(from)!;
            if (bundleKind == DirectoryKind ? !Directory.Exists(source) : !File.Exists(source))
            {
                throw new ArgumentException($"'{source}' is not a {(bundleKind == DirectoryKind ? "directory" : "file")}.");
            }

            if (result.GetValue(security) < 0 || result.GetValue(models)!.Any(string.IsNullOrWhiteSpace)
                || result.GetValue(chunk) is < 4096 or > PayloadFormat.MaxChunkSize)
            {
                throw new ArgumentException($"--security-version must be 0 or more, every --model a name, and --chunk-size between 4096 and {PayloadFormat.MaxChunkSize}.");
            }

            ReleaseSupplyChain.CheckCveChoice(result, supply);
            var repoDir = result.GetValue(repo)!;
            var publisher = ExistingRepository(repoDir);
            var keyDir = result.GetValue(keys)!;
            FactoryKeys.RequireDirectory(keyDir);
            var isDirectory = bundleKind == DirectoryKind;
            // Owner-only, so neither the SBOM before it is checked, the plaintext tar nor the unpublished bundle is
            // ever readable by the web server; deleted whatever happens, so a refused release leaves nothing behind.
            var staging = Path.Combine(repoDir, $".staging-{Guid.NewGuid():N}");
            Directory.CreateDirectory(staging, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            try
            {
                // The SBOM goes into the bundle beside the release's files (never into --from), so the bundle's signed
                // hash covers it and the camera can show it.
                var sbom = ReleaseSupplyChain.WriteSbom(result, supply, source, isDirectory, result.GetValue(version)!, staging, output);
                if (!await ReleaseSupplyChain.CveGateAsync(result, supply, sbom, output))
                {
                    throw new InvalidDataException("The CVE gate found High or Critical CVEs without a VEX statement; nothing was published.");
                }

                // Every kind of release passes the gate: a directory file by file, an image as the one file it is.
                var findings = await FactoryCli.RunGateAsync(source, result.GetValue(allowList)!, result.InvocationConfiguration.Error);
                if (findings > 0)
                {
                    throw new InvalidDataException($"The release gate found {findings} problem(s) in '{source}'; nothing was published.");
                }

                var recipientKeys = result.GetValue(recipients)!.Select(path =>
                {
                    using var key = ECDiffieHellman.Create();
                    key.ImportFromPem(File.ReadAllText(path));
                    return key.ExportSubjectPublicKeyInfo();
                }).ToList();
                var publishingKeys = PublishingKeys(keyDir);
                var targetName = result.GetValue(name) ?? $"iris-camera-{result.GetValue(version)}.irfw";
                var description = new ReleaseDescription(bundleKind, result.GetValue(entry)!, result.GetValue(models)!, result.GetValue(version)!, result.GetValue(security), end,
                    sbom is null ? null : ReleaseSupplyChain.Pin(sbom, isDirectory));
                var added = sbom is { AddToBundle: true } ? new Dictionary<string, string> { [SbomBuilder.FileName] = sbom.Path } : [];
                var bundle = Path.Combine(staging, "bundle.irfw");
                var release = await ReleaseBuilder.BuildAsync(source, added, description, recipientKeys, bundle, result.GetValue(chunk), cancellationToken);
                var target = publisher.AddRelease(targetName, bundle, release, publishingKeys, KeptLifetimes(repoDir, null));
                if (sbom is not null && result.GetValue(supply.SbomOut) is { } sbomOut)
                {
                    File.Copy(sbom.Path, sbomOut, overwrite: true);
                    output.WriteLine($"sbom: copy of the release's SBOM in {sbomOut}");
                }

                output.WriteLine($"published {target.Name}: version {release.Version}, security version {release.SecurityVersion}, {target.Length} bytes, sha256 {target.Sha256}");
            }
            finally
            {
                Directory.Delete(staging, recursive: true);
            }

            return 0;
        });
        return command;
    }

    public static Command Timestamp(TextWriter output)
    {
        var repo = FactoryCli.Required("--repo", "Repository directory.");
        var keys = FactoryCli.Required("--keys", "Directory with the timestamp key.");
        var hours = new Option<int>("--expires-hours") { DefaultValueFactory = _ => 24, Description = "Hours until this timestamp expires (more than the 1-hour safety margin)." };
        var command = new Command("timestamp", "Sign a fresh timestamp (run on a schedule; devices refuse stale metadata).") { repo, keys, hours };
        command.SetAction(result =>
        {
            ExistingRepository(result.GetValue(repo)!)
                .RefreshTimestamp(FactoryKeys.LoadSigners(result.GetValue(keys)!, RoleName.Timestamp), TimeSpan.FromHours(result.GetValue(hours)));
            output.WriteLine("timestamp refreshed");
            return 0;
        });
        return command;
    }

    public static Command Verify(TextWriter output)
    {
        var repo = FactoryCli.Required("--repo", "Repository directory.");
        var rootFile = FactoryCli.Required("--root", "The root metadata devices ship with.");
        var command = new Command("verify", "Check the repository exactly as a device would: metadata, then every bundle's length and hash.") { repo, rootFile };
        command.SetAction(async (result, cancellationToken) =>
        {
            var error = result.InvocationConfiguration.Error;
            var scratch = Directory.CreateTempSubdirectory("iris-verify-").FullName;
            try
            {
                var store = new DirectoryMetadataStore(scratch);
                store.Save(RoleName.Root, await File.ReadAllBytesAsync(result.GetValue(rootFile)!, cancellationToken));
                var repository = new DirectoryRepository(result.GetValue(repo)!);
                var (view, outcome) = await new RepositoryClient(repository, store, TimeProvider.System).RefreshAsync(cancellationToken);
                if (view is null)
                {
                    await error.WriteLineAsync($"iris-factory: repository refused: {outcome.Code}: {outcome.Message}");
                    return FactoryCli.Failed;
                }

                var failed = 0;
                foreach (var target in view.Targets.Targets)
                {
                    var bundle = await CheckBundleAsync(repository, target, cancellationToken);
                    if (!bundle.Succeeded)
                    {
                        failed++;
                        await error.WriteLineAsync($"iris-factory: {target.Name}: {bundle.Code}: {bundle.Message}");
                        continue;
                    }

                    output.WriteLine($"{target.Name}: {target.Release.Version} (security {target.Release.SecurityVersion}, support until {target.Release.SupportEnd:yyyy-MM-dd}) for {string.Join(", ", target.Release.Models)}");
                }

                if (failed > 0)
                {
                    await error.WriteLineAsync($"iris-factory: {failed} bundle(s) would be refused by devices");
                    return FactoryCli.Failed;
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

    /// <summary>The bundle as a device fetches it: under its hashed name, no longer than signed, with the signed hash.</summary>
    private static async Task<UpdateOutcome> CheckBundleAsync(DirectoryRepository repository, TargetEntry target, CancellationToken cancellationToken)
    {
        var path = RepositoryClient.TargetPath(target);
        await using var stream = repository.OpenRead(path);
        return stream is null
            ? new UpdateOutcome(UpdateCode.Unreachable, $"{path} not found")
            : await UpdateEngine.CheckBundleAsync(stream, target, cancellationToken);
    }

    private static Option<int?> TimestampHours() => new("--timestamp-hours")
    {
        Description = "Hours the new timestamp is valid (default: as long as the current one still is, and at least 24): "
            + "a timestamp made with 'timestamp --expires-hours 48' does not come back shorter.",
    };

    /// <summary>
    /// The lifetimes for a step that signs a new timestamp besides its own work (refresh, release). The timestamp a
    /// daily `timestamp --expires-hours 48` made must not be replaced by one that expires sooner: that would take
    /// away the margin the vendor chose. So the new one lasts as long as the current one still has, at least 24 h,
    /// unless hours are given.
    /// </summary>
    private static RoleLifetimes KeptLifetimes(string repoDir, int? hours)
    {
        if (hours is { } given)
        {
            return RoleLifetimes.Default with { Timestamp = TimeSpan.FromHours(given) };
        }

        var path = Path.Combine(repoDir, RepositoryClient.TimestampPath);
        var current = File.Exists(path) ? MetadataCheck.Parse<TimestampDocument>(File.ReadAllBytes(path), RoleName.Timestamp)?.Document.Expires : null;
        var remaining = current - TimeProvider.System.GetUtcNow();
        return remaining > RoleLifetimes.Default.Timestamp ? RoleLifetimes.Default with { Timestamp = remaining.Value } : RoleLifetimes.Default;
    }

    private static RepositoryPublisher ExistingRepository(string directory)
    {
        var publisher = new RepositoryPublisher(directory, TimeProvider.System);
        return publisher.Exists ? publisher : throw new ArgumentException($"'{directory}' is not an Iris repository; run 'repo init' first.");
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
