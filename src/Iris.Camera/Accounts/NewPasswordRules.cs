using Iris.Camera.Identity;

namespace Iris.Camera.Accounts;

/// <summary><see cref="PasswordPolicy"/> with this device's serial, model, vendor and default password filled in.</summary>
internal sealed class NewPasswordRules(DeviceIdentity identity, OwnerBootstrap owner, string vendor)
{
    /// <summary>Null when acceptable, otherwise the reason to show the user.</summary>
    public string? Check(string password, string username) =>
        PasswordPolicy.Check(password, Context(username));

    /// <summary>The estimate the check enforces (log10 of the guesses needed), for the strength meter.</summary>
    public double Log10Guesses(string password, string username) => PasswordPolicy.Log10Guesses(password, Context(username));

    private PasswordContext Context(string username) => new(username, identity.Serial, identity.Model, vendor, owner.IsDefaultPassword);
}
