using Iris.Lab.Audit;

namespace Iris.Lab;

/// <summary>The probes an audit runs, in order: the service scan first, because later probes examine the ports it found.</summary>
internal static class Probes
{
    public static IReadOnlyList<IProbe> Default() => [new Network.ServiceProbe(), new Tls.TlsProbe()];
}
