// Learning-rate range test (`edgeloop train --find-lr`, `--lr auto`): trains a throw-away copy of
// the model for about a hundred steps while the rate rises exponentially and suggests, as the peak
// rate of the recipe's schedule, the rate where the training loss was lowest. Registry-free;
// training_session.h calls it. LibTorch. One test per thread.
#pragma once

#include <vector>

#include "edgeloop/core/progress.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/train/train_options.h"
#include "edgeloop/train/training_data.h"

namespace edgeloop {

struct LearningRateTestOptions {
  // 20 steps per decade of rate: enough to place the minimum within a factor of 1.5, and a
  // cnn-m test ends in about 25 s on 2 cores (at 240 steps it took 53 s).
  int steps = 100;               // optimizer steps at most (fewer when the loss diverges first)
  double start_rate = 1e-5;      // rate of the first step (transfer learning's rates start at 1e-4)
  double end_rate = 1.0;         // rate the last step would reach
  double smoothing = 0.1;        // weight of the newest loss in the moving average watched for divergence
  double divergence = 4.0;       // stop once that average is this many times its minimum
};

struct LearningRateTest {
  std::vector<double> rates;          // one per step taken
  std::vector<double> losses;         // training loss of each step's batch
  std::vector<double> smoothed_losses;  // the losses averaged over a window centred on each step
  double minimum_loss_rate = 0;       // rate where the smoothed loss was lowest
  double steepest_rate = 0;           // rate where the smoothed loss fell fastest (per log-rate)
  double suggested_rate = 0;          // the peak rate to train with
  double seconds = 0;                 // wall time of the test
};

// `module`: freshly built (its weights are changed: pass a copy, not the one to train). `options`:
// resolved (optimizer, weight decay, batch, seed and threads are used; the rate is the test's).
LearningRateTest run_learning_rate_test(LayerGraphModuleImpl& module, const TrainingData& data, const TrainOptions& options,
                                        const LearningRateTestOptions& test_options, const ProgressCallback& progress);

// The rule the test suggests by, on a finished curve of per-step losses (exposed for tests): the
// rate where the loss, averaged over a window of 0.4 decades of rate centred on each step, was
// lowest. A centred window has no lag: the trailing average the classic rule reads lags 20 steps
// behind, and put the minimum 2.5x too high, hence that rule's "a tenth of it" (measured on
// Fashion-MNIST, bench/train/run_recipe_bench.sh: the best fixed peak rate of cnn-s and cnn-m lies
// within 2x of the centred minimum, and 3-6x above a tenth of the trailing one). `smoothed`: the
// averaged curve, when wanted.
double suggest_learning_rate(const std::vector<double>& rates, const std::vector<double>& losses, double* minimum_rate,
                             double* steepest_rate, std::vector<double>* smoothed = nullptr);

}  // namespace edgeloop
