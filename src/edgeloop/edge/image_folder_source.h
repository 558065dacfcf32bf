// ImageFolderSource: the images under a folder (recursively), in sorted path order, decoded with
// decode_untrusted_image (the device's pixel cap, kDefaultMaxMegapixels); optional pacing and
// looping. A file that is refused or does not decode is reported as skipped, with the reason.
// Created by open_frame_source(); one thread.
#pragma once

#include <vector>

#include "edgeloop/edge/frame_pacer.h"
#include "edgeloop/edge/frame_source.h"

namespace edgeloop {

class ImageFolderSource : public FrameSource {
 public:
  // Throws Error(kNotFound) when the folder holds no image files.
  ImageFolderSource(const std::filesystem::path& folder, const SourceOptions& options, Clock& clock);
  ReadResult read() override;
  bool is_live() const override { return false; }
  std::string description() const override;
  size_t image_count() const { return files_.size(); }

 private:
  std::filesystem::path folder_;
  SourceOptions options_;
  Clock& clock_;
  FramePacer pacer_;
  std::vector<std::filesystem::path> files_;
  size_t next_file_ = 0;
  int64_t next_index_ = 0;
};

// True for the file extensions of the formats decode_untrusted_image accepts (png, jpg, jpeg, jpe,
// bmp, tif, tiff, webp).
bool is_image_file(const std::filesystem::path& path);

}  // namespace edgeloop
