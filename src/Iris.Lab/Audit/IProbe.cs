namespace Iris.Lab.Audit;

/// <summary>One kind of test from outside (TLS, ports, web surface...). <see cref="Items"/> are the items it can judge;
/// if it throws, each of them is inconclusive.</summary>
internal interface IProbe
{
    string Name { get; }

    IReadOnlyList<string> Items { get; }

    Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken);
}
