// Lineage: where a model or bundle came from, as one tree: bundle → model (→ parent models it was
// fine-tuned from) → training run (config, code commit, seed, diagnosis) → dataset version (→ the
// versions it was made from) → imports with their rejects; plus every use of a test set by the
// model. Read from the registry (and bundle.json, verified). Called by `edgeloop lineage` and the
// quickstart. Not thread-safe (uses the caller's Registry).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "edgeloop/core/config.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {

struct LineageOptions {
  int max_rejects_listed = 10;     // rejects shown per import; the rest are counted
  int max_parent_versions = 20;    // dataset versions followed up the parent chain
};

// `target`: a model id or unique prefix, or a bundle folder (holding bundle.json). Throws
// Error(kNotFound) when neither, Error(kCorrupt) when the bundle fails verification.
// JSON shape: {"bundle": {...}?, "model": {..., "parents": [...]}, "run": {...}?,
//              "dataset_versions": [{..., "imports": [{..., "rejects": [...], "rejects_total": N}]}],
//              "test_set_uses": [{"split", "accuracy", "created_at", "forced", "earlier_models"}]}
Json build_lineage(Registry& registry, const std::string& target, const LineageOptions& options = {});

// The tree as indented text for people.
std::string lineage_to_text(const Json& lineage);

}  // namespace edgeloop
