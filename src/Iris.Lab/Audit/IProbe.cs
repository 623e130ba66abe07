namespace Iris.Lab.Audit;

/// <summary>One kind of test from outside (TLS, ports, web surface...). <see cref="Items"/> are the items it can judge;
/// if it throws, each of them is inconclusive.</summary>
internal interface IProbe
{
    string Name { get; }

    IReadOnlyList<string> Items { get; }

    /// <summary>
    /// The probes (by name) that must finish before this one starts, when they run in the same audit earlier in its
    /// list; null (the default) waits for every earlier probe. A probe naming its real needs runs beside the others.
    /// </summary>
    IReadOnlyList<string>? After => null;

    Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken);
}
