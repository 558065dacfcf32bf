// ImagePack: one file holding encoded images (PNG/JPEG bytes as stored), checked by a sha256 over
// the whole file. `edgeloop data export NAME[:SPLIT] --out FILE` writes it from a workspace
// dataset (data/dataset_export.h); the device streams it as `sim:FILE` (edge/image_pack_source.h),
// with no workspace and no registry. The format, in full (docs/formats.md):
//
//   "EDGELOOP-IMAGE-PACK 1\n"
//   one line of JSON: {"source": "fashion@2:test", "images": N, "labels": [class name per image]}
//   ("labels" is optional: packs exported from labelled data carry each image's true class, which
//   a `sim:` stream reports with its frames, so a simulated loop can be labelled by an oracle)
//   N times: the image's byte count (uint32, little-endian), then its bytes
//   "sha256 " + 64 lowercase hex digits of every byte before this line + "\n"
//
// Immutable once written; an opened pack is read-only and thread-safe.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace edgeloop {

class ImagePack {
 public:
  // Reads and checks the whole file. Throws Error(kNotFound) when absent, Error(kCorrupt) naming
  // the file and the fix when it is not a pack, is truncated or its sha256 does not match.
  static ImagePack open(const std::filesystem::path& file);
  // True when `file` starts like a pack (its first line); no check beyond that.
  static bool looks_like_pack(const std::filesystem::path& file);

  const std::string& source() const { return source_; }   // what it was exported from
  size_t size() const { return images_.size(); }
  std::string_view image(size_t index) const { return images_.at(index); }   // encoded bytes
  // The image's true class name as exported; "" when the pack carries no labels or the image had none.
  std::string truth(size_t index) const { return index < labels_.size() ? labels_[index] : std::string(); }

 private:
  std::string bytes_;                       // the whole file
  std::string source_;
  std::vector<std::string_view> images_;    // views into bytes_
  std::vector<std::string> labels_;         // [images] class names, or empty (no labels in the header)
};

// Writes the pack atomically (core/atomic_file.h). `source` names what the images come from;
// `labels`: empty, or one class name per image ("" for an unlabelled one).
void write_image_pack(const std::filesystem::path& file, const std::string& source,
                      const std::vector<std::string>& encoded_images, const std::vector<std::string>& labels = {});

}  // namespace edgeloop
