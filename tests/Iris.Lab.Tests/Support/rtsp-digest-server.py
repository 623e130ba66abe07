# A real RTSP server (GStreamer's gst-rtsp-server) that serves one test stream at / to one user, with Digest
# authentication only, as many cameras run it. Usage: rtsp-digest-server.py PORT USER PASSWORD
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtsp", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtsp, GstRtspServer  # noqa: E402

Gst.init(None)
port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
server = GstRtspServer.RTSPServer()
server.set_address("127.0.0.1")
server.set_service(port)
factory = GstRtspServer.RTSPMediaFactory()
# Not live, so the stream prerolls at once and DESCRIBE is answered quickly even on a loaded machine.
factory.set_launch("( videotestsrc ! video/x-raw,format=I420,width=64,height=48,framerate=5/1 ! jpegenc ! rtpjpegpay name=pay0 pt=26 )")
factory.set_shared(True)
permissions = GstRtspServer.RTSPPermissions()
permissions.add_permission_for_role("viewer", "media.factory.access", True)
permissions.add_permission_for_role("viewer", "media.factory.construct", True)
factory.set_permissions(permissions)
auth = GstRtspServer.RTSPAuth()
auth.set_supported_methods(GstRtsp.RTSPAuthMethod.DIGEST)
token = GstRtspServer.RTSPToken()
token.set_string("media.factory.role", "viewer")
auth.add_digest(user, password, token)
server.set_auth(auth)
server.get_mount_points().add_factory("/", factory)
server.attach(None)
print("listening", flush=True)
GLib.MainLoop().run()
