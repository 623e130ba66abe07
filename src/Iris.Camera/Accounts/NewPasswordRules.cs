using Iris.Camera.Identity;

namespace Iris.Camera.Accounts;

/// <summary><see cref="PasswordPolicy"/> with this device's serial, model, vendor and default password filled in.</summary>
internal sealed class NewPasswordRules(DeviceIdentity identity, OwnerBootstrap owner, string vendor)
{
    /// <summary>Null when acceptable, otherwise the reason to show the user.</summary>
    public string? Check(string password, string username) =>
        PasswordPolicy.Check(password, new PasswordContext(username, identity.Serial, identity.Model, vendor, owner.IsDefaultPassword));
}
