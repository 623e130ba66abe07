using System.Globalization;
using System.Text;

namespace Iris.Camera.Rtsp;

/// <summary>
/// The SDP (RFC 8866) a DESCRIBE answers with: one media section per track, video first, each with its own
/// control URL (<c>trackID=N</c>, relative to Content-Base). H.264 per RFC 6184 8.1 (packetization-mode=1,
/// profile-level-id and sprop-parameter-sets from avcC); AAC per RFC 3640 as mpeg4-generic AAC-hbr with the
/// AudioSpecificConfig from esds.
/// </summary>
internal static class SessionDescription
{
    public static string Build(IReadOnlyList<Fmp4Track> tracks, double? frameRate, string sessionId)
    {
        var sdp = new StringBuilder();
        sdp.Append("v=0\r\n");
        sdp.Append(CultureInfo.InvariantCulture, $"o=- {sessionId} 1 IN IP4 0.0.0.0\r\n");
        sdp.Append("s=Iris live\r\n");
        sdp.Append("c=IN IP4 0.0.0.0\r\n");
        sdp.Append("t=0 0\r\n");
        sdp.Append("a=control:*\r\n");
        for (var i = 0; i < tracks.Count; i++)
        {
            var track = tracks[i];
            if (track.Avc is { } avc)
            {
                sdp.Append(CultureInfo.InvariantCulture, $"m=video 0 RTP/AVP {RtpPacketizer.VideoPayloadType}\r\n");
                sdp.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{RtpPacketizer.VideoPayloadType} H264/90000\r\n");
                var sets = string.Join(',', avc.Sps.Concat(avc.Pps).Select(Convert.ToBase64String));
                sdp.Append(CultureInfo.InvariantCulture,
                    $"a=fmtp:{RtpPacketizer.VideoPayloadType} packetization-mode=1;profile-level-id={Convert.ToHexString(avc.ProfileLevel)};sprop-parameter-sets={sets}\r\n");
                if (track.Width > 0 && track.Height > 0)
                {
                    sdp.Append(CultureInfo.InvariantCulture, $"a=x-dimensions:{track.Width},{track.Height}\r\n");
                }

                if (frameRate is > 0)
                {
                    sdp.Append(CultureInfo.InvariantCulture, $"a=framerate:{frameRate.Value:0.###}\r\n");
                }
            }
            else if (track.Aac is { } aac)
            {
                sdp.Append(CultureInfo.InvariantCulture, $"m=audio 0 RTP/AVP {RtpPacketizer.AudioPayloadType}\r\n");
                sdp.Append(CultureInfo.InvariantCulture, $"a=rtpmap:{RtpPacketizer.AudioPayloadType} MPEG4-GENERIC/{aac.SampleRate}/{aac.Channels}\r\n");
                sdp.Append(CultureInfo.InvariantCulture,
                    $"a=fmtp:{RtpPacketizer.AudioPayloadType} streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config={Convert.ToHexString(aac.AudioSpecificConfig)}\r\n");
            }

            sdp.Append(CultureInfo.InvariantCulture, $"a=control:trackID={i}\r\n");
        }

        return sdp.ToString();
    }
}
