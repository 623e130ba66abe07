namespace Iris.Camera.Storage;

/// <summary>
/// A module whose rows hold fields sealed (or blind-indexed) under data keys. When a key is replaced, because the
/// storage key moved to another provider and a copy of the old sealed key may be carved from the old medium, the
/// holder moves its rows to the new key before the old one is destroyed (issue 12, Deliver 3).
/// </summary>
internal interface IFieldKeyHolder
{
    /// <summary>Whether any of this holder's rows are sealed or indexed under the key named.</summary>
    bool Holds(string keyName);

    /// <summary>
    /// In one transaction, seals again under <paramref name="next"/> every field that opens with
    /// <paramref name="current"/>. A field that does not open with it (moved by an earlier run cut short, redacted,
    /// damaged) is left as it is, so running it again after a crash is harmless. Returns the rows changed.
    /// </summary>
    int Reseal(string keyName, FieldKey current, FieldKey next);
}

/// <summary>Re-sealing helpers for <see cref="IFieldKeyHolder"/> implementations.</summary>
internal static class FieldReseal
{
    /// <summary>A sealed TEXT value moved to <paramref name="next"/>, or null when it does not open with <paramref name="current"/>.</summary>
    public static string? Text(string? stored, string context, FieldKey current, FieldKey next) =>
        current.OpenText(stored, context) is { } plain ? next.SealText(plain, context) : null;

    /// <summary>A sealed BLOB value moved to <paramref name="next"/>, or null when it does not open with <paramref name="current"/>.</summary>
    public static byte[]? Bytes(byte[]? stored, string context, FieldKey current, FieldKey next)
    {
        if (stored is null || current.Open(stored, context) is not { } plain)
        {
            return null;
        }

        try
        {
            return next.Seal(plain, context);
        }
        finally
        {
            System.Security.Cryptography.CryptographicOperations.ZeroMemory(plain);
        }
    }
}
