#include "edgeloop/train/learning_rate_finder.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

#include "edgeloop/core/error.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/train/batch_loader.h"
#include "edgeloop/train/trainer.h"

namespace edgeloop {

namespace {

using Clock = std::chrono::steady_clock;
constexpr double kWindowDecades = 0.4;     // width of the centred average, in decades of rate
constexpr int kMinimumHalfWindow = 2;      // steps either side at least
constexpr int kSkipFirstSteps = 5;         // the first steps' loss is noise around the initial value
constexpr int kLoaderThreads = 1;
constexpr int kLoaderPrefetch = 4;

int half_window_steps(const std::vector<double>& rates) {
  const double decades = std::log10(rates.back() / rates.front());
  if (!(decades > 0)) return kMinimumHalfWindow;
  const double steps_per_decade = static_cast<double>(rates.size() - 1) / decades;
  return std::max(kMinimumHalfWindow, static_cast<int>(std::lround(steps_per_decade * kWindowDecades / 2)));
}

}  // namespace

double suggest_learning_rate(const std::vector<double>& rates, const std::vector<double>& losses, double* minimum_rate,
                             double* steepest_rate, std::vector<double>* smoothed) {
  if (rates.size() != losses.size() || rates.size() < 2) {
    throw internal_error("learning-rate test: too few steps to suggest a rate");
  }
  const size_t count = losses.size();
  const size_t half = static_cast<size_t>(half_window_steps(rates));
  std::vector<double> average(count);
  for (size_t step = 0; step < count; ++step) {
    const size_t first = step >= half ? step - half : 0;
    const size_t last = std::min(step + half, count - 1);
    double sum = 0;
    for (size_t i = first; i <= last; ++i) sum += losses[i];
    average[step] = sum / static_cast<double>(last - first + 1);
  }
  const size_t first = std::min<size_t>(kSkipFirstSteps, count - 1);
  size_t lowest = first;
  for (size_t step = first; step < count; ++step) {
    if (average[step] < average[lowest]) lowest = step;
  }
  size_t steepest = lowest;
  double steepest_slope = 0.0;
  for (size_t step = std::max<size_t>(first, 1); step < lowest; ++step) {
    const double slope = (average[step + 1] - average[step - 1]) / std::log(rates[step + 1] / rates[step - 1]);
    if (slope < steepest_slope) {
      steepest_slope = slope;
      steepest = step;
    }
  }
  if (minimum_rate) *minimum_rate = rates[lowest];
  if (steepest_rate) *steepest_rate = rates[steepest];
  if (smoothed) *smoothed = std::move(average);
  return rates[lowest];
}

LearningRateTest run_learning_rate_test(LayerGraphModuleImpl& module, const TrainingData& data, const TrainOptions& options,
                                        const LearningRateTestOptions& test_options, const ProgressCallback& progress) {
  const auto start = Clock::now();
  TrainOptions constant = options;
  constant.learning_rate = test_options.start_rate;
  module.use_channels_last();
  module.train();
  auto optimizer = make_optimizer(module, constant);
  const double growth = std::pow(test_options.end_rate / test_options.start_rate, 1.0 / std::max(1, test_options.steps - 1));
  LearningRateTest test;
  double average = 0.0, lowest = std::numeric_limits<double>::infinity();
  int step = 0;
  for (int epoch = 1; step < test_options.steps; ++epoch) {
    BatchLoaderOptions loader_options;
    loader_options.batch = options.batch;
    loader_options.seed = options.seed;
    loader_options.epoch = epoch;
    loader_options.threads = kLoaderThreads;
    loader_options.prefetch = kLoaderPrefetch;
    BatchLoader loader(data, data.split(kSplitTrain), loader_options);
    if (loader.batch_count() == 0) throw invalid_argument(data.version.reference() + " has no training images");
    while (step < test_options.steps) {
      auto batch = loader.next();
      if (!batch) break;
      const double rate = test_options.start_rate * std::pow(growth, step);
      for (auto& group : optimizer->param_groups()) group.options().set_lr(rate);
      optimizer->zero_grad();
      const torch::Tensor loss = torch::nn::functional::cross_entropy(module.forward(batch->images), batch->labels);
      loss.backward();
      optimizer->step();
      const double value = loss.item<double>();
      average = step == 0 ? value : (1 - test_options.smoothing) * average + test_options.smoothing * value;
      test.rates.push_back(rate);
      test.losses.push_back(value);
      ++step;
      lowest = std::min(lowest, average);
      if (progress) progress(Progress{"lr range test", step, test_options.steps, "lr " + std::to_string(rate)});
      if (!std::isfinite(average) || (step > kSkipFirstSteps && average > test_options.divergence * lowest)) {
        step = test_options.steps;   // diverged: the rest of the range teaches nothing
      }
    }
  }
  // A diverged step's loss is infinite or NaN: the rates up to it are the curve.
  while (!test.losses.empty() && !std::isfinite(test.losses.back())) {
    test.losses.pop_back();
    test.rates.pop_back();
  }
  test.suggested_rate =
      suggest_learning_rate(test.rates, test.losses, &test.minimum_loss_rate, &test.steepest_rate, &test.smoothed_losses);
  test.seconds = seconds_since(start);
  return test;
}

}  // namespace edgeloop
