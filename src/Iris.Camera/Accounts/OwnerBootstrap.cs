using System.Text.Json;
using Iris.Camera.Identity;
using Iris.Camera.Vault;

namespace Iris.Camera.Accounts;

/// <summary>Shows the default password to the operator once. The console in production; tests capture it.</summary>
public interface IDefaultPasswordDisplay
{
    void Show(string serial, string defaultPassword);
}

/// <summary>
/// Writes the default password straight to the terminal, not through logging: logs are kept and forwarded,
/// and no password may enter them. It is shown once, on the first start; the factory prints it on the label.
/// </summary>
internal sealed class ConsoleDefaultPasswordDisplay : IDefaultPasswordDisplay
{
    public void Show(string serial, string defaultPassword)
    {
        Console.Out.WriteLine($"""

            ==== Iris camera {serial}: first start ====
            Default password for user '{AccountStore.OwnerUsername}': {defaultPassword}
            It is shown only now. Sign in at the web UI and set your own password; nothing else works until then.
            ==========================================

            """);
        Console.Out.Flush();
    }
}

/// <summary>
/// On first start: makes the device's unique default password (5.1.3.1), keeps only its hash (sealed, for the
/// "differs from the default" rule and factory reset), and creates the owner account, which must change it.
/// </summary>
internal sealed class OwnerBootstrap(AccountStore accounts, SecretVault vault, PasswordHasher hasher, DeviceIdentity identity, IDefaultPasswordDisplay display)
{
    public const string DefaultPasswordHashItem = "default-password-hash";

    public void EnsureOwner()
    {
        if (accounts.Any())
        {
            return;
        }

        var hash = LoadDefaultHash();
        string? shown = null;
        if (hash is null)
        {
            shown = DefaultPassword.Generate();
            hash = hasher.Hash(shown);
            vault.Seal(DefaultPasswordHashItem, JsonSerializer.SerializeToUtf8Bytes(hash));
        }

        accounts.Create(AccountStore.OwnerUsername, Role.Administrator, hash, mustChangePassword: true);
        if (shown is not null)
        {
            display.Show(identity.Serial, shown);
        }
    }

    public bool IsDefaultPassword(string password) =>
        LoadDefaultHash() is { } hash && hasher.Verify(password, hash);

    private PasswordHash? LoadDefaultHash()
    {
        var read = vault.Unseal(DefaultPasswordHashItem);
        return read.Status == VaultReadStatus.Ok ? JsonSerializer.Deserialize<PasswordHash>(read.Secret) : null;
    }
}
