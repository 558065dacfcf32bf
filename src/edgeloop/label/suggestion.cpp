#include "edgeloop/label/suggestion.h"

#include <algorithm>
#include <cmath>

#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {
constexpr double kNegligibleMass = 1e-9;   // probability mass below this adds nothing to the entropy
}

std::optional<Suggestion> parse_suggestion(const std::string& sidecar_json, const std::string& origin) {
  if (sidecar_json.empty()) return std::nullopt;
  const std::string fix = ": re-import the capture folder with its sidecars (data import DIR --format capture)";
  Suggestion suggestion;
  try {
    const Json note = Json::parse(sidecar_json);
    if (!note.is_object() || !note.contains("label") || !note["label"].is_string() || !note.contains("score") ||
        !note["score"].is_number()) {
      throw corrupt("capture " + origin + ": its sidecar has no \"label\" string and \"score\" number" + fix);
    }
    suggestion.label = note["label"].get<std::string>();
    suggestion.score = note["score"].get<double>();
    suggestion.reason = note.value("reason", "");
    if (note.contains("truth") && note["truth"].is_string()) suggestion.truth = note["truth"].get<std::string>();
    if (note.contains("item") && note["item"].is_number_integer()) suggestion.item = note["item"].get<int64_t>();
    if (note.contains("top_k") && note["top_k"].is_array()) {
      for (const Json& ranked : note["top_k"]) {
        if (!ranked.is_object() || !ranked.contains("label") || !ranked.contains("score")) {
          throw corrupt("capture " + origin + ": its sidecar's top_k entries need \"label\" and \"score\"" + fix);
        }
        suggestion.top_k.push_back({ranked["label"].get<std::string>(), ranked["score"].get<double>()});
      }
    }
  } catch (const Json::exception& error) {
    throw corrupt("capture " + origin + ": its sidecar does not parse (" + error.what() + ")" + fix);
  }
  if (!(suggestion.score >= 0 && suggestion.score <= 1)) {
    throw corrupt("capture " + origin + ": its sidecar's score " + std::to_string(suggestion.score) + " is not in 0..1" + fix);
  }
  if (suggestion.top_k.empty()) suggestion.top_k.push_back({suggestion.label, suggestion.score});
  std::sort(suggestion.top_k.begin(), suggestion.top_k.end(),
            [](const RankedSuggestion& left, const RankedSuggestion& right) { return left.score > right.score; });
  return suggestion;
}

double suggestion_entropy(const Suggestion& suggestion) {
  double entropy = 0;
  double covered = 0;
  for (const RankedSuggestion& ranked : suggestion.top_k) {
    const double probability = std::clamp(ranked.score, 0.0, 1.0);
    covered += probability;
    if (probability > kNegligibleMass) entropy -= probability * std::log(probability);
  }
  const double rest = 1.0 - covered;
  if (rest > kNegligibleMass) entropy -= rest * std::log(rest);
  return entropy;
}

double suggestion_margin(const Suggestion& suggestion) {
  if (suggestion.top_k.size() < 2) return suggestion.top_k.empty() ? 0.0 : suggestion.top_k.front().score;
  return suggestion.top_k[0].score - suggestion.top_k[1].score;
}

}  // namespace edgeloop
