// AliasStore: the model aliases `champion` and `challenger` (tables model_aliases, alias_history;
// migration 3, docs/formats.md) and every change to them with when, why and the gate's figures,
// so "who set @champion, and on what evidence" always has an answer. Written by promote/ only
// (the gate), one transaction per change. Not thread-safe: one per thread.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "edgeloop/core/config.h"
#include "edgeloop/registry/registry.h"

namespace edgeloop {

inline constexpr const char* kAliasChampion = "champion";
inline constexpr const char* kAliasChallenger = "challenger";

struct AliasChange {
  std::string alias;              // champion, challenger
  std::string model_id;
  std::string previous_model_id;  // "" when the alias was unset
  std::string set_at;             // UTC, ISO 8601; set by set()
  std::string reason;             // "gate passed", "forced: ...", "first champion"
  Json gate = Json::object();     // the gate's figures
  bool forced = false;            // set against the gate with --force
};

class AliasStore {
 public:
  explicit AliasStore(Registry& registry) : registry_(registry) {}

  // --- write: call inside Registry::in_transaction ---
  // Points `change.alias` at `change.model_id` and appends the change to the history.
  void set(const AliasChange& change);

  // --- reads ---
  std::optional<std::string> model_for(const std::string& alias);
  std::vector<AliasChange> history(const std::string& alias = "");   // oldest first; "" = every alias

 private:
  Registry& registry_;
};

}  // namespace edgeloop
