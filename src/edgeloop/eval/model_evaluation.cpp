#include "edgeloop/eval/model_evaluation.h"

#include <algorithm>

#include "edgeloop/core/error.h"
#include "edgeloop/models/classic_model.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/train/batch_loader.h"
#include "edgeloop/train/classic_training.h"
#include "edgeloop/train/torch_threads.h"

namespace edgeloop {

namespace {

constexpr int kEvaluationBatch = 512;   // images per forward pass

struct Evaluated {
  ModelRecord record;
  StoredModel model;
  TrainingData data;
  std::string split;
  ClassificationMetrics metrics;
  std::vector<int> truth;       // [N]
  std::vector<int> predicted;   // [N]
};

std::vector<float> torch_probabilities(const Workspace& workspace, const StoredModel& model, const TrainingData& data,
                                       const std::vector<int64_t>& indices) {
  LayerGraphModule module = load_module(model.spec, model_weights_path(workspace, model.id));
  torch::NoGradGuard no_grad;
  BatchLoaderOptions loader_options;
  loader_options.batch = kEvaluationBatch;
  loader_options.shuffle = false;
  BatchLoader loader(data, indices, loader_options);
  std::vector<float> probabilities;
  probabilities.reserve(indices.size() * model.labels.size());
  while (auto batch = loader.next()) {
    const torch::Tensor rows = torch::softmax(module->forward(batch->images), 1).contiguous();
    probabilities.insert(probabilities.end(), rows.data_ptr<float>(), rows.data_ptr<float>() + rows.numel());
  }
  return probabilities;
}

Evaluated run_evaluation(const Workspace& workspace, Registry& registry, const std::string& model_reference,
                         const std::string& data_reference, const std::string& split, int threads) {
  set_torch_threads(threads);
  Evaluated evaluated{ModelStore(registry).resolve(model_reference), {}, {}, split, {}, {}, {}};
  evaluated.model = load_stored_model(workspace, evaluated.record.id);
  const StoredModel& model = evaluated.model;
  const std::string reference =
      data_reference.empty() ? model.lineage.dataset + "@" + std::to_string(model.lineage.dataset_number) : data_reference;
  evaluated.data = prepare_training_data(workspace, registry, reference, model.preprocess, threads, {});
  if (evaluated.data.version.classes != model.labels) {
    throw invalid_argument("dataset " + evaluated.data.version.reference() + " has other classes than model " + model.id +
                           ": evaluate on a version with the same class list");
  }
  const std::vector<int64_t>& indices = evaluated.data.split(split);
  std::vector<float> probabilities;
  if (model.kind == kModelKindClassic) {
    const ClassicModel classic = ClassicModel::load(model_classic_path(workspace, model.id));
    probabilities = classic.predict_probabilities(classic_features(classic.spec(), evaluated.data, indices));
  } else {
    try {
      probabilities = torch_probabilities(workspace, model, evaluated.data, indices);
    } catch (const c10::Error& error) {
      throw internal_error(std::string("LibTorch failed while evaluating: ") + error.what_without_backtrace());
    }
  }
  std::vector<int> labels;
  labels.reserve(indices.size());
  for (int64_t index : indices) labels.push_back(evaluated.data.labels[index]);
  evaluated.metrics = compute_classification_metrics(labels, probabilities, model.labels);
  const size_t classes = model.labels.size();
  for (size_t row = 0; row < labels.size(); ++row) {
    const auto first = probabilities.begin() + static_cast<std::ptrdiff_t>(row * classes);
    evaluated.predicted.push_back(static_cast<int>(std::max_element(first, first + static_cast<std::ptrdiff_t>(classes)) - first));
  }
  evaluated.truth = std::move(labels);
  return evaluated;
}

EvaluationReport report_of(const Evaluated& evaluated) {
  EvaluationReport report;
  report.model_id = evaluated.record.id;
  report.dataset = evaluated.data.version.reference();
  report.split = evaluated.split;
  report.metrics = evaluated.metrics;
  report.truth = evaluated.truth;
  report.predicted = evaluated.predicted;
  return report;
}

void record(Registry& registry, const Evaluated& evaluated, const EvaluationReport& report) {
  EvaluationRecord entry;
  entry.model_id = report.model_id;
  entry.dataset = evaluated.data.version.dataset;
  entry.version_id = evaluated.data.version.id;
  entry.split = report.split;
  entry.accuracy = report.metrics.accuracy;
  entry.result = report.to_json();
  entry.forced = report.forced;
  entry.earlier_models = report.earlier_models;
  entry.created_at = utc_timestamp();
  registry.in_transaction([&](SQLite::Database&) { ModelStore(registry).add_evaluation(entry); });
}

}  // namespace

Json EvaluationReport::to_json() const {
  Json json = metrics.to_json();
  json["model"] = model_id;
  json["dataset"] = dataset;
  json["split"] = split;
  if (split.rfind(kSplitTestPrefix, 0) == 0) {
    json["ledger"] = Json{{"forced", forced}, {"earlier_models", earlier_models}, {"reused", earlier_models > 0},
                          {"note", note}};
  }
  return json;
}

EvaluationReport evaluate_model(const Workspace& workspace, const EvaluateOptions& options) {
  if (options.split.rfind(kSplitTestPrefix, 0) == 0) {
    throw invalid_argument("`eval --split " + options.split + "` would look at a test set: use `edgeloop test MODEL --testset " +
                           options.split.substr(std::string(kSplitTestPrefix).size()) + "` (recorded in the ledger)");
  }
  Registry registry = Registry::open(workspace.registry_path());
  const Evaluated evaluated = run_evaluation(workspace, registry, options.model, options.data, options.split, options.threads);
  const EvaluationReport report = report_of(evaluated);
  record(registry, evaluated, report);
  return report;
}

EvaluationReport test_model(const Workspace& workspace, const TestOptions& options) {
  if (options.testset.empty()) throw invalid_argument("no test set: pass --testset NAME (see `edgeloop data stats`)");
  Registry registry = Registry::open(workspace.registry_path());
  ModelStore models(registry);
  const ModelRecord record_of_model = models.resolve(options.model);
  const StoredModel stored = load_stored_model(workspace, record_of_model.id);
  const std::string split = kSplitTestPrefix + options.testset;
  const std::string dataset = options.data.empty() ? stored.lineage.dataset : options.data.substr(0, options.data.find('@'));
  const int times = models.times_tested(record_of_model.id, dataset, split);
  if (times > 0 && !options.force) {
    throw already_exists("model " + record_of_model.id + " was already tested on test set `" + options.testset +
                         "` of " + dataset + ": a test set answers once per model (tuning on it biases it); "
                         "use --force to test again (it is recorded)");
  }
  const int earlier = models.other_models_tested(record_of_model.id, dataset, split);
  const Evaluated evaluated = run_evaluation(workspace, registry, record_of_model.id, options.data, split, options.threads);
  EvaluationReport report = report_of(evaluated);
  report.forced = times > 0;
  report.earlier_models = earlier;
  if (earlier > 0) {
    report.note = "reused test set: " + std::to_string(earlier) + " earlier model(s) were tested on `" + options.testset +
                  "`, so this is no longer an unbiased estimate; make a fresh test set with `edgeloop data split " +
                  dataset + " --test 0.1 --test-name NEW`";
  }
  record(registry, evaluated, report);
  return report;
}

}  // namespace edgeloop
