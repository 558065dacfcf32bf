// Promotion: `edgeloop promote CHALLENGER`. Tests the champion (registry alias `champion`, else
// the challenger's parent) and the challenger on the same frozen test sets — the champion's
// original ones and the captured ones only the challenger's data has — through the test-set
// ledger (each use recorded), runs the gate (gate.h) on the paired predictions, and moves the
// `champion` alias when it passes or when forced (recorded as forced, with the reason). Both
// aliases keep their history with the gate's figures (registry/alias_store.h). LibTorch.
#pragma once

#include <string>

#include "edgeloop/core/workspace.h"
#include "edgeloop/promote/gate.h"

namespace edgeloop {

struct PromoteOptions {
  std::string challenger;       // model id or unique prefix
  bool force = false;           // promote even when the gate refuses (recorded with `force_reason`)
  std::string force_reason;     // why --force was used
  GateOptions gate;
  int threads = 0;              // 0 = all cores
};

struct PromoteOutcome {
  std::string challenger_id;
  std::string champion_id;      // the champion it was compared with ("" for a first champion)
  GateResult gate;
  bool promoted = false;
  bool forced = false;          // promoted against the gate
  bool first_champion = false;  // there was no champion: it became one without a gate
};

// Throws Error(kInvalidArgument) when the challenger takes another input shape or class list than
// the champion, or its data lacks the champion's test sets; Error(kNotFound) for unknown models.
// A refusal by the gate is not an error: promoted is false and gate.failed_condition says why.
PromoteOutcome promote_challenger(const Workspace& workspace, const PromoteOptions& options);

}  // namespace edgeloop
