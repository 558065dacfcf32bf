// Prediction: one frame's answer as the device reports it — the JSONL line and the MQTT
// `predictions` payload: {"ts", "frame", "label", "class", "score", "top_k", "latency_ms",
// "model_id"}, plus "truth" and "item" when the source knows the frame's class (docs/formats.md). Built by the pipeline's publish thread and by POST /v1/predict.
// Plain values, thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/edge/edge_metrics.h"
#include "edgeloop/edge/loaded_model.h"

namespace edgeloop {

struct RankedClass {
  int class_id = 0;
  std::string label;
  double score = 0.0;   // probability, 0..1
};

struct Prediction {
  int64_t wall_milliseconds = 0;     // "ts": Unix time of capture, milliseconds
  int64_t frame = 0;
  std::string model_id;
  std::string truth;                 // the frame's true class from a simulated source, else empty (not written)
  int64_t item = -1;                 // the image's position in its pack, else -1 (not written)
  std::vector<RankedClass> top_k;    // best first; top_k[0] is the prediction
  std::array<double, kStageCount> stage_seconds{};   // preprocess, infer, monitor, total
  Json to_json() const;
};

// The `top_k` most probable classes of batch row 0 of `result`, best first.
std::vector<RankedClass> rank_classes(const InferenceResult& result, const LoadedModel& model, int top_k);

// Decodes nothing: runs `image` (8-bit as decoded) through the model's preprocessing and engine.
// Throws Error(kInvalidArgument) when the image is empty.
Prediction predict_image(LoadedModel& model, const cv::Mat& image, int top_k);

}  // namespace edgeloop
