namespace Iris.Camera.Storage;

/// <summary>
/// Warns when the data directory lies on a file system that journals file data (ext3/ext4 <c>data=journal</c>):
/// there every block written, the storage key file included, is written to the journal first, and the copy stays
/// there until the journal wraps, so overwriting the key in place (a factory reset with the file key) does not
/// erase it. Only a token's key is destroyed for real there (outside review of issue 12, F3).
/// </summary>
internal static partial class DataJournalCheck
{
    /// <summary>Whether, in <c>/proc/self/mountinfo</c> text, the mount holding <paramref name="path"/> journals file data.</summary>
    public static bool JournalsData(string mountInfo, string path)
    {
        var full = Path.GetFullPath(path).TrimEnd('/') + "/";
        string? best = null;
        var journals = false;
        foreach (var line in mountInfo.Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
            var fields = line.Split(' ');
            var separator = Array.IndexOf(fields, "-");
            if (fields.Length < 6 || separator < 0 || separator + 3 >= fields.Length)
            {
                continue;
            }

            var mountPoint = fields[4].Replace("\\040", " ", StringComparison.Ordinal).TrimEnd('/') + "/";
            if (full.StartsWith(mountPoint, StringComparison.Ordinal) && (best is null || mountPoint.Length >= best.Length))
            {
                best = mountPoint;
                journals = fields[separator + 3].Split(',').Contains("data=journal", StringComparer.Ordinal);
            }
        }

        return journals;
    }

    public static void WarnIfJournalled(string dataDirectory, bool tokenKey, ILogger logger)
    {
        const string MountInfo = "/proc/self/mountinfo";
        if (!tokenKey && File.Exists(MountInfo) && JournalsData(File.ReadAllText(MountInfo), dataDirectory))
        {
            LogJournalled(logger, dataDirectory);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The data directory {Directory} is on a file system mounted with data=journal: overwriting the file storage key in place does not erase the copy in the journal, so a factory reset is not a crypto-erase here. Keep the storage key in a token (Iris:Vault:Provider = pkcs11) or mount without data=journal.")]
    private static partial void LogJournalled(ILogger logger, string directory);
}
