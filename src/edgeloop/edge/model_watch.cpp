#include "edgeloop/edge/model_watch.h"

#include <algorithm>
#include <map>
#include <vector>

#include "edgeloop/core/number_format.h"


namespace edgeloop {
namespace {

constexpr int kBaselineFramesWithoutProbation = 50;   // kept when probation is off, for status

WindowFigures figures_of(const std::deque<FrameRecord>& frames) {
  WindowFigures figures;
  figures.frames = static_cast<int>(frames.size());
  std::vector<double> latencies;
  std::map<int, int> class_counts;
  double probability_sum = 0.0;
  for (const FrameRecord& frame : frames) {
    if (frame.failed) {
      ++figures.errors;
      continue;
    }
    latencies.push_back(frame.infer_seconds * 1000.0);
    probability_sum += frame.top1_probability;
    ++class_counts[frame.top1_class];
  }
  if (latencies.empty()) return figures;
  std::nth_element(latencies.begin(), latencies.begin() + latencies.size() / 2, latencies.end());
  figures.median_infer_ms = latencies[latencies.size() / 2];
  figures.mean_top1_probability = probability_sum / static_cast<double>(latencies.size());
  int most = 0;
  for (const auto& [label, count] : class_counts) most = std::max(most, count);
  figures.top_class_share = static_cast<double>(most) / static_cast<double>(latencies.size());
  return figures;
}


}  // namespace

Json WindowFigures::to_json() const {
  return Json{{"frames", frames},
              {"errors", errors},
              {"median_infer_ms", median_infer_ms},
              {"mean_top1_probability", mean_top1_probability},
              {"top_class_share", top_class_share}};
}

Json ProbationResult::to_json() const {
  return Json{{"verdict", verdict == ProbationVerdict::kPassed ? "passed" : "failed"},
              {"reason", reason},
              {"candidate_model_id", candidate_model_id},
              {"previous", previous.to_json()},
              {"candidate", candidate.to_json()}};
}

ModelWatch::ModelWatch(WatchOptions options) : options_(options) {}

void ModelWatch::begin_probation(const std::string& candidate_model_id) {
  std::lock_guard lock(mutex_);
  candidate_.clear();
  candidate_errors_ = 0;
  candidate_model_id_ = candidate_model_id;
  baseline_ = serving_;
  on_probation_ = options_.probation_frames > 0;
  serving_model_id_ = candidate_model_id;
  serving_.clear();
}

void ModelWatch::cancel_probation() {
  std::lock_guard lock(mutex_);
  on_probation_ = false;
  candidate_.clear();
  candidate_errors_ = 0;
}

bool ModelWatch::on_probation() const {
  std::lock_guard lock(mutex_);
  return on_probation_;
}

std::optional<ProbationResult> ModelWatch::observe(const std::string& model_id, const FrameRecord& frame) {
  std::lock_guard lock(mutex_);
  if (model_id != serving_model_id_) {
    // A frame the previous model was still running when the swap landed, or the first model.
    if (on_probation_) return std::nullopt;
    serving_model_id_ = model_id;
    serving_.clear();
  }
  const size_t keep = static_cast<size_t>(std::max(options_.probation_frames, kBaselineFramesWithoutProbation));
  serving_.push_back(frame);
  if (serving_.size() > keep) serving_.pop_front();
  if (!on_probation_) return std::nullopt;
  candidate_.push_back(frame);
  if (frame.failed) ++candidate_errors_;
  if (candidate_errors_ <= options_.max_engine_errors && static_cast<int>(candidate_.size()) < options_.probation_frames) {
    return std::nullopt;
  }
  on_probation_ = false;
  return judge();
}

ProbationResult ModelWatch::judge() const {
  ProbationResult result;
  result.candidate_model_id = candidate_model_id_;
  result.previous = figures_of(baseline_);
  result.candidate = figures_of(candidate_);
  auto fail = [&](std::string reason) {
    result.verdict = ProbationVerdict::kFailed;
    result.reason = std::move(reason);
    return result;
  };
  if (result.candidate.errors > options_.max_engine_errors) {
    return fail("engine errors on " + std::to_string(result.candidate.errors) + " of " +
                std::to_string(result.candidate.frames) + " frames (at most " + std::to_string(options_.max_engine_errors) +
                " allowed)");
  }
  const int previous_good = result.previous.frames - result.previous.errors;
  if (previous_good < options_.min_baseline_frames) return result;   // nothing to compare with
  const WindowFigures& before = result.previous;
  const WindowFigures& after = result.candidate;
  if (options_.max_latency_ratio > 0 && before.median_infer_ms > 0 &&
      after.median_infer_ms > options_.max_latency_ratio * before.median_infer_ms) {
    return fail("median inference " + format_fixed(after.median_infer_ms, 3) + " ms against the previous model's " +
                format_fixed(before.median_infer_ms, 3) + " ms (more than " + format_fixed(options_.max_latency_ratio, 1) + "x)");
  }
  if (options_.min_confidence_ratio > 0 &&
      after.mean_top1_probability < options_.min_confidence_ratio * before.mean_top1_probability) {
    return fail("mean top-1 confidence " + format_fixed(after.mean_top1_probability, 3) + " against the previous model's " +
                format_fixed(before.mean_top1_probability, 3) + " (below " + format_fixed(options_.min_confidence_ratio, 2) + "x)");
  }
  if (after.top_class_share >= options_.collapse_share && before.top_class_share < options_.collapse_baseline_share) {
    return fail("predictions collapsed onto one class: " + format_fixed(100 * after.top_class_share, 1) +
                "% of frames against the previous model's " + format_fixed(100 * before.top_class_share, 1) + "%");
  }
  return result;
}

Json ModelWatch::status() const {
  std::lock_guard lock(mutex_);
  return Json{{"on_probation", on_probation_},
              {"candidate", on_probation_ ? Json(candidate_model_id_) : Json(nullptr)},
              {"frames_seen", on_probation_ ? static_cast<int>(candidate_.size()) : 0},
              {"frames_needed", options_.probation_frames}};
}

}  // namespace edgeloop
