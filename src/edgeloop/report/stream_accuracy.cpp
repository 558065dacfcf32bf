#include "edgeloop/report/stream_accuracy.h"

#include <fstream>
#include <map>

#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"

namespace edgeloop {

std::vector<ScoredFrame> scored_frames_from_jsonl(const std::filesystem::path& log) {
  std::ifstream input(log);
  if (!input) throw not_found("cannot read " + log.string() + ": give the edgeloop-edge run's --jsonl file");
  std::vector<ScoredFrame> frames;
  std::string line;
  while (std::getline(input, line)) {
    if (line.empty() || line.front() != '{') continue;
    const Json value = Json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!value.is_object() || value.contains("topic") || !value.contains("truth") || !value["truth"].is_string() ||
        !value.contains("label") || !value.contains("frame")) {
      continue;
    }
    ScoredFrame frame;
    frame.frame = value["frame"].get<int64_t>();
    frame.item = value.value("item", int64_t{-1});
    frame.model_id = value.value("model_id", "");
    frame.correct = value["label"] == value["truth"];
    frames.push_back(std::move(frame));
  }
  return frames;
}

SwapAccuracy swap_accuracy(const std::vector<ScoredFrame>& frames, const std::string& old_model, const std::string& new_model,
                           int64_t drift_from_frame, const std::set<int64_t>& excluded_items) {
  SwapAccuracy accuracy;
  std::map<int64_t, bool> old_last;    // item → the old model's last answer on it
  std::map<int64_t, bool> new_first;   // item → the new model's first answer on it
  for (const ScoredFrame& frame : frames) {
    if (frame.model_id == new_model && accuracy.first_new_frame < 0) accuracy.first_new_frame = frame.frame;
    if (frame.frame < drift_from_frame || frame.item < 0 || excluded_items.count(frame.item)) continue;
    if (frame.model_id == old_model) old_last[frame.item] = frame.correct;
    if (frame.model_id == new_model) new_first.emplace(frame.item, frame.correct);
  }
  for (const auto& [item, correct] : new_first) {
    const auto before = old_last.find(item);
    if (before == old_last.end()) continue;
    ++accuracy.images;
    accuracy.before_correct += before->second ? 1 : 0;
    accuracy.after_correct += correct ? 1 : 0;
  }
  return accuracy;
}

}  // namespace edgeloop
