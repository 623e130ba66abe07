using System.Globalization;
using Iris.Camera.Accounts;
using Iris.Camera.Events;
using Iris.Camera.Storage;

namespace Iris.Camera.Privacy;

/// <summary>
/// Deleting personal data (5.7.1.1), one kind or all. Each kind is erased by the module that owns it (this service
/// runs no SQL on other modules' tables); afterwards the database's WAL is checkpointed and the file vacuumed
/// (secure_delete is on), so deleted rows do not survive in free pages or the journal. Each deletion is then
/// logged, naming the kind only.
/// </summary>
internal sealed class PersonalDataService(PersonalDataInventory inventory, CameraDatabase database, DataDirectory data, SecurityEventLog events, StepUpAuthentication stepUp)
{
    public IReadOnlyList<DataKind> Inventory => inventory.Kinds;

    /// <summary>How many items of each deletable kind are stored now, each counted by its owner.</summary>
    public IReadOnlyDictionary<string, int> Counts() =>
        inventory.Deletable.ToDictionary(e => e.Kind, e => e.Owner.Count(e.Kind), StringComparer.Ordinal);

    /// <summary>The ids of the kinds an owner can delete.</summary>
    public IReadOnlyList<string> Deletable => [.. inventory.Deletable.Select(e => e.Kind)];

    /// <summary>Deletes every deletable kind once the signed-in account's password is confirmed; null when it is not.</summary>
    public (StepUpOutcome Confirmed, IReadOnlyDictionary<string, int>? Removed) DeleteAll(CameraSession session, string password, string source)
    {
        var confirmed = stepUp.Verify(session, password, source, "delete all personal data");
        return confirmed.Result == StepUpResult.Verified
            ? (confirmed, Delete(null, new ErasureRequest(session.AccountId, session.Username, source)))
            : (confirmed, null);
    }

    /// <summary>Deletes one kind (or every deletable kind when <paramref name="kind"/> is null); returns what went, per kind.</summary>
    public IReadOnlyDictionary<string, int> Delete(string? kind, ErasureRequest request)
    {
        var erasers = inventory.Deletable.Where(e => kind is null || e.Kind == kind).ToList();
        if (erasers.Count == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a deletable kind");
        }

        var removed = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (id, owner) in erasers)
        {
            removed[id] = owner.DeleteKind(id, request);
        }

        database.Compact();
        events.Append(SecurityEventKinds.PersonalDataDeleted, request.Source, request.Actor,
            string.Join(", ", removed.Select(r => $"{r.Key} ({r.Value.ToString(CultureInfo.InvariantCulture)})")));
        return removed;
    }

    /// <summary>The tables and data-directory files that exist now (for the inventory check).</summary>
    public (IReadOnlyList<string> Tables, IReadOnlyList<string> Files) Stored() => (database.ListTables(), data.ListFiles());
}
