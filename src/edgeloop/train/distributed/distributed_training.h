// distributed_training: one `edgeloop train --distributed` process, i.e. one rank of a
// data-parallel job launched the way torch.distributed jobs are (torchrun, a Kubeflow PyTorchJob,
// Azure ML): join the job (ProcessGroup), prepare the dataset version, agree with every rank on
// data and options before the first step, then train through training_session with DataParallel.
// Rank 0 alone writes the registry, checkpoints and the stored model. LibTorch.
#pragma once

#include "edgeloop/core/workspace.h"
#include "edgeloop/train/distributed/launch_environment.h"
#include "edgeloop/train/distributed/process_group.h"
#include "edgeloop/train/training_session.h"

namespace edgeloop {

// Throws Error(kInvalidArgument) when the ranks disagree (naming the rank and the difference),
// Error(kIo) when a rank stops (naming it); on rank 0 the run is then marked failed and
// its checkpoint kept for --resume, and no model is stored. A rank that fails for another reason
// tells the others, which name it and its message.
TrainOutcome train_model_distributed(const Workspace& workspace, const TrainOptions& options, const Json& pipeline_json,
                                     const TrainerCallbacks& callbacks, const LaunchEnvironment& environment,
                                     const ProcessGroupOptions& group_options = {});

}  // namespace edgeloop
