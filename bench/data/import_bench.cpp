// Importer benchmark: imports /usr/share/datasets/fashion-mnist (70,000 images) and a folder of
// small PNGs into fresh temporary workspaces and prints images/s next to the targets.
// Usage: edgeloop_data_import_bench [--threads N] [--folder-images N] [--idx DIR]
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/workspace.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/registry/registry.h"

namespace fs = std::filesystem;

namespace {

constexpr double kIdxTargetSeconds = 10.0;
constexpr double kFolderTargetImagesPerSecond = 2000.0;
constexpr int kDefaultFolderImages = 5000;
constexpr int kFolderClasses = 10;
constexpr int kSmallImageSide = 32;  // pixels

double load_average() {
  double load = 0;
  std::ifstream("/proc/loadavg") >> load;
  return load;
}

fs::path fresh_directory(const std::string& name) {
  const fs::path path = fs::temp_directory_path() / ("edgeloop-bench-" + name + "-" + std::to_string(::getpid()));
  fs::remove_all(path);
  fs::create_directories(path);
  return path;
}

edgeloop::ImportResult timed_import(const fs::path& root, const fs::path& source, int threads) {
  edgeloop::Workspace workspace = edgeloop::Workspace::init(root / "ws");
  edgeloop::Registry registry = edgeloop::Registry::open(workspace.registry_path());
  edgeloop::ImportOptions options;
  options.name = "bench";
  options.threads = threads;
  return edgeloop::import_dataset(workspace, registry, source, options);
}

}  // namespace

int main(int argc, char** argv) {
  int threads = 0;
  int folder_images = kDefaultFolderImages;
  fs::path idx = "/usr/share/datasets/fashion-mnist";
  for (int index = 1; index + 1 < argc; index += 2) {
    const std::string flag = argv[index];
    if (flag == "--threads") threads = std::atoi(argv[index + 1]);
    if (flag == "--folder-images") folder_images = std::atoi(argv[index + 1]);
    if (flag == "--idx") idx = argv[index + 1];
  }
  try {
    std::printf("load average before: %.2f\n", load_average());
    const fs::path idx_root = fresh_directory("idx");
    const auto idx_result = timed_import(idx_root, idx, threads);
    std::printf("idx import:    %lld images in %.2f s = %.0f images/s   (target: 70,000 in <= %.0f s = %.0f images/s)\n",
                static_cast<long long>(idx_result.imported), idx_result.seconds, idx_result.imported / idx_result.seconds,
                kIdxTargetSeconds, 70000 / kIdxTargetSeconds);
    fs::remove_all(idx_root);

    const fs::path folder_root = fresh_directory("folder");
    cv::RNG random(1);
    for (int image = 0; image < folder_images; ++image) {
      cv::Mat pixels(kSmallImageSide, kSmallImageSide, CV_8UC3);
      random.fill(pixels, cv::RNG::UNIFORM, 0, 256);
      const fs::path path = folder_root / "images" / ("class" + std::to_string(image % kFolderClasses)) / (std::to_string(image) + ".png");
      fs::create_directories(path.parent_path());
      cv::imwrite(path.string(), pixels);
    }
    const auto folder_result = timed_import(folder_root, folder_root / "images", threads);
    std::printf("folder import: %lld PNGs (%dx%d) in %.2f s = %.0f images/s   (target: >= %.0f images/s)\n",
                static_cast<long long>(folder_result.imported), kSmallImageSide, kSmallImageSide, folder_result.seconds,
                folder_result.imported / folder_result.seconds, kFolderTargetImagesPerSecond);
    fs::remove_all(folder_root);
    std::printf("load average after: %.2f\n", load_average());
  } catch (const std::exception& error) {
    std::fprintf(stderr, "import bench: %s\n", error.what());
    return 1;
  }
  return 0;
}
