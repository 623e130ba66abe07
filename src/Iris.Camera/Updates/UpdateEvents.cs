using Iris.Camera.Events;
using Iris.Firmware.Metadata;

namespace Iris.Camera.Updates;

/// <summary>
/// What the update feature writes to the security event log and raises as alerts: installs, refusals that
/// point at tampering (bad signature, rollback, mismatch, oversize, expiry, TLS refusal, rejected payload),
/// rollbacks, and what administrators start or change.
/// </summary>
internal sealed class UpdateEvents(SecurityEventLog log, AlertCenter alerts)
{
    /// <summary>Refusals that point at tampering raise a security event and an alert; plain "nothing new" does not.</summary>
    public void Refused(UpdateOutcome outcome)
    {
        if (outcome.Code is UpdateCode.BelowThreshold or UpdateCode.Rollback or UpdateCode.Mismatch or UpdateCode.TooLarge or UpdateCode.Expired
            or UpdateCode.TransportRefused or UpdateCode.PayloadRejected or UpdateCode.LowerSecurityVersion or UpdateCode.Malformed)
        {
            log.Append(SecurityEventKinds.UpdateRefused, null, null, $"{outcome.Code}: {outcome.Message}");
            alerts.Raise(AlertKinds.UpdateRefused, null, null, $"An update was refused: {outcome.Message}");
        }
    }

    public void InstallEnded(string version, UpdateOutcome outcome)
    {
        log.Append(outcome.Succeeded ? SecurityEventKinds.UpdateInstalled : SecurityEventKinds.UpdateRefused, null, null, $"{version}: {outcome.Message}");
        if (!outcome.Succeeded)
        {
            Refused(outcome);
        }
    }

    public void RolledBack(string reason)
    {
        log.Append(SecurityEventKinds.UpdateRolledBack, null, null, reason);
        alerts.Raise(AlertKinds.UpdateRolledBack, null, null, $"An update was rolled back: {reason}");
    }

    public void InstallStarted(string version, string account, string? source) =>
        log.Append(SecurityEventKinds.SettingsChanged, source, account, $"install of version {version} started");

    public void ModeChanged(UpdateMode mode, string account, string? source) =>
        log.Append(SecurityEventKinds.SettingsChanged, source, account, $"updates {mode}");
}
