#include "edgeloop/train/sweep.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <sstream>

#include "edgeloop/core/error.h"
#include "edgeloop/core/number_format.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/core/pareto_front.h"
#include "edgeloop/models/classic_model.h"
#include "edgeloop/registry/run_store.h"
#include "edgeloop/train/batch_loader.h"
#include "edgeloop/train/classic_training.h"
#include "edgeloop/train/step_cost_memory.h"
#include "edgeloop/train/sweep_plan.h"
#include "edgeloop/train/torch_threads.h"
#include "edgeloop/train/training_recipe.h"
#include "edgeloop/train/training_session.h"

namespace edgeloop {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kSweepPrefix = "s-";
constexpr const char* kDefaultBaseline = "knn:hog";
constexpr double kSecondsPerMinute = 60.0;
constexpr double kMillisecondsPerSecond = 1000.0;
// The plan's worst case may use this share of the budget left after the baselines; the rest pays
// for validation after each epoch, latency probes and model storing, which the calibration does not time.
constexpr double kTrainingShareOfBudget = 0.8;
constexpr double kMaxFinalEpochsWithBudget = 30;   // with a budget and no --epochs: the longest final rung
// A final rung shorter than this says little about what an architecture can do (the recipes reach
// their accuracy in 3 epochs or more): the plan leaves out the most expensive candidates instead.
constexpr double kUsefulFinalEpochs = 2;
constexpr const char* kStepCostFile = "step-costs.json";
constexpr double kExhaustedBudgetSeconds = 1e-3;
// A calibration this much slower than the fastest remembered says so in the plan: the wall time
// will overrun the budget by about as much.
constexpr double kBusyMachineSlowdown = 1.2;

double median(std::vector<double> values) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  return values[values.size() / 2];
}

// Median single-image latency on one thread, the way a device would run it.
double torch_latency_ms(const Workspace& workspace, const StoredModel& model, int repeats) {
  LayerGraphModule module = load_module(model.spec, model_weights_path(workspace, model.id));
  torch::NoGradGuard no_grad;
  const ScopedThreads one_thread(1, {torch_thread_setting()});
  const torch::Tensor input = torch::rand({1, model.input.channels, model.input.height, model.input.width});
  module->forward(input);   // warm-up
  std::vector<double> times;
  for (int repeat = 0; repeat < repeats; ++repeat) {
    const auto start = Clock::now();
    module->forward(input);
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count() * kMillisecondsPerSecond);
  }
  return median(times);
}

double classic_latency_ms(const Workspace& workspace, const StoredModel& model, int repeats) {
  const ClassicModel classic = ClassicModel::load(model_classic_path(workspace, model.id));
  cv::Mat image(model.input.height, model.input.width, CV_32FC(model.input.channels));
  cv::randu(image, 0.0, 1.0);
  std::vector<double> times;
  for (int repeat = 0; repeat < std::max(1, repeats / 10); ++repeat) {
    const auto start = Clock::now();
    classic.predict_probabilities(ClassicModel::features_of(classic.spec(), image));
    times.push_back(std::chrono::duration<double>(Clock::now() - start).count() * kMillisecondsPerSecond);
  }
  return median(times);
}

ModelProbe fallback_probe(const Workspace& workspace, const StoredModel& model, int repeats) {
  ModelProbe probe;
  std::error_code ignored;
  if (model.kind == kModelKindClassic) {
    probe.engine = "classic";
    probe.latency_ms = classic_latency_ms(workspace, model, repeats);
    probe.file_bytes = static_cast<int64_t>(std::filesystem::file_size(model_classic_path(workspace, model.id), ignored));
  } else {
    probe.engine = "torch";
    probe.latency_ms = torch_latency_ms(workspace, model, repeats);
    probe.file_bytes = static_cast<int64_t>(std::filesystem::file_size(model_weights_path(workspace, model.id), ignored));
  }
  return probe;
}

// Seconds per optimizer step of `arch` with its options on this machine now: one warm-up step,
// then `steps` timed ones on real batches (the weights are thrown away).
// One candidate's model, optimizer and batches during the calibration.
struct CalibrationRun {
  LayerGraphModule module{nullptr};
  std::unique_ptr<torch::optim::Optimizer> optimizer;
  std::unique_ptr<BatchLoader> loader;
  std::vector<double> times;
};

