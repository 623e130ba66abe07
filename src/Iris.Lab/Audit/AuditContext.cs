using Iris.Lab.Alerts;
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

    /// <summary>Wall time of each phase, reported with the findings (where a lab's minutes go is evidence too).</summary>
    public AuditTimings Timings { get; } = new(time);

    /// <summary>
    /// Connections the TLS probe, and the endpoint fuzz, hold open to the target at once. A device refuses
    /// connections past its own per-source limit, and a refused hello would read as a refused suite (a refused
    /// fuzz case as a dropped connection), so this stays well under any sane limit (the Iris camera allows 16);
    /// 1 asks every question in turn.
    /// </summary>
    public int ConnectionsAtOnce { get; init; } = 4;

    /// <summary>TCP ports 1..65535 unless the command line narrows them (tests and quick runs).</summary>
    public IReadOnlyList<int> PortsToScan { get; init; } = [.. Enumerable.Range(1, 65535)];

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(1);

    public string? FirmwarePath { get; init; }

    public string? NvdDirectory { get; init; }

    /// <summary>Where the reports go; probes that make artefacts of their own (the firmware SBOM) put them next to them.</summary>
    public string? OutDirectory { get; init; }

    /// <summary>The account the vendor gave the lab, for the checks that need a real sign-in (replay); null skips them.</summary>
    public LabAccount? Account { get; init; }

    /// <summary>PEM certificate and key the lab presents to the alert broker; null connects without one.</summary>
    public string? AlertClientCertificate { get; init; }

    /// <summary>PEM of the only CA trusted for the alert broker; null uses the system's store.</summary>
    public string? AlertCa { get; init; }

    /// <summary>How long to wait for a login alert after the failed logins.</summary>
    public TimeSpan AlertWait { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>Subscriptions to the declared alert channels, open from before the first wrong password until judged.</summary>
    public List<IAlertListener> AlertSubscriptions { get; } = [];

    /// <summary>Wrong passwords sent so far (refused or throttled), which a device should alert on (5.8.1.1).</summary>
    public int WrongLoginsSent { get; set; }

    /// <summary>At most this many malformed requests per declared endpoint (5.5.2.1).</summary>
    public int FuzzCasesPerEndpoint { get; init; } = 6;

    /// <summary>Seed of the fuzz: the same seed sends the same requests, so a finding reproduces.</summary>
    public int FuzzSeed { get; init; } = Random.Shared.Next();

    /// <summary>Open TCP ports and what answers on them, set by the service scan.</summary>
    public IReadOnlyList<ServiceObservation> Services { get; set; } = [];

    /// <summary>The TLS facts of each port examined, for later probes (web surface, authentication).</summary>
    public List<TlsFacts> TlsPorts { get; } = [];
}
