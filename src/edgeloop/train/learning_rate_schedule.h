// Learning-rate schedules as pure functions of the step: constant, cosine, step decay and
// one-cycle. Called by the Trainer before every optimizer step, with resolved options (an unset
// schedule is constant, an unset rate 0). Thread-safe.
#pragma once

#include <cstdint>

#include "edgeloop/train/train_options.h"

namespace edgeloop {

// `step` counts optimizer steps from 0; `total_steps` = epochs × steps per epoch. `budget_spent` is the
// share of a time budget (--max-seconds) already used, 0 without one: cosine and one-cycle follow
// whichever of steps and time runs out first, so a run cut by its budget still ends annealed instead
// of stopping at a high learning rate.
double scheduled_learning_rate(const TrainOptions& options, int64_t step, int64_t total_steps, int64_t steps_per_epoch,
                               double budget_spent = 0.0);

}  // namespace edgeloop