// Median seconds per training step of each network, over `steps` timed steps after two that warm
// up (allocations, oneDNN's primitive creation). The candidates take their steps in turn, one step
// of each per round, so that a neighbour's burst or a hog's time slices fall on all of them alike:
// the plan compares their costs, and a candidate timed alone in a bad moment was left out for
// nothing (cnn-s once measured 280 ms per step beside mlp's 167, and 33 ms in the next sweep).
// The median, not the mean, so that one stretched step does not count.
std::vector<double> seconds_per_step(const std::vector<std::string>& archs, const TrainingData& data,
                                     const std::vector<TrainOptions>& options, int steps) {
  constexpr int kWarmUpSteps = 2;
  std::vector<CalibrationRun> runs(archs.size());
  for (size_t index = 0; index < archs.size(); ++index) {
    ArchSpec spec = ArchSpec::parse(archs[index]);
    spec.input = data.input();
    spec.classes = data.classes();
    torch::manual_seed(options[index].seed);
    runs[index].module = LayerGraphModule(spec);
    runs[index].module->use_channels_last();
    runs[index].module->train();
    runs[index].optimizer = make_optimizer(*runs[index].module, options[index]);
    BatchLoaderOptions loader_options;
    loader_options.batch = options[index].batch;
    loader_options.seed = options[index].seed;
    runs[index].loader = std::make_unique<BatchLoader>(data, data.split(kSplitTrain), loader_options);
  }
  for (int step = 0; step < kWarmUpSteps + steps; ++step) {
    for (CalibrationRun& run : runs) {
      std::optional<Batch> batch = run.loader->next();
      if (!batch) continue;
      const auto start = Clock::now();
      run.optimizer->zero_grad();
      torch::nn::functional::cross_entropy(run.module->forward(batch->images), batch->labels).backward();
      run.optimizer->step();
      if (step >= kWarmUpSteps) run.times.push_back(seconds_since(start));
    }
  }
  std::vector<double> costs;
  for (const CalibrationRun& run : runs) costs.push_back(median(run.times));
  return costs;
}

std::string describe_plan(const SweepPlan& plan) {
  std::string steps;
  for (int64_t rung : plan.rung_steps) steps += (steps.empty() ? "" : ", ") + std::to_string(rung);
  char final_epochs[32];
  std::snprintf(final_epochs, sizeof final_epochs, "%.2g", plan.final_epochs);
  return std::to_string(plan.rung_steps.size()) + " rung(s) of " + steps + " steps (final rung " + final_epochs +
         " epochs" + (plan.fits ? "" : "; the shortest plan, over the budget") + ")";
}

}  // namespace

std::vector<std::string> parse_architecture_list(const std::string& text) {
  std::vector<std::string> items;
  std::stringstream stream(text);
  std::string item;
  while (std::getline(stream, item, ',')) {
    if (!items.empty() && item.find('=') != std::string::npos && item.find(':') == std::string::npos &&
        items.back().find(':') != std::string::npos) {
      items.back() += "," + item;
    } else if (!item.empty()) {
      items.push_back(item);
    }
  }
  return items;
}

Json SweepResult::to_json() const {
  Json table = Json::array();
  std::string pick;
  Json front = Json::array();
  for (const SweepRow& row : rows) {
    table.push_back({{"arch", row.arch},
                     {"model", row.model_id},
                     {"kind", row.kind},
                     {"val_accuracy", row.val_accuracy},
                     {"latency_ms", row.latency_ms},
                     {"latency_engine", row.latency_engine},
                     {"bundle_bytes", row.bundle_bytes},
                     {"rung", row.rung},
                     {"rungs", row.rungs},
                     {"steps", row.steps},
                     {"status", row.status},
                     {"parameters", row.parameters},
                     {"mflops", row.mflops},
                     {"diagnosis", row.diagnosis},
                     {"training_seconds", row.training_seconds},
                     {"meets_target", row.meets_target},
                     {"pareto", row.pareto},
                     {"pick", row.pick}});
    if (row.pick) pick = row.model_id;
    if (row.pareto) front.push_back(row.model_id);
  }
  return Json{{"sweep", id},         {"rows", table},   {"pareto_front", front},
              {"pick", pick},         {"skipped", skipped}, {"stop_reason", stop_reason},
              {"plan", plan},         {"calibration_seconds", calibration_seconds},
              {"planned_preamble_seconds", planned_preamble_seconds}, {"training_threads", training_threads}};
}

