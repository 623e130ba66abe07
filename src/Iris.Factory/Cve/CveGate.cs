namespace Iris.Factory.Cve;

/// <summary>What the gate decided for one CVE in one component.</summary>
internal enum CveDecision
{
    /// <summary>CVSS v3.x base score of 7.0 or more (High, Critical): the release stops.</summary>
    Fail,

    /// <summary>No CVSS v3 score (only v2, or none yet): a person must judge it; listed, never passed silently.</summary>
    Review,

    /// <summary>A v3 score below 7.0: listed.</summary>
    Below,

    /// <summary>A VEX statement with a justification and a future expiry says the component is not affected.</summary>
    NotAffected,
}

internal sealed record CveResult(NvdCve Cve, InventoryComponent Component, CveDecision Decision, VexStatement? Statement);

internal sealed record CveReport(IReadOnlyList<CveResult> Results, IReadOnlyList<string> Notes, int Components, int Records)
{
    public bool Failed => Results.Any(r => r.Decision == CveDecision.Fail);
}

/// <summary>
/// The CVE gate (IoT-1005-1 5.2.1.1): every component of the release against the vendor's NVD mirror. High or
/// Critical (CVSS v3.1/v3.0 base score of 7.0 or more) fails; no v3 score goes to review; a VEX statement can set
/// a CVE aside for a component only when it says not_affected, gives a justification and has not expired.
/// </summary>
internal static class CveGate
{
    public const double HighScore = 7.0;

    public static CveReport Run(IReadOnlyList<InventoryComponent> inventory, IEnumerable<NvdCve> records, IReadOnlyList<VexStatement> vex, DateOnly today)
    {
        var results = new List<CveResult>();
        var notes = new List<string>();
        var usable = new List<VexStatement>();
        foreach (var statement in vex)
        {
            var problem = statement.Status is not ("not_affected" or "false_positive") ? null
                : string.IsNullOrWhiteSpace(statement.Justification) ? "no justification"
                : statement.Expires is null ? "no expiry"
                : statement.Expires < today ? $"expired on {statement.Expires:yyyy-MM-dd}"
                : null;
            if (problem is not null)
            {
                notes.Add($"VEX statement for {statement.Cve} in {statement.Source} not used: {problem}");
            }
            else if (statement.Status is "not_affected" or "false_positive")
            {
                usable.Add(statement);
            }
        }

        var count = 0;
        foreach (var cve in records)
        {
            count++;
            foreach (var component in CveMatcher.Affected(cve, inventory))
            {
                var statement = usable.FirstOrDefault(s => string.Equals(s.Cve, cve.Id, StringComparison.OrdinalIgnoreCase) && s.Names(component));
                var decision = statement is not null ? CveDecision.NotAffected
                    : cve.V3Score is null ? CveDecision.Review
                    : cve.V3Score >= HighScore ? CveDecision.Fail
                    : CveDecision.Below;
                results.Add(new CveResult(cve, component, decision, statement));
            }
        }

        return new CveReport([.. results.OrderBy(r => r.Decision).ThenBy(r => r.Cve.Id, StringComparer.Ordinal).ThenBy(r => r.Component.Name, StringComparer.Ordinal)],
            notes, inventory.Count, count);
    }
}
