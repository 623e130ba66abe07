using Iris.Lab.Audit;

namespace Iris.Lab.Tests.Support;

/// <summary>A probe whose behaviour a test writes: it records what it is told, then optionally throws.</summary>
internal sealed class ScriptedProbe(string name, IReadOnlyList<string> items, Action<ProbeRecorder> record, Exception? thenThrow = null) : IProbe
{
    public string Name => name;

    public IReadOnlyList<string> Items => items;

    public Task RunAsync(AuditContext context, ProbeRecorder recorder, CancellationToken cancellationToken)
    {
        record(recorder);
        return thenThrow is null ? Task.CompletedTask : Task.FromException(thenThrow);
    }
}
