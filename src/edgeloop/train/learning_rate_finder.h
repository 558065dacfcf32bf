// Learning-rate range test (`edgeloop train --find-lr`, `--lr auto`): trains a throw-away copy of
// the model for a few hundred steps while the rate rises exponentially, follows the smoothed
// training loss, and suggests a peak rate for the recipe's schedule from where the loss fell
// fastest and where it was lowest. Registry-free; training_session.h calls it. LibTorch. One test
// per thread.
#pragma once

#include <vector>

#include "edgeloop/core/progress.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/train/train_options.h"
#include "edgeloop/train/training_data.h"

namespace edgeloop {

struct LearningRateTestOptions {
  int steps = 240;               // optimizer steps at most (fewer when the loss diverges first)
  double start_rate = 1e-5;      // rate of the first step
  double end_rate = 1.0;         // rate the last step would reach
  double smoothing = 0.05;       // weight of the newest loss in the moving average (0..1)
  double divergence = 4.0;       // stop once the smoothed loss is this many times its minimum
};

struct LearningRateTest {
  std::vector<double> rates;          // one per step taken
  std::vector<double> losses;         // smoothed training loss after each step
  double minimum_loss_rate = 0;       // rate where the smoothed loss was lowest
  double steepest_rate = 0;           // rate where the smoothed loss fell fastest (per log-rate)
  double suggested_rate = 0;          // the peak rate to train with
  double seconds = 0;                 // wall time of the test
};

// `module`: freshly built (its weights are changed: pass a copy, not the one to train). `options`:
// resolved (optimizer, weight decay, batch, seed and threads are used; the rate is the test's).
LearningRateTest run_learning_rate_test(LayerGraphModuleImpl& module, const TrainingData& data, const TrainOptions& options,
                                        const LearningRateTestOptions& test_options, const ProgressCallback& progress);

// The rule the test suggests by, on a finished curve (exposed for tests): a tenth of the rate at the
// lowest loss, but not below the steepest descent's rate.
double suggest_learning_rate(const std::vector<double>& rates, const std::vector<double>& losses, double* minimum_rate,
                             double* steepest_rate);

}  // namespace edgeloop
