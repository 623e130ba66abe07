using Iris.Camera.Events;

namespace Iris.Camera.Accounts;

/// <summary>
/// A deleted account's name and addresses leave the security log and the alert inbox with it (outside review of
/// issue 12, F4); the records stay as evidence. Runs before the account's key is destroyed and the WAL scrubbed.
/// </summary>
internal sealed class SecurityLogAccountData(SecurityEventLog log) : IAccountDataHolder
{
    public void ForgetAccount(string username) => log.RedactAccount(username);
}
