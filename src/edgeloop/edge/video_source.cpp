#include "edgeloop/edge/video_source.h"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "edgeloop/core/error.h"
#include "edgeloop/core/untrusted_video.h"

namespace edgeloop {
namespace {

constexpr double kStopCheckSeconds = 0.05;   // backoff waits are cut into slices this long

}  // namespace

VideoSource::VideoSource(std::string location, VideoKind kind, const SourceOptions& options, Clock& clock)
    : location_(std::move(location)), kind_(kind), options_(options), clock_(clock), pacer_(clock, options.fps) {
  if (open()) return;
  if (!is_live()) {
    throw invalid_argument("video " + location_ + " cannot be opened by OpenCV (missing file or codec): check the path or convert it to mp4/avi");
  }
  spdlog::warn("source {} is not available yet; retrying with backoff", location_);
  backoff_seconds_ = options_.reconnect_initial_seconds;
}

bool VideoSource::open() {
  try {
    capture_.release();
    bool opened = false;
    if (kind_ == VideoKind::kCamera) {
      const bool is_index = !location_.empty() && std::all_of(location_.begin(), location_.end(), ::isdigit);
      opened = is_index ? capture_.open(std::stoi(location_), cv::CAP_V4L2) : capture_.open(location_, cv::CAP_V4L2);
    } else {
      opened = open_untrusted_video(capture_, location_);
    }
    if (opened) native_fps_ = capture_.get(cv::CAP_PROP_FPS);
    return opened && capture_.isOpened();
  } catch (const cv::Exception& error) {
    spdlog::warn("source {}: {}", location_, error.what());
    return false;
  }
}

bool VideoSource::wait_backoff() {
  double remaining = backoff_seconds_;
  while (remaining > 0 && !stop_requested()) {
    const double slice = std::min(remaining, kStopCheckSeconds);
    clock_.sleep_for_seconds(slice);
    remaining -= slice;
  }
  return !stop_requested();
}

ReadResult VideoSource::disconnected(const std::string& detail) {
  ReadResult result;
  result.status = ReadStatus::kDisconnected;
  result.detail = location_ + ": " + detail;
  return result;
}

ReadResult VideoSource::read() {
  if (stop_requested()) return {};
  if (backoff_seconds_ > 0) {
    if (!wait_backoff()) return {};
    if (!open()) {
      backoff_seconds_ = std::min(backoff_seconds_ * 2, options_.reconnect_max_seconds);
      return disconnected("reconnect failed; next attempt in " + std::to_string(backoff_seconds_) + " s");
    }
    spdlog::info("source {} reconnected", location_);
    backoff_seconds_ = 0;
  }
  pacer_.wait();
  cv::Mat image;
  bool got_frame = false;
  try {
    got_frame = capture_.read(image) && !image.empty();
    if (!got_frame && !is_live() && options_.loop && open()) got_frame = capture_.read(image) && !image.empty();
  } catch (const cv::Exception& error) {
    spdlog::warn("source {}: {}", location_, error.what());
  }
  if (!got_frame) {
    if (!is_live()) return {};
    capture_.release();
    ++disconnects_;
    backoff_seconds_ = options_.reconnect_initial_seconds;
    return disconnected(kind_ == VideoKind::kCamera ? "camera lost" : "stream ended or lost");
  }
  ReadResult result;
  result.status = ReadStatus::kFrame;
  result.frame.image = std::move(image);
  result.frame.index = next_index_++;
  result.frame.capture_seconds = clock_.now_seconds();
  result.frame.wall_milliseconds = clock_.wall_milliseconds();
  return result;
}

std::string VideoSource::description() const {
  const char* kind = kind_ == VideoKind::kFile ? "video" : kind_ == VideoKind::kCamera ? "camera" : "stream";
  return std::string(kind) + " " + location_ + (is_live() ? " (live)" : "");
}

}  // namespace edgeloop
