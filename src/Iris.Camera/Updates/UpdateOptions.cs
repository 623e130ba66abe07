namespace Iris.Camera.Updates;

/// <summary>Settings of the update agent (section Iris:Updates).</summary>
public sealed class UpdateOptions : Platform.IBoundSettings<UpdateOptions>
{
    public const string SectionName = "Iris:Updates";

    public static UpdateOptions? Bind(IConfiguration section) => section.Get<UpdateOptions>(Platform.SettingsBinding.Strict);

    /// <summary>Base HTTPS address of the vendor's static repository (metadata/ and targets/ beneath it).</summary>
    public string? RepositoryUrl { get; set; }

    /// <summary>PEM file with the only CA the update client trusts for the repository's server certificate.</summary>
    public string? CaCertificateFile { get; set; }

    /// <summary>Root metadata the device ships with (version 1); copied into the data directory on first start.</summary>
    public string? TrustedRootFile { get; set; }

    /// <summary>
    /// A PKCS#8 PEM file with the update key provisioned by the factory (the key releases are wrapped for). It is
    /// sealed into the vault and the file is deleted. Without one the device makes its own key.
    /// </summary>
    public string? UpdateKeyFile { get; set; }

    public TimeSpan CheckInterval { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Delay of the first check after start, so a boot storm does not hit the repository at once.</summary>
    public TimeSpan FirstCheckDelay { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Trial boots a new slot gets before the launcher rolls back.</summary>
    public int BootTries { get; set; } = 3;

    /// <summary>Installer kind: "directory" (application A/B, default) or "image" (root file system A/B).</summary>
    public string SlotKind { get; set; } = "directory";

    /// <summary>For the image installer: slot name (a, b) → block device or image file.</summary>
    public Dictionary<string, string> SlotImages { get; set; } = [];

    /// <summary>
    /// Longest wait for the next bytes of a download (or for the answer to a request) before it is given up as
    /// stalled; a partial bundle resumes at the next attempt (slow-retrieval defence).
    /// </summary>
    public TimeSpan DownloadReadTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Slowest average a download may run at over each minute before it is given up (slow-retrieval defence):
    /// a repository, or someone between it and the device, that drips data keeps the device from its fixes.
    /// The default, 4 KiB/s, still fetches a 100 MB bundle within a day over a poor link.
    /// </summary>
    public long DownloadMinimumBytesPerSecond { get; set; } = 4096;

    public bool IsConfigured => !string.IsNullOrWhiteSpace(RepositoryUrl);

    public SlowRetrievalLimits SlowRetrieval => new(DownloadReadTimeout, DownloadMinimumBytesPerSecond);

    public IEnumerable<string> Validate()
    {
        if (CheckInterval < TimeSpan.FromMinutes(1) || CheckInterval > TimeSpan.FromDays(31))
        {
            yield return $"{SectionName}:CheckInterval must be between 1 minute and 31 days.";
        }

        if (BootTries is < 1 or > 10)
        {
            yield return $"{SectionName}:BootTries must be 1-10.";
        }

        if (DownloadReadTimeout < TimeSpan.FromSeconds(1) || DownloadReadTimeout > TimeSpan.FromMinutes(10))
        {
            yield return $"{SectionName}:DownloadReadTimeout must be between 1 second and 10 minutes.";
        }

        if (DownloadMinimumBytesPerSecond is < 64 or > 100L * 1024 * 1024)
        {
            yield return $"{SectionName}:DownloadMinimumBytesPerSecond must be between 64 and 104857600 (a download must keep moving).";
        }

        if (SlotKind is not ("directory" or "image"))
        {
            yield return $"{SectionName}:SlotKind must be 'directory' or 'image'.";
        }

        if (!IsConfigured)
        {
            yield break;
        }

        if (!Uri.TryCreate(RepositoryUrl, UriKind.Absolute, out var uri) || uri.Scheme != Uri.UriSchemeHttps)
        {
            yield return $"{SectionName}:RepositoryUrl must be an https:// address (updates never travel in plaintext).";
        }

        if (string.IsNullOrWhiteSpace(CaCertificateFile) || !File.Exists(CaCertificateFile))
        {
            yield return $"{SectionName}:CaCertificateFile must name the update CA's PEM file.";
        }

        if (string.IsNullOrWhiteSpace(TrustedRootFile) || !File.Exists(TrustedRootFile))
        {
            yield return $"{SectionName}:TrustedRootFile must name the shipped root metadata.";
        }
    }
}
