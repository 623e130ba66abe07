using Iris.Camera.Platform;

using Iris.Camera.Identity;
using Iris.Firmware.Agent;
using Iris.Firmware.Metadata;

namespace Iris.Camera.Updates;

/// <summary>
/// Asks the vendor repository what is new: refreshes the trusted metadata by the TUF rules
/// (<see cref="RepositoryClient"/>, over the update transport), chooses the release for this device, and records
/// the answer for the status. It never installs; the scheduler decides that.
/// </summary>
internal sealed class UpdateChecker(
    UpdateOptions options,
    RepositoryClient repository,
    ITrustedMetadataStore trusted,
    BootSlots slots,
    DeviceIdentity identity,
    SoftwareInfo software,
    UpdateStatusStore status,
    UpdateEvents events)
{
    /// <summary>On first start, trust begins with the root metadata the device shipped with.</summary>
    public void InstallShippedRoot()
    {
        if (!options.IsConfigured || trusted.Load(RoleName.Root) is not null)
        {
            return;
        }

        var bytes = File.ReadAllBytes(options.TrustedRootFile!);
        if (MetadataCheck.Parse<RootDocument>(bytes, RoleName.Root) is not { } root || !MetadataCheck.IsSoundRoot(root.Document))
        {
            throw new StartupException($"'{options.TrustedRootFile}' is not valid root metadata.", StartupException.ConfigurationError);
        }

        trusted.Save(RoleName.Root, bytes);
    }

    /// <summary>Checks now and records the result; the target is what may be installed (null when nothing is).</summary>
    public async Task<(UpdateResultView Result, TargetEntry? Target)> CheckAsync(CancellationToken cancellationToken)
    {
        if (!options.IsConfigured)
        {
            return (status.RecordCheck(UnconfiguredRepository.NotConfigured), null);
        }

        var (view, outcome) = await repository.RefreshAsync(cancellationToken);
        if (view is null)
        {
            status.Available = null;
            events.Refused(outcome);
            return (status.RecordCheck(outcome), null);
        }

        var device = new DeviceState(identity.Model, software.Version, slots.Load()?.SecurityCounter ?? software.SecurityVersion);
        var (target, choice) = UpdateEngine.Choose(view.Targets, device);
        status.Available = target;
        events.Refused(choice);
        if (target is not null && !slots.IsSlotted)
        {
            choice = choice with { Message = choice.Message + "; this daemon was not started by Iris.Boot, so it cannot install it" };
        }
        else if (target is not null && target.Release.Version == status.RolledBackVersion)
        {
            choice = choice with { Message = choice.Message + "; it was rolled back on this device before, so it is installed only when an administrator asks" };
        }

        return (status.RecordCheck(choice), target);
    }
}
