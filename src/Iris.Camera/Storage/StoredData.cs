namespace Iris.Camera.Storage;

/// <summary>One kind of data the camera keeps: what it is, why, how long, and exactly where.</summary>
public sealed record DataKind(
    string Id,
    string Name,
    bool Personal,
    string Purpose,
    string Retention,
    string Deletion,
    IReadOnlyList<string> Tables,
    IReadOnlyList<string> Files);

/// <summary>Tables or data-directory files a module keeps under a kind another module declares (e.g. "settings").</summary>
public sealed record DataLocation(string KindId, IReadOnlyList<string> Tables, IReadOnlyList<string> Files);

/// <summary>Who asked for an erasure: the signed-in account that stays, and who and from where, for the log.</summary>
public sealed record ErasureRequest(long KeepAccountId, string Actor, string? Source);

/// <summary>
/// What a module stores (IoT-1005-1 5.7.1.1), declared by the module itself so the inventory stays complete as
/// modules are added; and, for the personal kinds it owns, how an owner's deletion is carried out. Only the owning
/// module touches its tables and files: the privacy module calls <see cref="Erase"/>, it never runs SQL of its own.
/// Files are patterns relative to the data directory ("*" = any characters except "/").
/// </summary>
public interface IStoredData
{
    /// <summary>The kinds this module declares.</summary>
    IEnumerable<DataKind> Kinds => [];

    /// <summary>Where this module keeps data of kinds declared by other modules.</summary>
    IEnumerable<DataLocation> Locations => [];

    /// <summary>The ids of the kinds an owner can delete through this module.</summary>
    IEnumerable<string> Deletable => [];

    /// <summary>How many items of a deletable kind are stored now (rows, segments), for the owner's overview.</summary>
    int Count(string kindId) =>
        throw new NotSupportedException($"'{kindId}' is not counted here.");

    /// <summary>Deletes one erasable kind and says how many items went.</summary>
    int DeleteKind(string kindId, ErasureRequest request) =>
        throw new NotSupportedException($"'{kindId}' cannot be erased here.");
}
