#include "edgeloop/data/preview.h"

#include <algorithm>
#include <map>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/data/sample_order.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop {

namespace {

constexpr int kLabelColumnPixels = 150;
constexpr int kGapPixels = 2;
constexpr double kFontScale = 0.45;
constexpr int kTextInsetPixels = 4;
const cv::Scalar kBackground(40, 40, 40);
const cv::Scalar kTextColor(255, 255, 255);

// Any 8-bit image → BGR for display; 3-channel pipeline output is RGB-ordered.
cv::Mat displayable(const cv::Mat& image, bool from_pipeline) {
  cv::Mat eight_bit = image;
  if (image.depth() != CV_8U) image.convertTo(eight_bit, CV_8U, image.depth() == CV_16U ? 1.0 / 257 : 255.0);
  cv::Mat bgr;
  switch (eight_bit.channels()) {
    case 1: cv::cvtColor(eight_bit, bgr, cv::COLOR_GRAY2BGR); break;
    case 4: cv::cvtColor(eight_bit, bgr, cv::COLOR_BGRA2BGR); break;
    default:
      if (from_pipeline) {
        cv::cvtColor(eight_bit, bgr, cv::COLOR_RGB2BGR);
      } else {
        bgr = eight_bit;
      }
  }
  return bgr;
}

// Scales into a square cell, keeping the aspect ratio; nearest-neighbour when enlarging keeps pixels crisp.
cv::Mat fit_cell(const cv::Mat& image, int cell) {
  const double scale = std::min(static_cast<double>(cell) / image.cols, static_cast<double>(cell) / image.rows);
  cv::Mat scaled;
  cv::resize(image, scaled, cv::Size(std::max(1, static_cast<int>(image.cols * scale)), std::max(1, static_cast<int>(image.rows * scale))),
             0, 0, scale > 1 ? cv::INTER_NEAREST : cv::INTER_AREA);
  cv::Mat cell_image(cell, cell, CV_8UC3, kBackground);
  scaled.copyTo(cell_image(cv::Rect((cell - scaled.cols) / 2, (cell - scaled.rows) / 2, scaled.cols, scaled.rows)));
  return cell_image;
}

}  // namespace

PreviewResult write_preview_grid(const Workspace& workspace, Registry& registry, const std::string& reference,
                                 const std::filesystem::path& out, const PreviewOptions& options) {
  if (options.per_class <= 0 || options.cell_pixels <= 0) throw invalid_argument("preview: --per-class must be at least 1");
  DatasetStore store(registry);
  const DatasetVersion version = store.resolve(reference);
  const std::vector<Sample> samples = store.samples(version.id);
  std::map<int, std::vector<size_t>> per_class;
  for (size_t index = 0; index < samples.size(); ++index) per_class[samples[index].label].push_back(index);
  if (per_class.empty()) throw invalid_argument(version.reference() + " has no samples to preview");

  ObjectStore objects(workspace);
  const int cell = options.cell_pixels;
  const int rows = static_cast<int>(per_class.size());
  cv::Mat grid(rows * (cell + kGapPixels) + kGapPixels,
               kLabelColumnPixels + options.per_class * (cell + kGapPixels) + kGapPixels, CV_8UC3, kBackground);
  PreviewResult result;
  int row = 0;
  for (const auto& [label, indices] : per_class) {
    const int top = kGapPixels + row * (cell + kGapPixels);
    const std::string name = label < 0 ? "(unlabeled)" : version.classes[label];
    cv::putText(grid, name, cv::Point(kTextInsetPixels, top + cell / 2), cv::FONT_HERSHEY_SIMPLEX, kFontScale, kTextColor);
    const std::vector<size_t> ordered = samples_in_key_order(samples, indices, options.seed);
    for (int column = 0; column < std::min<int>(options.per_class, static_cast<int>(ordered.size())); ++column) {
      const cv::Mat decoded = objects.decode(samples[ordered[column]].object_hash);
      const cv::Mat shown = options.pipeline ? displayable(options.pipeline->apply_uint8(decoded), true) : displayable(decoded, false);
      fit_cell(shown, cell).copyTo(grid(cv::Rect(kLabelColumnPixels + column * (cell + kGapPixels), top, cell, cell)));
      ++result.images;
    }
    ++row;
  }
  result.rows = rows;
  std::vector<uint8_t> png;
  if (!cv::imencode(".png", grid, png)) throw internal_error("preview: PNG encoding failed");
  write_file_atomically(out, std::span<const uint8_t>(png));
  return result;
}

}  // namespace edgeloop
