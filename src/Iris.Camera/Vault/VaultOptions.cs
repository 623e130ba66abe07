namespace Iris.Camera.Vault;

/// <summary>Which provider holds the storage key (section Iris:Vault).</summary>
public sealed class VaultOptions : Platform.ISettings, Platform.IBoundSettings<VaultOptions>
{
    public const string SectionName = "Iris:Vault";

    public static VaultOptions? Bind(IConfiguration section) => section.Get<VaultOptions>(Platform.SettingsBinding.Strict);

    /// <summary>"file" (default; keys/storage.key, 0600) or "pkcs11" (a token: TPM via tpm2-pkcs11, secure element, HSM).</summary>
    public string Provider { get; set; } = FileStorageKeyProvider.ProviderId;

    public Pkcs11VaultOptions Pkcs11 { get; set; } = new();

    public IEnumerable<string> Validate()
    {
        if (Provider is not (FileStorageKeyProvider.ProviderId or Pkcs11StorageKeyProvider.ProviderId))
        {
            yield return $"{SectionName}:Provider must be 'file' or 'pkcs11'.";
        }

        if (Provider == Pkcs11StorageKeyProvider.ProviderId)
        {
            if (string.IsNullOrWhiteSpace(Pkcs11.Module) || !File.Exists(Pkcs11.Module))
            {
                yield return $"{SectionName}:Pkcs11:Module must name the PKCS#11 library (e.g. /usr/lib/x86_64-linux-gnu/libtpm2_pkcs11.so.1).";
            }

            if (string.IsNullOrWhiteSpace(Pkcs11.TokenLabel))
            {
                yield return $"{SectionName}:Pkcs11:TokenLabel is required.";
            }

            if (string.IsNullOrWhiteSpace(Pkcs11.PinFile) && string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Pkcs11VaultOptions.PinVariable)))
            {
                yield return $"{SectionName}:Pkcs11:PinFile (or {Pkcs11VaultOptions.PinVariable}) must give the token's user PIN.";
            }
        }
    }
}

public sealed class Pkcs11VaultOptions
{
    public const string PinVariable = "IRIS_PKCS11_PIN";

    public string? Module { get; set; }

    public string? TokenLabel { get; set; }

    /// <summary>Label of the AES-256 storage key inside the token (created there on first use).</summary>
    public string KeyLabel { get; set; } = "iris-storage-key";

    /// <summary>File holding the user PIN (owner-only; on a TPM the PIN only unlocks this device's own chip).</summary>
    public string? PinFile { get; set; }

    public string ReadPin()
    {
        if (Environment.GetEnvironmentVariable(PinVariable) is { Length: > 0 } pin)
        {
            return pin;
        }

        return File.ReadAllText(PinFile!).Trim();
    }
}
