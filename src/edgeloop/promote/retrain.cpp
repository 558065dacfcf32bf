#include "edgeloop/promote/retrain.h"

#include "edgeloop/core/error.h"
#include "edgeloop/core/number_format.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/train/distributed/distributed_training.h"

namespace edgeloop {

RetrainOutcome retrain_on_union(const Workspace& workspace, const RetrainOptions& options, const TrainerCallbacks& callbacks) {
  if (!(options.fine_tune_lr_factor > 0 && options.fine_tune_lr_factor <= 1)) {
    throw invalid_argument("--lr-factor " + format_significant(options.fine_tune_lr_factor) +
                           " is outside (0, 1]: give the share of the champion's learning rate to fine-tune at, e.g. 0.3");
  }
  Registry registry = Registry::open(workspace.registry_path());
  const ModelRecord champion = ModelStore(registry).resolve(options.champion);
  const StoredModel stored = load_stored_model(workspace, champion.id);
  if (stored.kind != kModelKindTorch) {
    throw invalid_argument("--champion " + champion.id + " is a classic model: retrain needs a network (train one with `edgeloop train`)");
  }
  RetrainOutcome outcome;
  outcome.champion_id = champion.id;
  outcome.data = make_union_version(registry, champion.version_id, options.add, options.added_share);

  Json config = stored.lineage.config;
  config.erase("fingerprint");
  config.erase("dataset_version");
  config.erase("resume");
  config.erase("recipe");   // the family name the run was stored with, not an option
  TrainOptions train = TrainOptions::from_json(config, "the champion's training options (" + champion.id + ")");
  train.data = outcome.data.version.reference();
  train.arch = stored.arch;
  train.resume = false;
  train.max_seconds = options.max_seconds;
  if (options.epochs > 0) train.epochs = options.epochs;
  if (options.threads > 0) train.threads = options.threads;
  train.balance_ranks = options.balance_ranks;
  if (options.from_scratch) {
    train.from_model.clear();
    train.keep_classifier = false;
  } else {
    train.from_model = champion.id;
    train.keep_classifier = true;   // the union has the champion's classes, in its order
    train.freeze_blocks = 0;
    train.unfreeze_after = 0;
    // The champion's own rate lowered; without one, the recipe's fine-tuning rate (a tenth of its
    // peak) applies, as for `train --from`.
    if (train.learning_rate) *train.learning_rate *= options.fine_tune_lr_factor;
    train.find_learning_rate = false;
  }
  outcome.trained = options.distributed
                        ? train_model_distributed(workspace, train, stored.preprocess, callbacks, *options.distributed)
                        : train_model(workspace, train, stored.preprocess, callbacks);
  return outcome;
}

}  // namespace edgeloop
