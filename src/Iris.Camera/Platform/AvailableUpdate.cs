namespace Iris.Camera.Platform;

/// <summary>
/// What the update agent's last check found, for modules that may not depend on Updates (the platform link tells
/// Home Assistant the latest version). Updates implements it; readers poll it, as the answer changes only with a check.
/// </summary>
public interface IAvailableUpdate
{
    /// <summary>The version of the release the last check chose for this device; null when none newer is known.</summary>
    string? LatestVersion { get; }
}
