using Iris.Lab.Audit;

namespace Iris.Lab;

/// <summary>The probes an audit runs, listed in order (each starts once the earlier ones it names in <see cref="IProbe.After"/> have finished, the rest side by side): the service scan first, because later probes examine the ports it found;
/// the replay (one real sign-in) before the wrong-password series, which throttles the lab's
/// source; the alert subscription before the wrong passwords and the alert verdict after them; authentication before the web fuzz, which posts to the login path and so spends a throttling device's free attempts.</summary>
internal static class Probes
{
    public static IReadOnlyList<IProbe> Default() => [new Network.ServiceProbe(), new Network.UdpServiceProbe(), new Tls.TlsProbe(), new Auth.ReplayProbe(), new Alerts.AlertListenProbe(), new Auth.AuthProbe(), new Auth.ServiceLoginProbe(), new Alerts.AlertProbe(), new Web.WebProbe(), new Firmware.FirmwareProbe()];
}
