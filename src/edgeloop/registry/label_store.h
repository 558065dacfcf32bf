// LabelStore: typed access to the `labels` table (migration 3; docs/formats.md): every label given
// in `edgeloop label` — a keypress in the page, an accepted suggestion, a batch accept, an oracle or
// CSV row — is one row, written in its own transaction before the caller answers. Nothing is
// deleted: an undo marks its row. A sample's current label is its newest row that is not undone.
// It also records, in version_samples, the provenance a version's labels carry.
// Callers: label/ (the labelling session), promote/ (the union). Write methods run inside Registry::in_transaction.
// Not thread-safe: like its Registry, use one per thread (or guard both with one mutex).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "edgeloop/registry/registry.h"

namespace edgeloop {

// Provenance of a label, as stored in labels.provenance and version_samples.provenance.
inline constexpr const char* kProvenanceHuman = "human";            // a key for a class
inline constexpr const char* kProvenanceSuggestion = "suggestion";  // the device's suggestion accepted (Enter)
inline constexpr const char* kProvenanceBatch = "batch";            // "accept every suggestion above C"
inline constexpr const char* kProvenanceOracle = "oracle";          // a labeller that knows the truth (simulated sources)

// How and by whom one sample's label of a version was given (version_samples.provenance, labelled_by).
struct SampleProvenance {
  std::string object_hash;
  std::string provenance;   // kProvenance*
  std::string labelled_by;  // who
};

// One label given to one sample of the version being labelled.
struct LabelEntry {
  std::string operation;             // the client's id for this action; a repeat of a stored one is ignored
  std::string version_id;            // the version being labelled
  std::string object_hash;           // the sample
  std::optional<std::string> label;  // class name; nullopt: discarded (no class, unusable)
  std::string provenance;            // kProvenance*
  std::string labeller;              // who gave it
  std::string created_at;            // UTC, ISO 8601; set by add()
};

class LabelStore {
 public:
  explicit LabelStore(Registry& registry) : registry_(registry) {}

  // --- writes: call inside Registry::in_transaction ---
  // Stores `entry`; false when its operation id is stored already (a retried save).
  bool add(const LabelEntry& entry);
  // Marks the label stored under `operation` undone; returns its sample's hash, or nullopt when no
  // such label exists in `version_id` or it was undone already.
  std::optional<std::string> undo(const std::string& version_id, const std::string& operation);
  // Records the provenance of samples of a stored version (the labelled version finish() makes,
  // or a union that carries them on).
  void set_provenance(const std::string& version_id, const std::vector<SampleProvenance>& rows);

  // --- reads ---
  // The current label of each labelled sample of `version_id` (newest row not undone), by hash.
  std::map<std::string, LabelEntry> current(const std::string& version_id);
  // The samples of `version_id` whose label has a provenance, by hash.
  std::map<std::string, SampleProvenance> provenance(const std::string& version_id);
  // Every row of `version_id`, undone ones included, oldest first.
  std::vector<LabelEntry> history(const std::string& version_id);

 private:
  Registry& registry_;
};

}  // namespace edgeloop
