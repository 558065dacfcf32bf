// LabellingSession: one dataset version being labelled (`edgeloop label`). It holds the class list
// the labels use, the queue of samples in uncertainty order (from the capture sidecars), and
// records every label, undo, batch accept and CSV row durably in the registry's `labels` table —
// one SQLite transaction each, committed before the call returns, so a killed process loses
// nothing. finish() makes the new dataset version whose labels carry their provenance.
// Callers: the label server (page), the CLI (--accept-above, --from-csv), the quickstart's oracle.
// Thread-safe: every method takes the session's mutex (the server calls it from its workers).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/label/suggestion.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/label_store.h"

namespace edgeloop {

enum class LabelOrder {
  kEntropy,   // highest entropy of the device's top-k first
  kMargin,    // smallest top-1 minus top-2 first
  kCapture,   // capture order (origin)
  kRandom,    // object-hash order: unrelated to the frame or the device's confidence (a random draw,
              // the baseline uncertainty ordering is measured against)
};
LabelOrder label_order_from_name(const std::string& name);   // entropy | margin | capture | random

struct LabelOptions {
  std::string dataset;              // NAME (newest version) or NAME@N: the version to label
  std::string classes_from;         // a dataset (NAME[@N]) or model id whose class list the labels use;
                                    // empty: the version's own (captures have none: then it is required)
  LabelOrder order = LabelOrder::kEntropy;
  std::string labeller = "unknown"; // who labels, stored with every label
};

// A current label: a class index, or one of these.
inline constexpr int kUnlabelled = -1;
inline constexpr int kDiscarded = -2;

// One sample in the queue.
struct QueueItem {
  std::string object_hash;
  std::string origin;                    // the capture file name (or the import's origin)
  std::optional<Suggestion> suggestion;  // nullopt for a capture without its sidecar
  int suggested_class = -1;              // index into classes(); -1 without a suggestion
  double uncertainty = 0;                // the ordering score: entropy, or 1 - margin; 0 without a suggestion
  std::string format;                    // the stored image's format: png, jpg, ...
};

// A sample's current label and where it came from.
struct CurrentLabel {
  int label = kUnlabelled;   // a class index, kDiscarded or kUnlabelled
  std::string provenance;    // of a label given in this session; "" for none or one imported with the version
};

struct LabelCounts {
  int64_t total = 0;                              // samples in the queue
  int64_t labelled = 0;                           // with a class (discarded ones not included)
  int64_t discarded = 0;
  std::vector<int64_t> per_class;                 // by class index
  std::map<std::string, int64_t> per_provenance;  // labels given in this session, by provenance
};

class LabellingSession {
 public:
  // Resolves the version and the class list and builds the queue. Throws Error naming the fix when
  // the version or class source does not exist, when there is no class list, when a sidecar is
  // corrupt, or when a suggestion or an existing label is not in the class list.
  LabellingSession(Registry& registry, const LabelOptions& options);

  const DatasetVersion& version() const { return version_; }
  const std::vector<std::string>& classes() const { return classes_; }
  const std::vector<QueueItem>& queue() const { return queue_; }   // most uncertain first
  const LabelOptions& options() const { return options_; }

  // The sample's current label: a class index, kDiscarded or kUnlabelled.
  int current_label(const std::string& object_hash) const;
  // The stored format of a sample's image; throws Error(kNotFound) for a hash not in the version.
  std::string image_format(const std::string& object_hash) const;
  // The provenance of the sample's current label given in this session ("" when none).
  std::string current_provenance(const std::string& object_hash) const;

  // Every queue item's current label, in queue order, read in one pass (the page's state: a lookup
  // per item cost more than the rest of the state with 10,000 captures).
  std::vector<CurrentLabel> current_labels() const;

  // Records one label (`class_index` nullopt: discard) in its own transaction. `operation`: the
  // caller's unique id for the action; a repeat returns false and stores nothing. Throws
  // Error(kInvalidArgument) for an unknown sample, class index or provenance.
  bool record(const std::string& operation, const std::string& object_hash, std::optional<int> class_index,
              const std::string& provenance);
  // Undoes the label stored under `operation`; returns the sample's hash, nullopt if nothing to undo.
  std::optional<std::string> undo(const std::string& operation);

  // Unlabelled samples whose suggestion's score is at least `threshold` (0..1).
  int64_t count_above(double threshold) const;
  // Accepts those suggestions (provenance batch) in one transaction; returns how many.
  int64_t accept_above(double threshold);
  // Labels from a CSV file `image,label` (header optional): image is a sample's origin, file name
  // or object hash; label a class name, or empty to discard. Every row is checked first; a bad one
  // throws Error(kInvalidArgument) naming FILE:LINE and nothing is stored. One transaction.
  // Returns the number of labels recorded.
  int64_t apply_csv(const std::filesystem::path& csv, const std::string& provenance);
  // The oracle: labels unlabelled samples with the true class their sidecar carries (frames of a
  // simulated source; suggestion.h), provenance oracle, in queue order, at most `max_labels`
  // (0 = all) in one transaction. Samples without a true class are left as they are. Throws
  // Error(kInvalidArgument) when no sample carries one (not a simulated stream's captures) or a
  // true class is not in the class list, naming the capture; nothing is stored then. Returns
  // the number of labels recorded.
  int64_t apply_oracle(int64_t max_labels);

  LabelCounts counts() const;
  // Makes (or finds, when identical) the labelled version: every sample of this one with its
  // current label and provenance, discarded ones left out, unlabelled ones kept unlabelled.
  DatasetVersion finish();

 private:
  void check_class_index(int class_index) const;
  LabelEntry entry_for(const std::string& operation, const std::string& object_hash, std::optional<int> class_index,
                       const std::string& provenance) const;
  void reload_current();

  Registry& registry_;
  LabelOptions options_;
  DatasetVersion version_;
  std::vector<std::string> classes_;
  std::vector<QueueItem> queue_;
  std::map<std::string, size_t> index_of_;               // object hash → queue index
  std::map<std::string, int> imported_label_;            // object hash → class index of a label that came with the version
  std::map<std::string, LabelEntry> current_;            // object hash → current label of this session
  mutable std::mutex mutex_;
};

// A fresh random id for a label operation (32 hex).
std::string random_operation_id();

}  // namespace edgeloop
