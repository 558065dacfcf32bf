// VideoSource: frames through OpenCV's VideoCapture — a video file, a camera (/dev/videoN or an
// index, V4L2) or a stream URL (rtsp://, http://); files and streams through FFmpeg alone
// (core/untrusted_video.h). Live sources reconnect with exponential backoff after a lost device or
// stream, counting each disconnect. Created by open_frame_source(); one thread, plus request_stop()
// from any thread.
#pragma once

#include <opencv2/videoio.hpp>

#include "edgeloop/edge/frame_pacer.h"
#include "edgeloop/edge/frame_source.h"

namespace edgeloop {

enum class VideoKind { kFile, kCamera, kStream };

class VideoSource : public FrameSource {
 public:
  // Opens at once; throws Error(kNotFound / kInvalidArgument) naming the location when a file
  // cannot be opened. A live source that is down at start is retried on read().
  VideoSource(std::string location, VideoKind kind, const SourceOptions& options, Clock& clock);
  ReadResult read() override;
  bool is_live() const override { return kind_ != VideoKind::kFile || options_.treat_as_live; }
  std::string description() const override;
  double native_fps() const { return native_fps_; }   // as the container reports it; 0 if unknown

 private:
  bool open();
  bool wait_backoff();                 // false when stop was requested during the wait
  ReadResult disconnected(const std::string& detail);

  std::string location_;
  VideoKind kind_;
  SourceOptions options_;
  Clock& clock_;
  FramePacer pacer_;
  cv::VideoCapture capture_;
  double native_fps_ = 0.0;
  double backoff_seconds_ = 0.0;       // 0 while connected
  int64_t next_index_ = 0;
};

}  // namespace edgeloop
