// The video import source: every N-th frame, or a given number of frames per second, as an
// unlabeled set of PNG frames.
#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/videoio.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/core/untrusted_video.h"
#include "edgeloop/data/import_source.h"

namespace edgeloop {

namespace fs = std::filesystem;

ImportSource read_video_source(const fs::path& video, const ImportOptions& options) {
  cv::VideoCapture capture;
  bool opened = false;
  try {
    opened = open_untrusted_video(capture, video.string());
  } catch (const cv::Exception& error) {
    throw invalid_argument("cannot open video " + video.string() + ": " + error.what());
  }
  if (!opened) {
    throw invalid_argument("cannot open video " + video.string() + ": it is not a video this OpenCV can read (try mp4 or avi)");
  }
  int every = options.video_every;
  if (every <= 0) {
    if (options.video_rate <= 0) throw invalid_argument("video import: give --every N or --rate FPS greater than 0");
    const double frames_per_second = capture.get(cv::CAP_PROP_FPS);
    every = frames_per_second > 0 ? std::max(1, static_cast<int>(std::lround(frames_per_second / options.video_rate))) : 1;
  }
  ImportSource result;
  result.format = "video";
  const std::string name = video.filename().string();
  cv::Mat frame;
  for (int64_t index = 0; capture.read(frame); ++index) {
    if (index % every != 0 || frame.empty()) continue;
    ImportItem item;
    item.origin = name + "#frame=" + std::to_string(index);
    std::vector<uint8_t> bytes;
    if (!cv::imencode(".png", frame, bytes)) {
      item.reject_reason = "frame could not be encoded";
    } else {
      item.encoded.assign(bytes.begin(), bytes.end());
    }
    result.items.push_back(std::move(item));
  }
  if (result.items.empty()) throw invalid_argument("video " + video.string() + " has no readable frames");
  return result;
}

}  // namespace edgeloop
