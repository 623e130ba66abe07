using Iris.Lab.Auth;
using Iris.Lab.Ixit;
using Iris.Lab.Network;
using Iris.Lab.Tls;

namespace Iris.Lab.Audit;

/// <summary>What an audit is given, and the facts earlier probes hand to later ones (the scan finds the ports the
/// TLS probe then examines).</summary>
internal sealed class AuditContext(AuditTarget target, IxitDeclaration? ixit, TimeProvider time)
{
    public AuditTarget Target { get; } = target;

    /// <summary>The vendor's declarations, or null: then observed-versus-declared checks are inconclusive.</summary>
    public IxitDeclaration? Ixit { get; } = ixit;

    public TimeProvider Time { get; } = time;

    /// <summary>TCP ports 1..65535 unless the command line narrows them (tests and quick runs).</summary>
    public IReadOnlyList<int> PortsToScan { get; init; } = [.. Enumerable.Range(1, 65535)];

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public string? FirmwarePath { get; init; }

    public string? NvdDirectory { get; init; }

    /// <summary>The account the vendor gave the lab, for the checks that need a real sign-in (replay); null skips them.</summary>
    public LabAccount? Account { get; init; }

    /// <summary>Open TCP ports and what answers on them, set by the service scan.</summary>
    public IReadOnlyList<ServiceObservation> Services { get; set; } = [];

    /// <summary>The TLS facts of each port examined, for later probes (web surface, authentication).</summary>
    public List<TlsFacts> TlsPorts { get; } = [];
}
