#!/usr/bin/python3
"""A loopback RTSP server for the edge tests: GStreamer's RTSP server (gir1.2-gst-rtsp-server-1.0)
serving a generated MJPEG stream at rtsp://127.0.0.1:PORT/test, 64x48 at 30 fps. Prints "ready"
once it listens; runs until killed. Usage: rtsp_server.py PORT"""
import sys

import gi

gi.require_version("Gst", "1.0")
gi.require_version("GstRtspServer", "1.0")
from gi.repository import GLib, Gst, GstRtspServer  # noqa: E402

PIPELINE = ("( videotestsrc is-live=true pattern=ball ! video/x-raw,format=I420,width=64,height=48,framerate=30/1 "
            "! jpegenc ! rtpjpegpay name=pay0 pt=26 )")


def main():
    Gst.init(None)
    server = GstRtspServer.RTSPServer()
    server.set_address("127.0.0.1")
    server.set_service(sys.argv[1])
    factory = GstRtspServer.RTSPMediaFactory()
    factory.set_launch(PIPELINE)
    factory.set_shared(True)
    server.get_mount_points().add_factory("/test", factory)
    if server.attach(None) == 0:
        print("cannot listen on port " + sys.argv[1], flush=True)
        return 1
    print("ready", flush=True)
    GLib.MainLoop().run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
