using Iris.Camera.Web;

namespace Iris.Camera.Rtsp;

/// <summary>The RTSPS listener, declared only while it is turned on: the manifest lists what listens, nothing else.</summary>
internal sealed class RtspServices(RtspServer server, RtspOptions options) : IDeclaresServices
{
    public IEnumerable<ServiceDeclaration> Listeners =>
        server.IsTurnedOn
            ?
            [
                new ServiceDeclaration(
                    "rtsps",
                    "tcp",
                    server.LocalEndpoint?.ToString() ?? options.Listen,
                    TlsPolicy.Describe + "; Basic authentication with the camera's accounts inside TLS; no plaintext RTSP",
                    "Live H.264/AAC for recorders and home automation (RTSP 1.0, RTP interleaved in the TLS connection).",
                    RtspOptions.SectionName + ":Listen; turned on and off with PUT /api/rtsp"),
            ]
            : [];
}
