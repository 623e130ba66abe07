using Iris.Camera.Storage;

namespace Iris.Camera.Vault;

/// <summary>
/// Replaces every database field key after the storage key moved to another provider (issue 12, Deliver 3). Before
/// the move each <c>data-key.*</c> item was sealed by the old provider, and a copy of it, with the old file key, may
/// be carved from the old medium; re-sealing the same key under the token would leave every row open to that copy.
/// So each key gets a new one: staged first (<c>data-key-next.NAME</c>), then every module holding rows under it
/// seals them again under the new key in one transaction, the WAL is scrubbed of the old page images, and only
/// then is the old key shredded and the new one put in its place. The list of keys still to do is durable, and each
/// step is idempotent, so a crash at any point is finished at the next start.
/// </summary>
internal sealed partial class DataKeyRotation(SecretVault vault, VaultDataKeys keys, CameraDatabase database, IEnumerable<IFieldKeyHolder> holders,
    ILogger<DataKeyRotation> logger)
{
    /// <summary>
    /// Records every field key in the vault as to be replaced, in ordinal order: per-account keys
    /// (<c>account.ID</c>) come before the username index key (<c>accounts</c>), whose rows are re-indexed from the
    /// names the account keys open.
    /// </summary>
    public static void Request(SecretVault vault)
    {
        var names = vault.List()
            .Where(n => n.StartsWith(VaultDataKeys.ItemPrefix, StringComparison.Ordinal))
            .Select(n => n[VaultDataKeys.ItemPrefix.Length..])
            .Order(StringComparer.Ordinal)
            .ToList();
        if (names.Count > 0 && vault.DataKeysToRotate() is null)
        {
            vault.SetDataKeysToRotate(names);
        }
    }

    /// <param name="reached">Told each step as it completes (crash tests kill the process there).</param>
    /// <returns>How many keys were replaced.</returns>
    public int Run(Action<string>? reached = null)
    {
        if (vault.DataKeysToRotate() is not { } pending)
        {
            return 0;
        }

        var remaining = new List<string>(pending);
        var replaced = 0;
        while (remaining.Count > 0)
        {
            var name = remaining[0];
            if (Replace(name, reached))
            {
                replaced++;
            }

            remaining.RemoveAt(0);
            vault.SetDataKeysToRotate(remaining);
        }

        LogRotated(logger, replaced);
        return replaced;
    }

    private bool Replace(string name, Action<string>? reached)
    {
        if (!keys.IsStaged(name) && keys.Find(name) is null)
        {
            return false; // destroyed since the rotation was requested: nothing to move
        }

        using var next = keys.StageNext(name);
        reached?.Invoke("next data key sealed " + name);
        if (keys.Find(name) is { } current)
        {
            foreach (var holder in holders.Where(h => h.Holds(name)))
            {
                holder.Reseal(name, current, next);
            }

            // The old rows' page images in the WAL are sealed under the old key: scrubbed before it goes.
            database.Compact();
            reached?.Invoke("rows re-sealed " + name);
        }

        keys.CompleteRotation(name);
        reached?.Invoke("data key replaced " + name);
        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Database field keys replaced after the storage key moved: {Count} key(s), every row re-sealed.")]
    private static partial void LogRotated(ILogger logger, int count);
}