SweepResult SweepResult::from_json(const Json& json) {
  SweepResult result;
  try {
    result.id = json.at("sweep").get<std::string>();
    for (const Json& item : json.at("rows")) {
      SweepRow row;
      row.arch = item.at("arch").get<std::string>();
      row.model_id = item.at("model").get<std::string>();
      row.kind = item.at("kind").get<std::string>();
      row.val_accuracy = item.at("val_accuracy").get<double>();
      row.latency_ms = item.at("latency_ms").get<double>();
      row.latency_engine = item.at("latency_engine").get<std::string>();
      row.bundle_bytes = item.at("bundle_bytes").get<int64_t>();
      row.rung = item.at("rung").get<int>();
      row.rungs = item.at("rungs").get<int>();
      row.steps = item.at("steps").get<int64_t>();
      row.status = item.at("status").get<std::string>();
      row.parameters = item.at("parameters").get<int64_t>();
      row.mflops = item.at("mflops").get<double>();
      row.diagnosis = item.at("diagnosis").get<std::string>();
      row.training_seconds = item.at("training_seconds").get<double>();
      row.meets_target = item.at("meets_target").get<bool>();
      row.pareto = item.at("pareto").get<bool>();
      row.pick = item.at("pick").get<bool>();
      result.rows.push_back(row);
    }
    result.skipped = json.at("skipped").get<std::vector<std::string>>();
    result.stop_reason = json.at("stop_reason").get<std::string>();
    result.plan = json.at("plan").get<std::string>();
    result.calibration_seconds = json.at("calibration_seconds").get<double>();
    result.training_threads = json.value("training_threads", 0);   // absent from sweeps stored before it
    result.planned_preamble_seconds = json.value("planned_preamble_seconds", 0.0);   // likewise
  } catch (const Json::exception& error) {
    throw corrupt(std::string("stored sweep result is damaged or from an older edgeloop (") + error.what() +
                  "): run the sweep again");
  }
  return result;
}

void mark_pareto_and_pick(std::vector<SweepRow>& rows, double max_latency_ms) {
  std::vector<TradeOffPoint> points;
  for (const SweepRow& row : rows) points.push_back({row.val_accuracy, row.latency_ms});
  const std::vector<bool> on_front = pareto_front(points);
  for (size_t index = 0; index < rows.size(); ++index) {
    rows[index].pareto = on_front[index];
    rows[index].pick = false;
  }
  if (rows.empty()) return;
  // The pick is what gets exported and deployed: a network whenever one was trained. The classic
  // baselines stand beside the networks in the table (and on the front) as the bar to clear.
  const bool any_network = std::any_of(rows.begin(), rows.end(), [](const SweepRow& row) { return row.kind != "classic"; });
  const auto eligible = [&](const SweepRow& row) { return !any_network || row.kind != "classic"; };
  auto pick = std::find_if(rows.begin(), rows.end(), [&](const SweepRow& row) { return eligible(row) && row.meets_target; });
  const auto within = [&](const SweepRow& row) { return max_latency_ms <= 0 || row.latency_ms <= max_latency_ms; };
  for (bool latency_bound : {true, false}) {
    if (pick != rows.end()) break;
    for (auto row = rows.begin(); row != rows.end(); ++row) {
      if (eligible(*row) && (!latency_bound || within(*row)) &&
          (pick == rows.end() || row->val_accuracy > pick->val_accuracy)) {
        pick = row;
      }
    }
  }
  pick->pick = true;
}

