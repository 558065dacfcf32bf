#include "edgeloop/edge/image_folder_source.h"

#include <algorithm>
#include <array>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/image_probe.h"
#include "edgeloop/core/untrusted_image.h"

namespace edgeloop {

bool is_image_file(const std::filesystem::path& path) {
  static constexpr std::array<std::string_view, 8> kExtensions{".png", ".jpg", ".jpeg", ".jpe", ".bmp",
                                                               ".tif", ".tiff", ".webp"};
  std::string extension = path.extension().string();
  std::transform(extension.begin(), extension.end(), extension.begin(), [](unsigned char c) { return std::tolower(c); });
  return std::find(kExtensions.begin(), kExtensions.end(), extension) != kExtensions.end();
}

ImageFolderSource::ImageFolderSource(const std::filesystem::path& folder, const SourceOptions& options, Clock& clock)
    : folder_(folder), options_(options), clock_(clock), pacer_(clock, options.fps) {
  std::error_code error;
  for (auto it = std::filesystem::recursive_directory_iterator(folder, error);
       !error && it != std::filesystem::recursive_directory_iterator(); it.increment(error)) {
    if (it->is_regular_file() && is_image_file(it->path())) files_.push_back(it->path());
  }
  if (error) throw io_error("source folder " + folder.string() + ": " + error.message());
  if (files_.empty()) {
    throw not_found("source folder " + folder.string() + " holds no images (png, jpg, bmp, tif, webp): point --source at one that does");
  }
  std::sort(files_.begin(), files_.end());
}

ReadResult ImageFolderSource::read() {
  if (stop_requested()) return {};
  if (next_file_ >= files_.size()) {
    if (!options_.loop) return {};
    next_file_ = 0;
  }
  const std::filesystem::path& file = files_[next_file_++];
  pacer_.wait();
  ReadResult result;
  // One read of the file, then the checked decode from memory (imread opens the file twice).
  cv::Mat image;
  try {
    const std::string encoded = read_file(file);
    image = decode_untrusted_image(encoded_bytes(encoded), kDefaultMaxMegapixels, cv::IMREAD_ANYCOLOR, file.string());
  } catch (const Error& error) {
    result.status = ReadStatus::kSkipped;
    result.detail = error.what();
    return result;
  }
  result.status = ReadStatus::kFrame;
  result.frame.image = std::move(image);
  result.frame.index = next_index_++;
  result.frame.capture_seconds = clock_.now_seconds();
  result.frame.wall_milliseconds = clock_.wall_milliseconds();
  result.frame.origin = file;
  return result;
}

std::string ImageFolderSource::description() const {
  return "folder " + folder_.string() + " (" + std::to_string(files_.size()) + " images" +
         (options_.loop ? ", looping" : "") + ")";
}

}  // namespace edgeloop
