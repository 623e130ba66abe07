using System.CommandLine;
using System.Text.Json;
using Iris.Factory.Labels;

namespace Iris.Factory.Provisioning;

/// <summary><c>ca root</c>, <c>ca intermediate</c> and <c>provision</c>: the line's side of 5.1.1.1 and 5.1.1.2.</summary>
internal static class ProvisionCommands
{
    private static readonly JsonSerializerOptions ManifestJson = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase };

    public static Command Ca(TextWriter output)
    {
        var rootOut = FactoryCli.Required("--out", "Directory for the root key (keep it offline) and certificate.");
        var rootName = new Option<string>("--name") { DefaultValueFactory = _ => "Iris Device Root CA", Description = "Common name of the root." };
        var root = new Command("root", "Make the offline device root CA (ECDSA P-384).") { rootOut, rootName };
        root.SetAction(result =>
        {
            DeviceCa.CreateRoot(result.GetValue(rootOut)!, result.GetValue(rootName)!, TimeProvider.System.GetUtcNow());
            output.WriteLine($"root: {Path.Combine(result.GetValue(rootOut)!, DeviceCa.RootCertificateFile)}");
            return 0;
        });

        var keyDir = FactoryCli.Required("--ca", "Station CA directory for the device CA key (a file, or a reference to a key in a token).");
        var module = new Option<string?>("--pkcs11-module") { Description = "PKCS#11 library: create the key inside a token (non-extractable)." };
        var token = new Option<string?>("--token-label") { Description = "Label of the PKCS#11 token." };
        var key = new Command("key", "Make the device CA's ECDSA P-256 key.") { keyDir, module, token };
        key.SetAction(result =>
        {
            var written = result.GetValue(module) is { } library
                ? Pkcs11Signer.Generate(result.GetValue(keyDir)!, DeviceCa.IntermediateRole, 1, library,
                    result.GetValue(token) ?? throw new ArgumentException("--token-label is required with --pkcs11-module."))
                : FactoryKeys.Generate(result.GetValue(keyDir)!, DeviceCa.IntermediateRole, 1);
            output.WriteLine($"device CA key: {written[0]}");
            return 0;
        });

        var rootDir = FactoryCli.Required("--root", "Directory holding the root key and certificate (mounted for this ceremony only).");
        var caDir = FactoryCli.Required("--ca", "Station CA directory holding deviceca.pem or deviceca.pkcs11.json (see ca key).");
        var name = new Option<string>("--name") { DefaultValueFactory = _ => "Iris Device CA 1", Description = "Common name of the device CA." };
        var intermediate = new Command("intermediate", "Sign the device CA's certificate with the root.") { rootDir, caDir, name };
        intermediate.SetAction(result =>
        {
            DeviceCa.IssueIntermediate(result.GetValue(rootDir)!, result.GetValue(caDir)!, result.GetValue(name)!, TimeProvider.System.GetUtcNow());
            output.WriteLine($"device CA: {Path.Combine(result.GetValue(caDir)!, DeviceCa.IntermediateCertificateFile)}");
            return 0;
        });
        return new Command("ca", "The vendor's device certificate authority.") { root, key, intermediate };
    }

    public static Command Provision(TextWriter output)
    {
        var order = FactoryCli.Required("--order", "Order file (JSON: order, model, prefix, vendor, count, setupUrl).");
        var ca = FactoryCli.Required("--ca", "Station CA directory (deviceca.cert.pem, root-ca.cert.pem and the device CA key or its token reference).");
        var ledger = FactoryCli.Required("--ledger", "The factory's serial ledger (SQLite; shared by every station).");
        var labels = FactoryCli.Required("--labels", "Directory for the labels (SVG, PNG, PDF): the only output that holds passwords.");
        var device = new Option<string?>("--device") { Description = "Provision one device: its data directory (a signing request there is used)." };
        var outDir = new Option<string?>("--out") { Description = "Batch: provision the order's count of devices into OUT/devices/SERIAL and write OUT/manifest.json." };
        var station = new Option<string>("--station") { DefaultValueFactory = _ => Environment.MachineName, Description = "This station's name, recorded with every serial." };
        var command = new Command("provision", "Give devices serials, certificates and default passwords; print their labels.") { order, ca, ledger, labels, device, outDir, station };
        command.SetAction(result =>
        {
            var plan = ProvisioningOrder.Load(result.GetValue(order)!);
            if ((result.GetValue(device) is null) == (result.GetValue(outDir) is null))
            {
                throw new ArgumentException("Give exactly one of --device (one device) and --out (a batch).");
            }

            using var stationCa = DeviceCa.Open(result.GetValue(ca)!);
            using var serials = SerialLedger.Open(result.GetValue(ledger)!);
            var provisioner = new DeviceProvisioner(stationCa, serials, result.GetValue(station)!, TimeProvider.System, new LabelFiles(result.GetValue(labels)!));
            if (result.GetValue(device) is { } single)
            {
                var provisioned = provisioner.Provision(plan, single);
                output.WriteLine($"{provisioned.Serial} {provisioned.CertificateSha256}");
                return 0;
            }

            var batch = Batch(provisioner, plan, result.GetValue(outDir)!);
            output.WriteLine($"provisioned {batch.Count} device(s); manifest {Path.Combine(result.GetValue(outDir)!, "manifest.json")}");
            return 0;
        });
        return command;
    }

    /// <summary>
    /// Provisions the order's devices one after another; the manifest is rewritten after each, so a station
    /// that stops half-way leaves a manifest of exactly the devices it finished.
    /// </summary>
    public static IReadOnlyList<ProvisionedDevice> Batch(DeviceProvisioner provisioner, ProvisioningOrder order, string outDirectory)
    {
        Directory.CreateDirectory(outDirectory);
        var manifestPath = Path.Combine(outDirectory, "manifest.json");
        if (File.Exists(manifestPath))
        {
            throw new IOException($"'{manifestPath}' exists: a re-run order gets a new output directory (and new serials).");
        }

        var devices = new List<ProvisionedDevice>();
        for (var i = 0; i < order.Count; i++)
        {
            var staging = Path.Combine(outDirectory, "devices", $".pending-{i}");
            var provisioned = provisioner.Provision(order, staging);
            Directory.Move(staging, Path.Combine(outDirectory, "devices", provisioned.Serial));
            devices.Add(provisioned);
            var manifest = new { order.Order, order.Model, Devices = devices };
            var temporary = manifestPath + ".tmp";
            File.WriteAllText(temporary, JsonSerializer.Serialize(manifest, ManifestJson));
            File.Move(temporary, manifestPath, overwrite: true);
        }

        return devices;
    }
}
