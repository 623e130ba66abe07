namespace Iris.Factory.Cve;

/// <summary>A shipped component as the CVE gate sees it: the CPEs it is known by (its own and its aliases).</summary>
internal sealed record InventoryComponent(string Ref, string Name, string Version, IReadOnlyList<Cpe> Cpes);

/// <summary>
/// Decides which components a CVE's configurations affect. A configuration applies when its nodes hold (all of
/// them for AND, any for OR); a node holds when its CPE matches do (AND/OR, negation). Matches marked not
/// vulnerable are platforms: they must be present for the configuration to hold, but are not what is affected.
/// </summary>
internal static class CveMatcher
{
    public static IReadOnlyList<InventoryComponent> Affected(NvdCve cve, IReadOnlyList<InventoryComponent> inventory)
    {
        var affected = new List<InventoryComponent>();
        foreach (var configuration in cve.Configurations)
        {
            var hits = new List<InventoryComponent>();
            var results = configuration.Nodes.Select(node => Holds(node, inventory, hits)).ToList();
            var holds = results.Count > 0 && (configuration.And ? results.All(r => r) : results.Any(r => r));
            if (holds)
            {
                affected.AddRange(hits.Where(h => !affected.Contains(h)));
            }
        }

        return affected;
    }

    private static bool Holds(ConfigurationNode node, IReadOnlyList<InventoryComponent> inventory, List<InventoryComponent> hits)
    {
        var nodeHits = new List<InventoryComponent>();
        var results = node.Matches.Select(match =>
        {
            var matching = inventory.Where(component => component.Cpes.Any(cpe => Matches(match, cpe))).ToList();
            if (match.Vulnerable)
            {
                nodeHits.AddRange(matching);
            }

            return matching.Count > 0;
        }).ToList();
        var holds = results.Count > 0 && (node.And ? results.All(r => r) : results.Any(r => r));
        if (node.Negate)
        {
            return !holds;
        }

        if (holds)
        {
            hits.AddRange(nodeHits);
        }

        return holds;
    }

    public static bool Matches(CpeMatch match, Cpe component)
    {
        if (!match.Criteria.Covers(component, out var versionLeftToRange))
        {
            return false;
        }

        if (!versionLeftToRange)
        {
            return true;
        }

        var version = component[Cpe.Version];
        if (version is "*" or "-")
        {
            // A component of unknown version cannot be shown to be outside the range.
            return true;
        }

        return (match.StartIncluding is null || VersionOrder.Compare(version, match.StartIncluding) >= 0)
            && (match.StartExcluding is null || VersionOrder.Compare(version, match.StartExcluding) > 0)
            && (match.EndIncluding is null || VersionOrder.Compare(version, match.EndIncluding) <= 0)
            && (match.EndExcluding is null || VersionOrder.Compare(version, match.EndExcluding) < 0);
    }
}
