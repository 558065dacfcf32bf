#include "edgeloop/edge/sim_source.h"

namespace edgeloop {

SimSource::SimSource(std::unique_ptr<FrameSource> inner, FrameCorruption corruption)
    : inner_(std::move(inner)), corruption_(corruption) {}

ReadResult SimSource::read() {
  if (stop_requested()) return {};
  ReadResult result = inner_->read();
  disconnects_ = inner_->disconnects();
  if (result.status != ReadStatus::kFrame) return result;
  Frame& frame = result.frame;
  // An altered frame no longer is its file: captures then keep what the model saw, not the original.
  if (corruption_.kind != CorruptionKind::kNone && frame.index >= corruption_.from_frame) frame.origin.clear();
  if (corruption_.kind == CorruptionKind::kFrozen) {
    if (frame.index < corruption_.from_frame || frozen_image_.empty()) frozen_image_ = frame.image;
    if (frame.index >= corruption_.from_frame) frame.image = frozen_image_;
    return result;
  }
  frame.image = apply_frame_corruption(frame.image, corruption_, frame.index);
  return result;
}

std::string SimSource::description() const {
  return "sim of " + inner_->description() + ", corruption " + to_string(corruption_);
}

}  // namespace edgeloop
