// Retrain on the union: `edgeloop retrain --champion MODEL --add DATASET`. Makes the union version
// (union_version.h), then trains a challenger on it with the champion's own options, preprocessing
// and seed: fine-tuned from the champion's weights, its classifier layer included (the union has the
// champion's class list; a new head would first have to relearn what the champion knew), at a lower
// learning rate, or, on request, from scratch, within a time budget. The challenger is an ordinary stored model; the
// gate (promote) decides whether it replaces the champion. With `distributed` it is one rank of a
// data-parallel job (train/distributed/, docs/distributed.md): every rank makes the same union
// version, rank 0 alone stores the challenger. LibTorch. One at a time per thread.
#pragma once

#include <optional>
#include <string>

#include "edgeloop/core/workspace.h"
#include "edgeloop/promote/union_version.h"
#include "edgeloop/train/distributed/launch_environment.h"
#include "edgeloop/train/training_session.h"

namespace edgeloop {

struct RetrainOptions {
  std::string champion;               // model id (or unique prefix) of the model in service
  std::string add;                    // dataset NAME[@N] with the new labels
  bool from_scratch = false;          // true: train the champion's architecture from scratch on the union
  int epochs = 0;                     // 0: the champion's, capped by the budget
  double max_seconds = 120;           // training time budget (0 = none)
  double fine_tune_lr_factor = 0.3;   // (0, 1]: fine-tuning rate = the champion's rate × this (else the recipe's --from rate)
  double added_share = 0.15;          // share of an epoch the new labels make (make_union_version); 0: counted once
  int threads = 0;                    // 0 = all cores
  std::optional<LaunchEnvironment> distributed;   // set: this process is one rank of a data-parallel job
  bool balance_ranks = false;         // with distributed: shares of each batch follow the ranks' speed
};

struct RetrainOutcome {
  UnionVersion data;                  // what it trained on
  TrainOutcome trained;               // the challenger (no model on a distributed job's other ranks)
  std::string champion_id;
};

// Throws Error naming the fix: a learning-rate factor outside (0, 1] (before anything is read), a
// classic or unknown champion, an added version without labels or with classes the champion does not have.
RetrainOutcome retrain_on_union(const Workspace& workspace, const RetrainOptions& options, const TrainerCallbacks& callbacks = {});

}  // namespace edgeloop
