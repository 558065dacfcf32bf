// Suggestion: what the device thought of a captured frame, read from the capture sidecar that
// `data import --format capture` keeps in version_samples.suggested (docs/formats.md, "Capture
// folder"): its top class and score and the top-k list, and from those the two uncertainty scores
// the labelling queue is ordered by. Called by the labelling session. Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace edgeloop {

struct RankedSuggestion {
  std::string label;   // class name
  double score = 0;    // probability, 0..1
};

struct Suggestion {
  std::string label;                    // the device's top class
  double score = 0;                     // its probability, 0..1
  std::vector<RankedSuggestion> top_k;  // best first; at least the top class
  std::string reason;                   // why it was captured: low_confidence, drift, random
  std::string truth;                    // the frame's true class when a simulated source knew it (sidecar
                                        // "truth"; image packs exported with labels), else empty
  int64_t item = -1;                    // the frame's position in its image pack (sidecar "item"), -1 when unknown
};

// Parses the sidecar JSON text; nullopt when `sidecar_json` is empty (a capture without its
// note). Throws Error(kCorrupt) naming `origin` when the text is not a sidecar (no label or score).
std::optional<Suggestion> parse_suggestion(const std::string& sidecar_json, const std::string& origin);

// Shannon entropy (nats) of the top-k probabilities, the mass they leave out counted as one more
// outcome: high = uncertain. 0 for one class at probability 1.
double suggestion_entropy(const Suggestion& suggestion);
// Top score minus the second (0 when only one is known): low = uncertain.
double suggestion_margin(const Suggestion& suggestion);

}  // namespace edgeloop
