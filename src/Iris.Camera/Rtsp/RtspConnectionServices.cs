using Iris.Camera.Accounts;
using Iris.Camera.Media;

namespace Iris.Camera.Rtsp;

/// <summary>What every RTSPS connection uses, resolved once.</summary>
internal sealed record RtspConnectionServices(
    RtspOptions Options, MediaOptions Media, RtspAuthenticator Authenticator, SessionStore Sessions, PrivacyMode Privacy,
    LiveViewAdmission Admission, TimeProvider Time, ILogger<RtspConnection> Logger);
