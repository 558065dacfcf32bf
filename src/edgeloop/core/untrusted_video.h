// open_untrusted_video: the one way to open a video file or stream URL that came from outside
// (`edgeloop data import clip.mp4`, the device's --source): through OpenCV's FFmpeg backend alone.
// Called by the video importer (data/) and the device's VideoSource (edge/). Header-only, so that
// core does not link opencv_videoio: its callers do. Thread-safe for distinct captures.
//
// cv::VideoCapture::open(name) with CAP_ANY tries every backend: CAP_IMAGES reads the name as an
// image (or an img_%03d.png sequence) through cv::imread, so through every imgcodecs decoder (a
// DICOM file named clip.mp4 reached GDCM, whose assert aborted the process), CAP_OPENCV_MJPEG hands
// each frame of an MJPEG AVI to cv::imdecode unchecked, and GStreamer brings whatever plugins are
// installed. FFmpeg reads the files and the rtsp:// and http:// streams the docs name; still images
// come in as folders, through decode_untrusted_image (core/untrusted_image.h).
#pragma once

#include <string>

#include <opencv2/videoio.hpp>

namespace edgeloop {

// True when FFmpeg opened `location` into `capture`. Lets cv::Exception through.
inline bool open_untrusted_video(cv::VideoCapture& capture, const std::string& location) {
  return capture.open(location, cv::CAP_FFMPEG) && capture.isOpened();
}

}  // namespace edgeloop
