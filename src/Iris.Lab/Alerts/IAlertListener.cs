using System.Collections.Concurrent;
using Iris.Lab.Ixit;

namespace Iris.Lab.Alerts;

/// <summary>One alert as the lab received it: where (topic, or method and path), the body, and whether its signature
/// verified (null when the channel is not signed or the IXIT gives no key).</summary>
internal sealed record ReceivedAlert(string Where, string Payload, bool? SignatureValid);

/// <summary>A declared alert channel the lab listens on from before the first wrong password until it is judged.</summary>
internal interface IAlertListener : IAsyncDisposable
{
    IxitAlertChannel Channel { get; }

    /// <summary>The channel in words, for evidence ("iris/SERIAL/alerts at mqtts://..." or "webhook https://...").</summary>
    string Describe { get; }

    ConcurrentQueue<ReceivedAlert> Received { get; }
}
