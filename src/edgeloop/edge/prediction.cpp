#include "edgeloop/edge/prediction.h"

#include <algorithm>
#include <chrono>
#include <numeric>

#include "edgeloop/core/error.h"
#include "edgeloop/core/stopwatch.h"

namespace edgeloop {
namespace {

constexpr double kMillisecondsPerSecond = 1000.0;

}  // namespace

Json Prediction::to_json() const {
  Json ranked = Json::array();
  for (const RankedClass& entry : top_k) ranked.push_back({{"label", entry.label}, {"class", entry.class_id}, {"score", entry.score}});
  Json latency = Json::object();
  for (int stage = 0; stage < kStageCount; ++stage) {
    latency[to_string(static_cast<Stage>(stage))] = stage_seconds[stage] * kMillisecondsPerSecond;
  }
  const RankedClass best = top_k.empty() ? RankedClass{-1, "", 0.0} : top_k.front();
  Json line{{"ts", wall_milliseconds}, {"frame", frame},      {"label", best.label},       {"class", best.class_id},
            {"score", best.score},     {"top_k", ranked},     {"latency_ms", latency},     {"model_id", model_id}};
  if (!truth.empty()) line["truth"] = truth;
  if (item >= 0) line["item"] = item;
  return line;
}

std::vector<RankedClass> rank_classes(const InferenceResult& result, const LoadedModel& model, int top_k) {
  if (result.classes <= 0 || result.probabilities.size() < static_cast<size_t>(result.classes)) {
    throw internal_error("engine returned no probabilities for model " + model.model_id);
  }
  std::vector<int> order(result.classes);
  std::iota(order.begin(), order.end(), 0);
  const int kept = std::clamp(top_k, 1, result.classes);
  std::partial_sort(order.begin(), order.begin() + kept, order.end(),
                    [&](int left, int right) { return result.probabilities[left] > result.probabilities[right]; });
  std::vector<RankedClass> ranked;
  for (int rank = 0; rank < kept; ++rank) {
    ranked.push_back({order[rank], model.label_of(order[rank]), result.probabilities[order[rank]]});
  }
  return ranked;
}

Prediction predict_image(LoadedModel& model, const cv::Mat& image, int top_k) {
  if (image.empty()) throw invalid_argument("the image is empty or not decodable: send a PNG or JPEG");
  Prediction prediction;
  prediction.model_id = model.model_id;
  const auto start = std::chrono::steady_clock::now();
  cv::Mat input = model.preprocess.apply(image);
  prediction.stage_seconds[static_cast<int>(Stage::kPreprocess)] = seconds_since(start);
  const auto infer_start = std::chrono::steady_clock::now();
  InferenceResult result = model.infer_one(input);
  prediction.stage_seconds[static_cast<int>(Stage::kInfer)] = seconds_since(infer_start);
  prediction.stage_seconds[static_cast<int>(Stage::kTotal)] = seconds_since(start);
  prediction.top_k = rank_classes(result, model, top_k);
  prediction.wall_milliseconds = std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch()).count();
  return prediction;
}

}  // namespace edgeloop
