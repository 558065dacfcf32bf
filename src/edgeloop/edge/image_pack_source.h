// ImagePackSource: the images of an image pack (core/image_pack.h, written by `edgeloop data
// export NAME[:SPLIT] --out FILE`) streamed in file order, for `sim:FILE` on a device (demos and
// drift rehearsals on the very data a model was trained or tested on, with no workspace). The
// pack's sha256 is checked when it opens; an image that does not decode is reported as skipped.
// Optional pacing and looping. Created by open_frame_source(); one thread.
#pragma once

#include <filesystem>

#include "edgeloop/core/image_pack.h"
#include "edgeloop/edge/frame_pacer.h"
#include "edgeloop/edge/frame_source.h"

namespace edgeloop {

class ImagePackSource : public FrameSource {
 public:
  // Throws Error(kCorrupt) from ImagePack::open, Error(kNotFound) when the pack holds no image.
  ImagePackSource(const std::filesystem::path& file, const SourceOptions& options, Clock& clock);
  ReadResult read() override;
  bool is_live() const override { return false; }
  std::string description() const override;

 private:
  std::filesystem::path file_;
  ImagePack pack_;
  SourceOptions options_;
  Clock& clock_;
  FramePacer pacer_;
  size_t next_image_ = 0;
  int64_t next_index_ = 0;
};

}  // namespace edgeloop
