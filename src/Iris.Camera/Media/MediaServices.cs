using Iris.Camera.Web;

namespace Iris.Camera.Media;

/// <summary>The video source's outgoing connection: only while an administrator has chosen an HTTPS stream.</summary>
internal sealed class MediaServices(VideoSettingsStore video) : IDeclaresServices
{
    public IEnumerable<ServiceDeclaration> Outgoing =>
    [
        new ServiceDeclaration(
            "video-stream",
            "tcp",
            video.OutgoingStreamEndpoint() is "off" ? "off until configured" : video.OutgoingStreamEndpoint(),
            "TLS 1.2/1.3, ECDHE with AES-GCM only; server certificate must chain to the configured stream CA; no redirects",
            "The camera's picture from a network camera or encoder (MJPEG or MPEG-TS over HTTPS), read by the daemon and piped to ffmpeg.",
            MediaOptions.SectionName + ":StreamCaCertificateFile and the video settings (PUT /api/media/video)"),
    ];
}
