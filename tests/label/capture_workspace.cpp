#include "label/capture_workspace.h"

#include <cstdio>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/data/importer.h"

namespace edgeloop::testing {

namespace {

constexpr int kImageSide = 8;

cv::Mat seeded_capture(int seed) {
  cv::Mat image(kImageSide, kImageSide, CV_8UC1);
  for (int index = 0; index < kImageSide * kImageSide; ++index) image.data[index] = static_cast<uint8_t>((seed * 37 + index * 11) % 256);
  return image;
}

Json sidecar_for(const CaptureSpec& spec, const std::string& image_name) {
  Json top_k = Json::array();
  const double rest = (1.0 - spec.score) / (kCaptureClasses.size() - 1);
  top_k.push_back({{"label", kCaptureClasses[spec.suggested]}, {"class", spec.suggested}, {"score", spec.score}});
  for (size_t index = 0; index < kCaptureClasses.size(); ++index) {
    if (static_cast<int>(index) == spec.suggested) continue;
    top_k.push_back({{"label", kCaptureClasses[index]}, {"class", index}, {"score", rest}});
  }
  Json sidecar{{"label", kCaptureClasses[spec.suggested]}, {"class", spec.suggested}, {"score", spec.score}, {"top_k", top_k},
               {"reason", "low_confidence"}, {"image", image_name}, {"source", "test"}};
  if (!spec.truth.empty()) sidecar["truth"] = spec.truth;
  return sidecar;
}

}  // namespace

void write_capture_folder(const std::filesystem::path& folder, const std::vector<CaptureSpec>& specs) {
  std::filesystem::create_directories(folder);
  for (size_t index = 0; index < specs.size(); ++index) {
    char stem[16];
    std::snprintf(stem, sizeof(stem), "%04zu", index);
    const std::string image_name = std::string(stem) + ".png";
    cv::imwrite((folder / image_name).string(), seeded_capture(static_cast<int>(index)));
    if (!specs[index].sidecar) continue;
    const Json sidecar = specs[index].sidecar_override.is_null() ? sidecar_for(specs[index], image_name) : specs[index].sidecar_override;
    write_file_atomically(folder / (std::string(stem) + ".json"), sidecar.dump());
  }
}

std::vector<CaptureSpec> varied_captures(int count) {
  std::vector<CaptureSpec> specs;
  for (int index = 0; index < count; ++index) {
    specs.push_back({index % static_cast<int>(kCaptureClasses.size()), 0.35 + 0.64 * ((index * 7919) % count) / count});
  }
  return specs;
}

std::string CaptureWorkspace::import_captures(const std::vector<CaptureSpec>& specs) {
  const std::filesystem::path base = dir / "base";
  for (size_t index = 0; index < kCaptureClasses.size(); ++index) {
    std::filesystem::create_directories(base / kCaptureClasses[index]);
    cv::imwrite((base / kCaptureClasses[index] / "a.png").string(), seeded_capture(1000 + static_cast<int>(index)));
  }
  ImportOptions options;
  options.name = "base";
  options.durable = false;
  options.threads = 1;
  import_dataset(workspace, registry, base, options);
  write_capture_folder(dir / "captures", specs);
  options.name = "captures";
  options.format = "capture";
  return import_dataset(workspace, registry, dir / "captures", options).version.reference();
}

}  // namespace edgeloop::testing
