using System.Text;
using System.Text.Json;
using Iris.Camera.Platform;
using Iris.Camera.Identity;
using Iris.Camera.Storage;
using Iris.Camera.Vault;

namespace Iris.Camera.Accounts;

/// <summary>
/// On first start (and after a factory reset): makes the device's unique default password (5.1.3.1), keeps its
/// hash for the "differs from the default" rule and the password itself sealed (so a factory reset can hand it
/// out again), creates the owner account, which must change it, and shows the password to the operator.
/// </summary>
internal sealed partial class OwnerBootstrap(
    AccountStore accounts, SecretVault vault, PasswordHasher hasher, DeviceIdentity identity, IDefaultPasswordDisplay display,
    DataDirectory data, ILogger<OwnerBootstrap> logger)
{
    public const string DefaultPasswordHashItem = "default-password-hash";
    public const string DefaultPasswordItem = "default-password";

    public void EnsureOwner()
    {
        if (!PasswordPolicy.NormalizationWorks)
        {
            throw new StartupException(
                "Unicode normalisation (NFKC) does not work in this process, so password rules and hashes would treat look-alike " +
                "characters as different. Run with ICU (libicu) available and without DOTNET_SYSTEM_GLOBALIZATION_INVARIANT.",
                StartupException.ConfigurationError);
        }

        if (accounts.Any())
        {
            // A crash between setting the owner's password and deleting the file must not leave it behind.
            if (accounts.Find(AccountStore.OwnerUsername) is not { MustChangePassword: true })
            {
                DefaultPasswordFile.Delete(data);
            }

            return;
        }

        var hash = LoadDefaultHash();
        var password = LoadDefaultPassword();
        if (hash is null)
        {
            password = DefaultPassword.Generate();
            hash = hasher.Hash(password);
            vault.Seal(DefaultPasswordItem, Encoding.UTF8.GetBytes(password));
            vault.Seal(DefaultPasswordHashItem, JsonSerializer.SerializeToUtf8Bytes(hash, AccountsJson.Default.PasswordHash));
        }

        accounts.Create(AccountStore.OwnerUsername, Role.Administrator, hash, mustChangePassword: true);
        if (password is not null)
        {
            display.Show(identity.Serial, password);
        }
        else
        {
            LogOnLabelOnly(logger);
        }
    }

    /// <summary>The owner has set their own password: the default one is no longer needed anywhere readable.</summary>
    public void OwnerPasswordSet() => DefaultPasswordFile.Delete(data);

    /// <summary>Whether the candidate is the default password, ignoring case, separators and blanks.</summary>
    public bool IsDefaultPassword(string password) =>
        DefaultPassword.Canonical(PasswordPolicy.Normalize(password)) is { } canonical
        && LoadDefaultHash() is { } hash
        && hasher.Verify(canonical, hash);

    private PasswordHash? LoadDefaultHash()
    {
        using var read = vault.Unseal(DefaultPasswordHashItem);
        return read.Status == VaultReadStatus.Ok ? JsonSerializer.Deserialize(read.Secret, AccountsJson.Default.PasswordHash) : null;
    }

    private string? LoadDefaultPassword()
    {
        using var read = vault.Unseal(DefaultPasswordItem);
        return read.Status == VaultReadStatus.Ok ? Encoding.UTF8.GetString(read.Secret) : null;
    }

    [LoggerMessage(EventId = 2101, Level = LogLevel.Warning,
        Message = "The owner account uses the factory default password printed on the device's label (this device keeps only its hash).")]
    private static partial void LogOnLabelOnly(ILogger logger);
}
