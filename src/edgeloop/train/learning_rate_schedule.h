// Learning-rate schedules as pure functions of the step: constant, cosine, step decay and
// one-cycle. Called by the Trainer before every optimizer step. Thread-safe.
#pragma once

#include <cstdint>

#include "edgeloop/train/train_options.h"

namespace edgeloop {

// `step` counts optimizer steps from 0; `total_steps` = epochs × steps per epoch.
double scheduled_learning_rate(const TrainOptions& options, int64_t step, int64_t total_steps, int64_t steps_per_epoch);

}  // namespace edgeloop
