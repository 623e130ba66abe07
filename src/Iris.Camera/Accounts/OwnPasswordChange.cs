using Iris.Camera.Events;

namespace Iris.Camera.Accounts;

public enum PasswordChangeResult
{
    Changed,
    WrongPassword,
    Throttled,
    Refused,
}

public sealed record PasswordChangeOutcome(PasswordChangeResult Result, string? Reason = null, StepUpOutcome? StepUp = null);

/// <summary>
/// A signed-in account changes its own password: re-authentication (<see cref="StepUpAuthentication"/>), the
/// new-password rules, then the change, which ends the account's other sessions. The owner's first change claims
/// the device and removes the default-password file.
/// </summary>
internal sealed class OwnPasswordChange(
    StepUpAuthentication stepUp, AccountStore accounts, PasswordHasher hasher, NewPasswordRules rules, OwnerBootstrap owner, SecurityEventLog events)
{
    public PasswordChangeOutcome Change(CameraSession session, string currentPassword, string newPassword, string source)
    {
        var verified = stepUp.Verify(session, currentPassword, source, "password change");
        if (verified.Result != StepUpResult.Verified)
        {
            return new PasswordChangeOutcome(verified.Result == StepUpResult.Throttled ? PasswordChangeResult.Throttled : PasswordChangeResult.WrongPassword, StepUp: verified);
        }

        var account = accounts.FindById(session.AccountId);
        if (account is null)
        {
            return new PasswordChangeOutcome(PasswordChangeResult.WrongPassword, StepUp: verified);
        }

        if (rules.Check(newPassword, account.Username) is { } reason)
        {
            return new PasswordChangeOutcome(PasswordChangeResult.Refused, reason);
        }

        accounts.SetPassword(account.Id, hasher.Hash(newPassword), mustChangePassword: false, keepSessionTokenHash: session.TokenHash);
        events.Append(SecurityEventKinds.PasswordChanged, source, account.Username, "other sessions revoked");
        if (account.Username == AccountStore.OwnerUsername)
        {
            if (account.MustChangePassword)
            {
                events.Append(SecurityEventKinds.DeviceClaimed, source, account.Username);
            }

            owner.OwnerPasswordSet();
        }

        return new PasswordChangeOutcome(PasswordChangeResult.Changed);
    }
}
