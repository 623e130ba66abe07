using Iris.Camera.Storage;

namespace Iris.Camera.Media;

/// <summary>
/// The software shutter: while on, no frame is captured, streamed or recorded. Stored in the database, so it is
/// still on after a restart or power cut, and applied to the frame hub before the daemon serves anything.
/// </summary>
internal sealed class PrivacyMode(CameraDatabase database, FrameHub hub, LiveMediaFeed live, TimeProvider time)
{
    public const string SettingKey = "privacy.enabled";

    public bool Enabled => database.GetSetting(SettingKey) == "true";

    public void ApplyStored() => hub.SetPrivacy(Enabled);

    public void Set(bool enabled)
    {
        database.SetSetting(SettingKey, enabled ? "true" : "false", time.GetUtcNow());
        hub.SetPrivacy(enabled);
        if (enabled)
        {
            live.Restart(); // the encoded stream (picture and sound) ends now, not after the encoder's last fragment
        }
    }
}
