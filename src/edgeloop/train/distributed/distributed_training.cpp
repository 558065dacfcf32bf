#include "edgeloop/train/distributed/distributed_training.h"

#include "edgeloop/core/error.h"
#include "edgeloop/train/code_commit.h"
#include "edgeloop/train/distributed/core_binding.h"
#include "edgeloop/train/distributed/data_parallel.h"

namespace edgeloop {

TrainOutcome train_model_distributed(const Workspace& workspace, const TrainOptions& options, const Json& pipeline_json,
                                     const TrainerCallbacks& callbacks, const LaunchEnvironment& environment,
                                     const ProcessGroupOptions& group_options) {
  options.validate();
  if (options.data.empty()) throw invalid_argument("no dataset: pass --data NAME[@VERSION]");
  if (options.batch < environment.world_size) {
    throw invalid_argument("--batch " + std::to_string(options.batch) + " is the global batch, split over WORLD_SIZE=" +
                           std::to_string(environment.world_size) + " ranks: use at least " +
                           std::to_string(environment.world_size));
  }
  // Before any of the job's threads start: they inherit the binding (core_binding.h), and the
  // thread counts resolve to this rank's share of the cores.
  bind_to_local_rank_cpus(environment);
  std::unique_ptr<ProcessGroup> group = ProcessGroup::connect(environment, group_options);
  try {
    Registry registry = Registry::open(workspace.registry_path());
    const TrainingData data = prepare_training_data(workspace, registry, options.data, pipeline_json, options.threads,
                                                    callbacks.progress);
    DataParallel parallel(*group, options.balance_ranks);
    parallel.check_agreement(training_agreement(options, data, code_commit()));
    return train_model(workspace, registry, options, data, callbacks, &parallel);
  } catch (const Error& error) {
    group->report_failure(error.what());
    throw;
  }
}

}  // namespace edgeloop
