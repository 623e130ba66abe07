namespace Iris.Camera.Link;

/// <summary>Randomness for the back-off jitter, a seam so tests can fix it.</summary>
public interface IJitter
{
    /// <summary>A number in [0, 1).</summary>
    double NextUnit();
}

internal sealed class SystemJitter : IJitter
{
    public double NextUnit() => Random.Shared.NextDouble();
}

/// <summary>
/// Exponential back-off with "equal jitter": the n-th retry waits between half and all of min(maximum, minimum·2ⁿ),
/// so many cameras cut off by the same outage do not all reconnect in the same second, and none waits longer than
/// the cap once the network is back (5.6.1.1).
/// </summary>
internal static class RetryDelay
{
    public static TimeSpan For(int failures, TimeSpan minimum, TimeSpan maximum, IJitter jitter)
    {
        var exponent = Math.Min(Math.Max(failures - 1, 0), 30);
        var ceiling = Math.Min(maximum.TotalMilliseconds, minimum.TotalMilliseconds * Math.Pow(2, exponent));
        return TimeSpan.FromMilliseconds(ceiling / 2 + (ceiling / 2 * jitter.NextUnit()));
    }
}