std::vector<std::string> smallest_first(const std::vector<std::string>& archs, const InputShape& input, int classes) {
  std::vector<std::pair<double, std::string>> ordered;
  for (const std::string& arch : archs) {
    if (is_classic_arch(arch)) {
      ClassicSpec::parse(arch);
      ordered.emplace_back(-1.0, arch);
      continue;
    }
    ArchSpec spec = ArchSpec::parse(arch);
    spec.input = input;
    spec.classes = classes;
    ordered.emplace_back(spec.mflops(), arch);
  }
  std::stable_sort(ordered.begin(), ordered.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> names;
  for (const auto& [cost, arch] : ordered) names.push_back(arch);
  return names;
}

namespace {

// One sweep in progress: its options, data, result rows and the candidates' places in them.
struct SweepRun {
  const Workspace& workspace;
  Registry& registry;
  const SweepOptions& options;
  const TrainingData& data;
  const TrainerCallbacks& callbacks;
  SweepResult result;
  int training_threads = 0;   // the rungs' thread count when the calibration chose one; 0: options.train's
};

// Probes the row's model, decides whether it meets the target and reports the row.
void finish_row(SweepRun& sweep, SweepRow& row, const StoredModel& model) {
  const SweepOptions& options = sweep.options;
  const ModelProbe probe = options.latency_probe ? options.latency_probe(sweep.workspace, model)
                                                 : fallback_probe(sweep.workspace, model, options.latency_repeats);
  row.latency_engine = probe.engine;
  row.latency_ms = probe.latency_ms;
  row.bundle_bytes = probe.file_bytes;
  row.meets_target = options.target_accuracy > 0 && row.val_accuracy >= options.target_accuracy &&
                     (options.max_latency_ms <= 0 || row.latency_ms <= options.max_latency_ms);
  if (options.on_rung) options.on_rung(row);
}

SweepRow train_row(SweepRun& sweep, const TrainOptions& train, SweepRow row) {
  const TrainOutcome outcome = train_model(sweep.workspace, sweep.registry, train, sweep.data, sweep.callbacks);
  row.model_id = outcome.model.id;
  row.kind = outcome.model.kind;
  row.val_accuracy = outcome.model.metrics.value("val_accuracy", 0.0);
  row.parameters = outcome.model.parameters;
  row.mflops = outcome.model.mflops;
  row.diagnosis = outcome.model.diagnosis.value("verdict", std::string("-"));
  row.training_seconds = outcome.result.training_seconds;
  row.steps = outcome.result.steps;
  finish_row(sweep, row, outcome.model);
  return row;
}

TrainOptions rung_options(const SweepRun& sweep, const std::string& arch, int64_t steps) {
  TrainOptions train = sweep.options.train;
  train.data = sweep.options.data;
  train.arch = arch;
  const int64_t steps_per_epoch = sweep.data.steps_per_epoch(train.batch);
  train.epochs = static_cast<int>((steps + steps_per_epoch - 1) / steps_per_epoch);
  train.max_steps = steps;
  train.max_seconds = 0;   // the plan counts steps: a busy moment lengthens the sweep, it does not cut a rung
  train.patience = std::max(train.patience, *train.epochs);   // a rung runs its steps
  if (sweep.training_threads > 0) train.threads = sweep.training_threads;
  return train;
}

// Successive halving over `networks` (smallest first); false when a row met the target.
bool halve(SweepRun& sweep, const std::vector<std::string>& networks, const SweepPlan& plan) {
  std::vector<size_t> alive;   // indices into result.rows
  const int rungs = static_cast<int>(plan.rung_steps.size());
  for (int rung = 1; rung <= rungs; ++rung) {
    const int64_t steps = plan.rung_steps[rung - 1];
    const std::vector<size_t> training = alive;
    for (size_t index = 0; index < (rung == 1 ? networks.size() : training.size()); ++index) {
      SweepRow row;
      row.arch = rung == 1 ? networks[index] : sweep.result.rows[training[index]].arch;
      row.rung = rung;
      row.rungs = rungs;
      row.status = rung == rungs ? "final rung" : "rung " + std::to_string(rung) + " of " + std::to_string(rungs);
      row = train_row(sweep, rung_options(sweep, row.arch, steps), row);
      if (rung == 1) {
        sweep.result.rows.push_back(row);
        alive.push_back(sweep.result.rows.size() - 1);
      } else {
        sweep.result.rows[training[index]] = row;
      }
      if (row.meets_target) {
        sweep.result.stop_reason = "target met by " + row.arch + " at rung " + std::to_string(rung) +
                                   ": the exploratory phase is complete";
        if (rung == 1) sweep.result.skipped.insert(sweep.result.skipped.end(), networks.begin() + index + 1, networks.end());
        return false;
      }
    }
    if (rung == rungs) break;
    // The better half goes on; ties go to the cheaper (earlier, smaller) candidate.
    std::stable_sort(alive.begin(), alive.end(), [&](size_t a, size_t b) {
      return sweep.result.rows[a].val_accuracy > sweep.result.rows[b].val_accuracy;
    });
    const size_t keep = static_cast<size_t>(plan.rung_survivors[rung]);
    for (size_t index = keep; index < alive.size(); ++index) {
      sweep.result.rows[alive[index]].status = "stopped after rung " + std::to_string(rung) + " of " +
                                               std::to_string(rungs) + " (not in the better half)";
    }
    alive.resize(keep);
  }
  return true;
}

// The classic baselines, in ladder order, each trained once; the networks are returned for the
// rungs. Stops (empty result) when a baseline meets the target: the exploratory phase is complete.
std::vector<std::string> train_baselines(SweepRun& sweep, const std::vector<std::string>& archs) {
  std::vector<std::string> networks;
  for (size_t index = 0; index < archs.size(); ++index) {
    if (!is_classic_arch(archs[index])) {
      networks.push_back(archs[index]);
      continue;
    }
    TrainOptions train = sweep.options.train;
    train.data = sweep.options.data;
    train.arch = archs[index];
    SweepRow row;
    row.arch = archs[index];
    row.status = "baseline";
    sweep.result.rows.push_back(train_row(sweep, train, row));
    if (sweep.result.rows.back().meets_target) {
      sweep.result.stop_reason = "target met by " + row.arch + ": the exploratory phase is complete";
      sweep.result.skipped.assign(archs.begin() + index + 1, archs.end());
      return {};
    }
  }
  return networks;
}

// The costs a plan counts: per network, the fastest step this machine has shown at any thread count
// timed (step_cost_memory.h), and the fastest the sweep's preamble (data, baselines, calibration)
// has taken, or this run's own when the sweep plans on wall time; and how much slower this
// calibration measured at the thread count the rungs take than those costs.
struct PlanningCosts {
  std::vector<double> seconds_per_step;
  double preamble_seconds = 0;
  double slowdown = 1.0;
};

PlanningCosts planning_costs(const SweepRun& sweep, const std::vector<std::string>& networks,
                             const std::vector<TrainOptions>& recipes, const std::vector<int>& thread_counts,
                             const std::vector<std::vector<double>>& calibrations, size_t cheapest,
                             double preamble_seconds) {
  std::vector<std::vector<double>> fastest_seen = calibrations;
  if (sweep.options.plan_on_fastest_step_costs) {
    // Every thread count's keys in one call: the memory's file is read and written once.
    const InputShape input = sweep.data.input();
    const std::string input_text =
        std::to_string(input.channels) + "x" + std::to_string(input.height) + "x" + std::to_string(input.width);
    std::vector<StepCostKey> keys;
    std::vector<double> measured;
    for (size_t count = 0; count < thread_counts.size(); ++count) {
      for (size_t index = 0; index < networks.size(); ++index) {
        keys.push_back({networks[index], input_text, recipes[index].batch, thread_counts[count]});
        measured.push_back(calibrations[count][index]);
      }
    }
    // The preamble too: what is left of the budget must not depend on the load either. Dividing it
    // by the calibration's slowdown did not do that: the slowdown mixes the load with the thread
    // count change (a hog made the rungs take 1 thread, measured 2x the 2-thread fastest, and the
    // preamble then counted half: a longer plan than idle). Its key names what it runs.
    std::string candidates;
    for (const std::string& network : networks) candidates += (candidates.empty() ? "" : ",") + network;
    keys.push_back({"sweep preamble before " + candidates, input_text + ", " + std::to_string(sweep.data.split("train").size()) +
                        " training images", sweep.options.train.batch, thread_counts.front()});
    measured.push_back(preamble_seconds);
    const std::vector<double> fastest = StepCostMemory(sweep.workspace.cache_dir() / kStepCostFile).fastest(keys, measured);
    for (size_t count = 0; count < thread_counts.size(); ++count) {
      fastest_seen[count].assign(fastest.begin() + static_cast<std::ptrdiff_t>(count * networks.size()),
                                 fastest.begin() + static_cast<std::ptrdiff_t>((count + 1) * networks.size()));
    }
    preamble_seconds = fastest.back();
  }
  PlanningCosts planning{fastest_seen[cheapest_calibration(fastest_seen)], preamble_seconds};
  double measured_total = 0, planned_total = 0;
  for (size_t index = 0; index < calibrations[cheapest].size(); ++index) {
    measured_total += calibrations[cheapest][index];
    planned_total += planning.seconds_per_step[index];
  }
  if (planned_total > 0) planning.slowdown = std::max(1.0, measured_total / planned_total);
  return planning;
}

// The networks' rungs: each network's step cost measured on this machine, a successive-halving
// plan that fits what is left of the budget (started at `start`), then the rungs themselves.
void train_network_rungs(SweepRun& sweep, const std::vector<std::string>& networks, Clock::time_point start) {
  const SweepOptions& options = sweep.options;
  const auto calibration_start = Clock::now();
  std::vector<TrainOptions> recipes;
  for (const std::string& arch : networks) {
    TrainOptions train = options.train;
    train.arch = arch;
    recipes.push_back(with_default_recipe(train));
  }
  // With all cores asked for, the calibration also times one thread fewer and the rungs take the
  // cheaper: another job on one core makes every step of an all-core run wait on the thread that
  // shares it (cnn-m measured 87 ms per step on 2 idle cores, 247-277 ms with one core busy).
  const int all_cores = resolve_thread_count(options.train.threads);
  std::vector<int> thread_counts{all_cores};
  if (options.train.threads == 0 && all_cores > 1) thread_counts.push_back(all_cores - 1);
  std::vector<std::vector<double>> calibrations;
  for (int threads : thread_counts) {
    const ScopedThreads scoped(threads, {torch_thread_setting()});
    calibrations.push_back(seconds_per_step(networks, sweep.data, recipes, options.calibration_steps));
  }
  // The rungs run at the thread count fastest now; the plan counts steps at the fastest costs this
  // machine has shown (step_cost_memory.h), so a busy moment lengthens the sweep instead of changing
  // what it trains.
  const size_t cheapest = cheapest_calibration(calibrations);
  sweep.training_threads = thread_counts[cheapest];
  sweep.result.training_threads = sweep.training_threads;
  const PlanningCosts planning =
      planning_costs(sweep, networks, recipes, thread_counts, calibrations, cheapest, seconds_since(start));
  const std::vector<double>& costs = planning.seconds_per_step;
  const double slowdown = planning.slowdown;
  sweep.result.calibration_seconds = seconds_since(calibration_start);
  std::string calibration;
  for (size_t index = 0; index < networks.size(); ++index) {
    calibration += (calibration.empty() ? "" : ", ") + networks[index] + " " +
                   format_fixed(costs[index] * kMillisecondsPerSecond, 1);
  }
  const double spent = sweep.result.planned_preamble_seconds = planning.preamble_seconds;
  // A budget the baselines and the calibration used up still plans (the shortest ladder, marked
  // over the budget): 0 would mean no budget, and the sweep trained the recipe's full epochs.
  const bool has_budget = options.budget_minutes > 0;
  const double budget =
      has_budget ? std::max(kExhaustedBudgetSeconds, options.budget_minutes * kSecondsPerMinute * kTrainingShareOfBudget - spent)
                 : 0.0;
  const double max_epochs = options.train.epochs ? *options.train.epochs
                            : has_budget         ? kMaxFinalEpochsWithBudget
                                                 : *with_default_recipe(options.train).epochs;
  const SweepPlan plan = plan_successive_halving(costs, sweep.data.steps_per_epoch(options.train.batch), budget, max_epochs,
                                                 kUsefulFinalEpochs);
  std::vector<std::string> planned, left_out;
  for (size_t index = 0; index < networks.size(); ++index) {
    (plan.included[index] ? planned : left_out).push_back(networks[index]);
  }
  sweep.result.plan = describe_plan(plan) + "; ms per step" +
                      (options.plan_on_fastest_step_costs ? " (the fastest seen on this machine): " : ": ") + calibration +
                      "; training threads: " + std::to_string(sweep.training_threads);
  if (slowdown >= kBusyMachineSlowdown) {
    sweep.result.plan += "; the machine is busy (steps measured " + format_fixed(slowdown, 2) +
                         "x as long as its fastest): the rungs take about that much longer than the budget";
  }
  if (calibrations.size() > 1) {   // what the other count measured, against the chosen one's steps
    const size_t other = cheapest == 0 ? 1 : 0;
    double other_total = 0, chosen_total = 0;
    for (size_t index = 0; index < costs.size(); ++index) {
      other_total += calibrations[other][index];
      chosen_total += costs[index];
    }
    sweep.result.plan += " (steps on " + std::to_string(thread_counts[other]) + " measured " +
                         format_fixed(chosen_total > 0 ? other_total / chosen_total : 1.0, 2) + "x as long)";
  }
  if (!left_out.empty()) {
    std::string names;
    for (const std::string& arch : left_out) names += (names.empty() ? "" : ", ") + arch;
    sweep.result.plan += "; left out for the budget (with them no final rung reaches " +
                         format_fixed(kUsefulFinalEpochs, 0) + " epochs): " + names;
    sweep.result.skipped.insert(sweep.result.skipped.end(), left_out.begin(), left_out.end());
  }
  if (halve(sweep, planned, plan)) {
    sweep.result.stop_reason = "successive halving finished: " + sweep.result.plan;
  }
}

void store_sweep(Registry& registry, const SweepRun& sweep, const std::vector<std::string>& archs) {
  const SweepOptions& options = sweep.options;
  SweepRecord record;
  record.id = sweep.result.id;
  record.version_id = sweep.data.version.id;
  record.options = Json{{"archs", archs},
                        {"target_accuracy", options.target_accuracy},
                        {"max_latency_ms", options.max_latency_ms},
                        {"budget_minutes", options.budget_minutes},
                        {"train", options.train.to_json()}};
  record.result = sweep.result.to_json();
  record.created_at = utc_timestamp();
  registry.in_transaction([&](SQLite::Database&) { RunStore(registry).add_sweep(record); });
}

}  // namespace

SweepResult run_sweep(const Workspace& workspace, const SweepOptions& options, const TrainerCallbacks& callbacks) {
  if (options.data.empty()) throw invalid_argument("no dataset: pass --data NAME[@VERSION]");
  options.train.validate();
  std::vector<std::string> archs = options.archs;
  if (archs.empty()) {
    archs.push_back(kDefaultBaseline);
    for (const std::string& arch : architecture_ladder()) archs.push_back(arch);
  }
  const auto start = Clock::now();
  Registry registry = Registry::open(workspace.registry_path());
  const TrainingData data = prepare_training_data(workspace, registry, options.data, Json(), options.train.threads,
                                                  callbacks.progress);
  archs = smallest_first(archs, data.input(), data.classes());
  SweepRun sweep{workspace, registry, options, data, callbacks, SweepResult{}};
  sweep.result.id = new_record_id(kSweepPrefix, options.data);
  const std::vector<std::string> networks = train_baselines(sweep, archs);
  if (!networks.empty()) train_network_rungs(sweep, networks, start);
  if (sweep.result.stop_reason.empty()) sweep.result.stop_reason = "all architectures tried";
  mark_pareto_and_pick(sweep.result.rows, options.max_latency_ms);
  store_sweep(registry, sweep, archs);
  return sweep.result;
}

}  // namespace edgeloop
