#include "edgeloop/train/sweep.h"

#include <algorithm>
#include <chrono>
#include <sstream>

#include "edgeloop/core/error.h"
#include "edgeloop/core/pareto_front.h"
#include "edgeloop/models/classic_model.h"
#include "edgeloop/registry/run_store.h"
#include "edgeloop/train/classic_training.h"
#include "edgeloop/train/torch_threads.h"
#include "edgeloop/train/training_session.h"

namespace edgeloop {

namespace {

using Clock = std::chrono::steady_clock;
constexpr const char* kSweepPrefix = "s-";
constexpr const char* kDefaultBaseline = "knn:hog";
constexpr double kSecondsPerMinute = 60.0;
constexpr double kMillisecondsPerSecond = 1000.0;

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
    table.push_back({{"arch", row.arch},           {"model", row.model_id},          {"kind", row.kind},
                     {"val_accuracy", row.val_accuracy}, {"latency_ms", row.latency_ms},
                     {"latency_engine", row.latency_engine}, {"parameters", row.parameters},
                     {"mflops", row.mflops},       {"diagnosis", row.diagnosis},     {"training_seconds", row.training_seconds},
                     {"meets_target", row.meets_target}, {"pareto", row.pareto},     {"pick", row.pick}});
    if (row.pick) pick = row.model_id;
    if (row.pareto) front.push_back(row.model_id);
  }
  return Json{{"sweep", id}, {"rows", table}, {"pareto_front", front}, {"pick", pick},
              {"skipped", skipped}, {"stop_reason", stop_reason}};
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
  auto pick = std::find_if(rows.begin(), rows.end(), [](const SweepRow& row) { return row.meets_target; });
  if (pick == rows.end()) {
    const auto within = [&](const SweepRow& row) { return max_latency_ms <= 0 || row.latency_ms <= max_latency_ms; };
    for (auto row = rows.begin(); row != rows.end(); ++row) {
      if (within(*row) && (pick == rows.end() || row->val_accuracy > pick->val_accuracy)) pick = row;
    }
  }
  if (pick == rows.end()) {
    pick = std::max_element(rows.begin(), rows.end(),
                            [](const SweepRow& a, const SweepRow& b) { return a.val_accuracy < b.val_accuracy; });
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

SweepResult run_sweep(const Workspace& workspace, const SweepOptions& options, const TrainerCallbacks& callbacks) {
  if (options.data.empty()) throw invalid_argument("no dataset: pass --data NAME[@VERSION]");
  std::vector<std::string> archs = options.archs;
  if (archs.empty()) {
    archs.push_back(kDefaultBaseline);
    for (const std::string& arch : architecture_ladder()) archs.push_back(arch);
  }
  Registry registry = Registry::open(workspace.registry_path());
  const TrainingData data = prepare_training_data(workspace, registry, options.data, Json(), options.train.threads,
                                                  callbacks.progress);
  archs = smallest_first(archs, data.input(), data.classes());

  SweepResult result;
  result.id = new_record_id(kSweepPrefix, options.data);
  const auto start = Clock::now();
  const double budget_seconds = options.budget_minutes * kSecondsPerMinute;
  for (size_t index = 0; index < archs.size(); ++index) {
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (budget_seconds > 0 && elapsed >= budget_seconds) {
      result.stop_reason = "time budget spent";
      result.skipped.assign(archs.begin() + index, archs.end());
      break;
    }
    TrainOptions train = options.train;
    train.data = options.data;
    train.arch = archs[index];
    if (budget_seconds > 0) train.max_seconds = budget_seconds - elapsed;
    const TrainOutcome outcome = train_model(workspace, registry, train, data, callbacks);
    SweepRow row;
    row.arch = archs[index];
    row.model_id = outcome.model.id;
    row.kind = outcome.model.kind;
    row.val_accuracy = outcome.model.metrics.value("val_accuracy", 0.0);
    if (options.latency_probe) {
      std::tie(row.latency_engine, row.latency_ms) = options.latency_probe(workspace, outcome.model);
    } else if (row.kind == kModelKindClassic) {
      row.latency_engine = "classic";
      row.latency_ms = classic_latency_ms(workspace, outcome.model, options.latency_repeats);
    } else {
      row.latency_engine = "torch";
      row.latency_ms = torch_latency_ms(workspace, outcome.model, options.latency_repeats);
    }
    row.parameters = outcome.model.parameters;
    row.mflops = outcome.model.mflops;
    row.diagnosis = outcome.model.diagnosis.value("verdict", std::string("-"));
    row.training_seconds = outcome.result.training_seconds;
    row.meets_target = options.target_accuracy > 0 && row.val_accuracy >= options.target_accuracy &&
                       (options.max_latency_ms <= 0 || row.latency_ms <= options.max_latency_ms);
    result.rows.push_back(row);
    if (row.meets_target) {
      result.stop_reason = "target met by " + row.arch + ": the exploratory phase is complete";
      result.skipped.assign(archs.begin() + index + 1, archs.end());
      break;
    }
  }
  if (result.stop_reason.empty()) result.stop_reason = "all architectures tried";
  mark_pareto_and_pick(result.rows, options.max_latency_ms);

  SweepRecord record;
  record.id = result.id;
  record.version_id = data.version.id;
  record.options = Json{{"archs", archs},
                        {"target_accuracy", options.target_accuracy},
                        {"max_latency_ms", options.max_latency_ms},
                        {"budget_minutes", options.budget_minutes},
                        {"train", options.train.to_json()}};
  record.result = result.to_json();
  record.created_at = utc_timestamp();
  registry.in_transaction([&](SQLite::Database&) { RunStore(registry).add_sweep(record); });
  return result;
}

}  // namespace edgeloop
