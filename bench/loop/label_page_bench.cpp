// The labelling page at scale: 10,000 captures (28×28 PNGs with top-k sidecars) imported into a
// fresh workspace, served by LabelServer in this process, and driven in Debian's headless
// chromium by label_latency.mjs (puppeteer-core from tests/label). Prints key press → next frame
// painted (p50, p95) and page load beside the targets (≤ 30 ms, ≤ 1 s), and the save
// round trip (action sent → SQLite commit confirmed) beside Label Studio's reported ~2 s per save
// (label-studio #4986; a figure from its users, not run here: it needs a network service).
// Usage: edgeloop_loop_label_bench [--captures N] [--presses N] [--pause-ms N]
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/label/label_server.h"

namespace fs = std::filesystem;
using namespace edgeloop;

namespace {

constexpr int kDefaultCaptures = 10000;
constexpr int kDefaultPresses = 300;
constexpr int kDefaultPauseMs = 120;     // a fast labeller's pace
constexpr int kClasses = 10;
constexpr int kSide = 28;                // pixels
constexpr double kPaintTargetMs = 30.0;
constexpr double kLoadTargetMs = 1000.0;
constexpr double kLabelStudioSaveMs = 2000.0;

double load_average() {
  double load = 0;
  std::ifstream("/proc/loadavg") >> load;
  return load;
}

double percentile(std::vector<double> values, double fraction) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[std::min(values.size() - 1, static_cast<size_t>(fraction * static_cast<double>(values.size())))];
}

void write_captures(const fs::path& folder, int count) {
  fs::create_directories(folder);
  std::mt19937 generator(7);
  std::uniform_real_distribution<double> score(0.2, 0.99);
  std::uniform_int_distribution<int> pixel(0, 255), label(0, kClasses - 1);
  for (int index = 0; index < count; ++index) {
    cv::Mat image(kSide, kSide, CV_8UC1);
    for (int offset = 0; offset < kSide * kSide; ++offset) image.data[offset] = static_cast<uint8_t>(pixel(generator));
    char stem[32];
    std::snprintf(stem, sizeof(stem), "%013d-%09d", 1764080000 + index, index);
    cv::imwrite((folder / (std::string(stem) + ".png")).string(), image);
    const int suggested = label(generator);
    const double top = score(generator);
    Json top_k = Json::array({{{"label", "class" + std::to_string(suggested)}, {"class", suggested}, {"score", top}},
                              {{"label", "class" + std::to_string((suggested + 1) % kClasses)}, {"class", (suggested + 1) % kClasses},
                               {"score", (1 - top) / 2}}});
    write_file_atomically(folder / (std::string(stem) + ".json"),
                          Json{{"label", "class" + std::to_string(suggested)}, {"class", suggested}, {"score", top}, {"top_k", top_k},
                               {"reason", "low_confidence"}, {"source", "bench"}, {"ts", 1764080000000LL + index}}
                              .dump());
  }
}

}  // namespace

int main(int argc, char** argv) {
  int captures = kDefaultCaptures, presses = kDefaultPresses, pause_ms = kDefaultPauseMs;
  for (int index = 1; index + 1 < argc; index += 2) {
    const std::string flag = argv[index];
    if (flag == "--captures") captures = std::atoi(argv[index + 1]);
    if (flag == "--presses") presses = std::atoi(argv[index + 1]);
    if (flag == "--pause-ms") pause_ms = std::atoi(argv[index + 1]);
  }
  const fs::path root = fs::temp_directory_path() / ("edgeloop-bench-label-" + std::to_string(::getpid()));
  fs::remove_all(root);
  try {
    Workspace workspace = Workspace::init(root / "ws");
    Registry registry = Registry::open(workspace.registry_path());
    for (int label = 0; label < kClasses; ++label) {
      fs::create_directories(root / "base" / ("class" + std::to_string(label)));
      cv::imwrite((root / "base" / ("class" + std::to_string(label)) / "a.png").string(), cv::Mat(kSide, kSide, CV_8UC1, cv::Scalar(label * 20)));
    }
    ImportOptions options;
    options.name = "base";
    import_dataset(workspace, registry, root / "base", options);
    write_captures(root / "captures", captures);
    options.name = "captures";
    options.format = "capture";
    import_dataset(workspace, registry, root / "captures", options);

    LabelOptions label_options;
    label_options.dataset = "captures";
    label_options.classes_from = "base";
    label_options.labeller = "bench";
    LabellingSession session(registry, label_options);
    LabelServer server(session, ObjectStore(workspace), LabelServerOptions{});
    server.start();
    std::string keys;
    for (int label = 0; label < kClasses; ++label) keys += (label ? "," : "") + label_key_for_class(label);
    const std::string command = "node " + (fs::path(EDGELOOP_SOURCE_DIR) / "bench/loop/label_latency.mjs").string() + " " + server.url() +
                                " " + keys + " " + std::to_string(presses) + " " + std::to_string(pause_ms);
    std::string output;
    FILE* pipe = ::popen(command.c_str(), "r");
    char buffer[4096];
    size_t count = 0;
    while (pipe != nullptr && (count = std::fread(buffer, 1, sizeof(buffer), pipe)) > 0) output.append(buffer, count);
    const int status = pipe != nullptr ? ::pclose(pipe) : -1;
    server.stop();
    if (status != 0 || output.empty()) {
      std::fprintf(stderr, "label bench: the browser run failed (needs /usr/bin/chromium and tests/label/node_modules)\n");
      fs::remove_all(root);
      return 1;
    }
    const Json result = Json::parse(output);
    const auto paint = result["paint_ms"].get<std::vector<double>>();
    const auto saves = result["save_ms"].get<std::vector<double>>();
    std::printf("label page, %d captures, %zu key presses every %d ms (load average %.1f on %ld cores)\n", captures, paint.size(), pause_ms,
                load_average(), sysconf(_SC_NPROCESSORS_ONLN));
    std::printf("  key -> next frame painted: p50 %.1f ms, p95 %.1f ms   (target <= %.0f ms)\n", percentile(paint, 0.5),
                percentile(paint, 0.95), kPaintTargetMs);
    std::printf("  page load (state of %d frames, first frame): %.0f ms   (target <= %.0f ms)\n", captures,
                result["page_load_ms"].get<double>(), kLoadTargetMs);
    std::printf("  save, sent -> committed: p50 %.1f ms, p95 %.1f ms   (Label Studio: ~%.0f ms per save, reported in #4986, not run)\n",
                percentile(saves, 0.5), percentile(saves, 0.95), kLabelStudioSaveMs);
    std::printf("  labels stored: %lld\n", static_cast<long long>(session.counts().labelled));
  } catch (const std::exception& error) {
    std::fprintf(stderr, "label bench: %s\n", error.what());
    fs::remove_all(root);
    return 1;
  }
  fs::remove_all(root);
  return 0;
}
