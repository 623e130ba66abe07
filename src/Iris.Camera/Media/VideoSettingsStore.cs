using System.Text.Json;
using Iris.Camera.Vault;
using Microsoft.Extensions.Logging;

namespace Iris.Camera.Media;

/// <summary>
/// The video settings an administrator changed at run time, kept apart from the options (which stay what the
/// configuration said): sealed in the vault (a stream URL may hold the camera's password), checked by
/// <see cref="VideoSourceRules"/> before anything changes, and read by the frame sources through
/// <see cref="Active"/>. Shown with credentials masked.
/// </summary>
internal sealed partial class VideoSettingsStore(SecretVault vault, MediaOptions options, ILogger<VideoSettingsStore> logger) : IActiveVideoSettings
{
    public const string VaultItem = "video-settings";
    private volatile ActiveVideo _active = ActiveVideo.From(options);

    public ActiveVideo Active => _active;

    /// <summary>Loads what was saved; settings the current rules refuse are ignored (and logged), the configuration applies.</summary>
    public void ApplyStored()
    {
        using var read = vault.Unseal(VaultItem);
        if (read.Status != VaultReadStatus.Ok || JsonSerializer.Deserialize(read.Secret, MediaJson.Default.VideoSettings) is not { } stored)
        {
            return;
        }

        var candidate = ActiveVideo.From(options).With(stored);
        var problems = VideoSourceRules.Check(candidate, HasStreamTrust);
        if (problems.Count > 0)
        {
            LogStoredRefused(logger, string.Join(", ", problems.Select(p => p.Field)));
            return;
        }

        _active = candidate;
    }

    /// <summary>Every reason <paramref name="settings"/> cannot be used, by field; empty when they can.</summary>
    public Dictionary<string, string[]> Check(VideoSettings settings)
    {
        var problems = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var (field, message) in VideoSourceRules.Check(Resolve(settings), HasStreamTrust))
        {
            problems[field] = [.. problems.GetValueOrDefault(field, []), message];
        }

        return problems;
    }

    /// <summary>Seals and applies settings that passed <see cref="Check"/>; the frame hub must restart capture afterwards.</summary>
    public void Save(VideoSettings settings)
    {
        var resolved = Resolve(settings);
        var stored = new VideoSettings
        {
            Source = resolved.Source, Device = resolved.Device, StreamUrl = resolved.StreamUrl,
            Width = resolved.Width, Height = resolved.Height, FramesPerSecond = resolved.FramesPerSecond, Microphone = resolved.Microphone,
        };
        vault.Seal(VaultItem, JsonSerializer.SerializeToUtf8Bytes(stored, MediaJson.Default.VideoSettings));
        _active = resolved;
    }

    public VideoSettingsView Show(string signal)
    {
        var active = _active;
        return new VideoSettingsView(active.Source, active.Device, MaskCredentials(active.StreamUrl), active.Width, active.Height, active.FramesPerSecond, signal, active.Microphone);
    }

    /// <summary>
    /// Where the video source connects now, for the service manifest: "https://HOST[:PORT]" (no credentials, no
    /// path) while an https:// stream is the source, otherwise "off".
    /// </summary>
    public string OutgoingStreamEndpoint()
    {
        var active = _active;
        return active.Source == MediaOptions.StreamSource && VideoSourceRules.StreamUrlProblem(active.StreamUrl) is null
            ? VideoSourceRules.Destination(active.StreamUrl)
            : "off";
    }

    public static string MaskCredentials(string url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.UserInfo.Length > 0
            ? url.Replace(uri.UserInfo + "@", "***@", StringComparison.Ordinal)
            : url;

    private bool HasStreamTrust => !string.IsNullOrWhiteSpace(options.StreamCaCertificateFile);

    /// <summary>The settings in force after applying <paramref name="settings"/>.</summary>
    private ActiveVideo Resolve(VideoSettings settings)
    {
        var current = _active;
        // The form shows the URL masked; sent back unchanged, it means "keep the stored one".
        var keepUrl = settings.StreamUrl is not null && settings.StreamUrl == MaskCredentials(current.StreamUrl);
        return current.With(settings) with { StreamUrl = keepUrl ? current.StreamUrl : settings.StreamUrl ?? current.StreamUrl };
    }

    [LoggerMessage(EventId = 4402, Level = LogLevel.Warning, Message = "The stored video settings are no longer accepted ({Fields}); the configured ones apply.")]
    private static partial void LogStoredRefused(ILogger logger, string fields);
}
