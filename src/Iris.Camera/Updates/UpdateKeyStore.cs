using System.Security.Cryptography;
using Iris.Camera.Platform;
using Iris.Camera.Vault;
using Iris.Firmware.Metadata;

namespace Iris.Camera.Updates;

/// <summary>
/// The device's update key: the ECDH P-256 key release keys are wrapped for. It lives sealed in the vault
/// ("update-key"). A key provisioned by the factory (a model-wide key, so one wrap serves every device of the
/// model) is imported once from <see cref="UpdateOptions.UpdateKeyFile"/> and that file is deleted; without
/// one the device generates its own, and its public key is shown so releases can be wrapped for it.
/// </summary>
internal sealed partial class UpdateKeyStore(SecretVault vault, UpdateOptions options, ILogger<UpdateKeyStore> logger)
{
    public const string ItemName = "update-key";
    private readonly Lock _lock = new();

    public void EnsureKey()
    {
        lock (_lock)
        {
            if (options.UpdateKeyFile is { Length: > 0 } file && File.Exists(file))
            {
                using var imported = ECDiffieHellman.Create();
                try
                {
                    imported.ImportFromPem(File.ReadAllText(file));
                }
                catch (Exception e) when (e is ArgumentException or CryptographicException)
                {
                    throw new Platform.StartupException($"'{file}' is not a PKCS#8 PEM P-256 key: {e.Message}", Platform.StartupException.ConfigurationError);
                }

                if (imported.KeySize != 256)
                {
                    throw new Platform.StartupException($"'{file}' is not a P-256 key.", Platform.StartupException.ConfigurationError);
                }

                vault.Seal(ItemName, imported.ExportPkcs8PrivateKey());
                try
                {
                    AtomicFile.DeleteDurably(file);
                }
                catch (Exception e) when (e is UnauthorizedAccessException or IOException)
                {
                    // A private key must not stay readable beside the daemon, and a crash here would restart into
                    // the same failure forever: refuse to start, and say what to change. The key is sealed
                    // already, so deleting the file by hand is enough.
                    throw new Platform.StartupException(
                        $"The update key in '{file}' was sealed into the vault, but the file cannot be deleted ({e.Message}). " +
                        "A provisioned private key must not stay on disk: delete it, and provision it where the daemon's user " +
                        "may delete it (in the data directory, e.g. its provisioning/ folder).",
                        Platform.StartupException.ConfigurationError);
                }

                LogImported(logger);
            }
            else if (!vault.Contains(ItemName))
            {
                using var generated = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
                vault.Seal(ItemName, generated.ExportPkcs8PrivateKey());
            }

            using var key = Open();
            KeyId = MetadataSignatures.KeyId(key.ExportSubjectPublicKeyInfo());
        }
    }

    /// <summary>Id of the update key (SHA-256 of its public key), for the status page; known after <see cref="EnsureKey"/>.</summary>
    public string? KeyId { get; private set; }

    /// <summary>The private key, for unwrapping one release key; the caller disposes it.</summary>
    public ECDiffieHellman Open()
    {
        using var read = vault.Unseal(ItemName);
        if (read.Status != VaultReadStatus.Ok)
        {
            throw new InvalidOperationException($"The update key cannot be opened: {read.Failure}");
        }

        var key = ECDiffieHellman.Create();
        key.ImportPkcs8PrivateKey(read.Secret, out _);
        return key;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Update key imported into the vault; the provisioning file was deleted.")]
    private static partial void LogImported(ILogger logger);
}
