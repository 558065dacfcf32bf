// SimSource: `sim:DIR_OR_FILE` — another source's frames with an injected corruption from a
// chosen frame on (brightness, contrast, noise, blur, occlusion, black, frozen), for demos,
// drift and camera-health rehearsals and benchmarks. A corrupted frame loses its `origin` (it is
// no longer that file's image, so a capture stores the frame itself); its `truth` (image packs)
// stays. Created by open_frame_source(); one thread.
#pragma once

#include "edgeloop/edge/frame_source.h"

namespace edgeloop {

class SimSource : public FrameSource {
 public:
  SimSource(std::unique_ptr<FrameSource> inner, FrameCorruption corruption);
  ReadResult read() override;
  bool is_live() const override { return inner_->is_live(); }
  std::string description() const override;

 private:
  std::unique_ptr<FrameSource> inner_;
  FrameCorruption corruption_;
  cv::Mat frozen_image_;   // the last clean frame, repeated once a frozen corruption starts
};

}  // namespace edgeloop
