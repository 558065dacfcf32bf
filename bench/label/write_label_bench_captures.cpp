// Writes what the labelling page's latency bench (run_label_latency.sh) imports: a device capture
// folder of COUNT 28×28 grey PNGs, each with the sidecar edgeloop-edge writes beside a capture
// (top-k suggestion, reason, source, timestamp), and a class folder of one image per class whose
// import gives the champion's class list (class0 … class9). Seeded: the same files every run.
// Usage: edgeloop_label_bench_captures OUT_FOLDER COUNT   → OUT_FOLDER/captures, OUT_FOLDER/classes
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "edgeloop/core/config.h"

namespace fs = std::filesystem;

namespace {

constexpr int kClasses = 10;
constexpr int kSide = 28;                          // pixels, as Fashion-MNIST's frames
constexpr long long kFirstTimestampMs = 1764080000000LL;
constexpr int kFrameIntervalMs = 200;              // a capture every 200 ms of one camera

std::string class_name(int index) { return "class" + std::to_string(index); }

// A frame: a noisy background with a bright blob whose place and size vary, so that every PNG
// differs (distinct objects) and compresses like a real small frame rather than like noise.
cv::Mat seeded_frame(std::mt19937& generator) {
  std::uniform_int_distribution<int> place(4, kSide - 5), radius(2, 8), level(0, 60), noise(-12, 12);
  cv::Mat frame(kSide, kSide, CV_8UC1, cv::Scalar(level(generator)));
  cv::circle(frame, {place(generator), place(generator)}, radius(generator), cv::Scalar(200), cv::FILLED);
  for (int offset = 0; offset < kSide * kSide; ++offset) frame.data[offset] = cv::saturate_cast<uint8_t>(frame.data[offset] + noise(generator));
  return frame;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3 || std::atoi(argv[2]) <= 0) {
    std::fprintf(stderr, "usage: %s OUT_FOLDER COUNT\n", argv[0]);
    return 2;
  }
  const fs::path out = argv[1];
  const int count = std::atoi(argv[2]);
  std::mt19937 generator(7);
  try {
    for (int label = 0; label < kClasses; ++label) {
      fs::create_directories(out / "classes" / class_name(label));
      cv::imwrite((out / "classes" / class_name(label) / "a.png").string(), seeded_frame(generator));
    }
    fs::create_directories(out / "captures");
    std::uniform_real_distribution<double> top_score(0.2, 0.99);
    std::uniform_int_distribution<int> suggested_class(0, kClasses - 1);
    for (int index = 0; index < count; ++index) {
      char stem[40];
      std::snprintf(stem, sizeof(stem), "%013lld-%09d", kFirstTimestampMs + static_cast<long long>(index) * kFrameIntervalMs, index);
      cv::imwrite((out / "captures" / (std::string(stem) + ".png")).string(), seeded_frame(generator));
      const int suggested = suggested_class(generator), second = (suggested + 1) % kClasses;
      const double top = top_score(generator);
      const edgeloop::Json top_k = edgeloop::Json::array(
          {{{"label", class_name(suggested)}, {"class", suggested}, {"score", top}},
           {{"label", class_name(second)}, {"class", second}, {"score", (1 - top) / 2}}});
      const edgeloop::Json sidecar{{"label", class_name(suggested)}, {"class", suggested}, {"score", top}, {"top_k", top_k},
                                   {"reason", "low_confidence"}, {"source", "bench-camera"}, {"image", std::string(stem) + ".png"},
                                   {"ts", kFirstTimestampMs + static_cast<long long>(index) * kFrameIntervalMs}};
      std::ofstream(out / "captures" / (std::string(stem) + ".json")) << sidecar.dump();
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "edgeloop_label_bench_captures: %s\n", error.what());
    return 1;
  }
  return 0;
}
