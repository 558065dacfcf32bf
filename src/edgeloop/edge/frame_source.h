// FrameSource: where frames come from — an image folder, a video file, a camera, an RTSP/HTTP
// stream, an image pack, or `sim:` (any of these with injected corruption). open_frame_source()
// reads the --source text. Live sources (cameras, streams) reconnect with backoff and report each
// disconnect; file sources end. Called by the pipeline's capture thread; a source is used by one
// thread, except request_stop(), which any thread may call to end a read or a backoff wait.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>

#include <opencv2/core.hpp>

#include "edgeloop/edge/clock.h"
#include "edgeloop/edge/frame_corruption.h"

namespace edgeloop {

struct Frame {
  cv::Mat image;                 // 8-bit gray or BGR, as decoded; never modified after capture
  int64_t index = 0;             // 0, 1, 2, ... in capture order
  double capture_seconds = 0;    // Clock::now_seconds() at capture
  int64_t wall_milliseconds = 0; // Unix time at capture
  std::filesystem::path origin;  // the image file it came from (folder sources, unaltered), else empty
  std::string truth;             // the true class name when the source knows it (image packs exported
                                 // with labels: simulated streams), else empty
  int64_t item = -1;             // the image's position in its pack (repeats with --loop), else -1
};

enum class ReadStatus {
  kFrame,          // `frame` holds the next frame
  kSkipped,        // a file could not be decoded; `detail` says which (the run goes on)
  kDisconnected,   // a live source lost its device or stream; the next read() reconnects
  kEnd,            // a file source is done (or stop was requested)
};

struct ReadResult {
  ReadStatus status = ReadStatus::kEnd;
  Frame frame;
  std::string detail;
};

struct SourceOptions {
  double fps = 0.0;                    // pace frames to this rate (folders, files, sim); 0 = as fast as read
  bool loop = false;                   // restart a folder or video file at its end
  bool treat_as_live = false;          // a file behaves like a camera: its end is a disconnect (demos, tests)
  double reconnect_initial_seconds = 0.5;   // first backoff after a disconnect
  double reconnect_max_seconds = 30.0;      // backoff doubles up to this
  FrameCorruption corruption;          // sim: only; kind kNone = clean
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  virtual ReadResult read() = 0;
  virtual bool is_live() const = 0;               // drop-oldest when behind (live) or backpressure (files)
  virtual std::string description() const = 0;    // e.g. "folder /data/images (120 images)"
  int64_t disconnects() const { return disconnects_; }
  void request_stop() { stop_requested_ = true; }

 protected:
  bool stop_requested() const { return stop_requested_; }
  std::atomic<int64_t> disconnects_{0};

 private:
  std::atomic<bool> stop_requested_{false};
};

// "DIR" (images), "FILE.avi|mp4|mkv|...", "/dev/videoN", "N" (camera index), "rtsp://..." /
// "http(s)://...", an image pack (edge/image_pack_source.h) or "sim:" + any of these. Throws Error(kNotFound / kInvalidArgument)
// naming the source and the fix when it does not exist or cannot be opened.
std::unique_ptr<FrameSource> open_frame_source(const std::string& spec, const SourceOptions& options,
                                               Clock& clock = system_clock());

}  // namespace edgeloop
