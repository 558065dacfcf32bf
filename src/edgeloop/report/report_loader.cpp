#include "edgeloop/report/report_loader.h"

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/run_store.h"
#include "edgeloop/report/report_pages.h"

namespace edgeloop {

namespace {

namespace fs = std::filesystem;

RunSummary run_summary(Registry& registry, const RunRecord& run) {
  RunSummary summary;
  summary.run_id = run.id;
  summary.arch = run.arch;
  DatasetStore datasets(registry);
  const auto version = datasets.find_version(run.version_id);
  summary.dataset_version = version ? version->reference() : run.version_id;
  summary.status = run.status;
  summary.code_commit = run.code_commit;
  summary.seed = static_cast<int64_t>(run.seed);
  summary.config = run.config;
  summary.diagnosis = run.diagnosis;
  summary.epochs = RunStore(registry).epochs(run.id);
  return summary;
}

}  // namespace

std::string to_string(ReportKind kind) {
  switch (kind) {
    case ReportKind::kRun: return "run";
    case ReportKind::kModel: return "model";
    case ReportKind::kSweep: return "sweep";
    case ReportKind::kEdgeLog: return "edge";
  }
  return "unknown";
}

ReportKind resolve_report_kind(Registry* registry, const std::string& argument) {
  if (fs::is_regular_file(argument)) return ReportKind::kEdgeLog;
  if (registry != nullptr) {
    RunStore runs(*registry);
    if (runs.find_run(argument)) return ReportKind::kRun;
    if (runs.find_sweep(argument)) return ReportKind::kSweep;
    ModelStore models(*registry);
    if (models.find(argument)) return ReportKind::kModel;
    if (argument.rfind("m-", 0) == 0) return ReportKind::kModel;   // a prefix: resolve() says if it is ambiguous
  }
  throw not_found("'" + argument + "' is not a run, model or sweep id in this workspace, nor an edge log file: " +
                  "see `edgeloop models list` for ids, or pass the JSONL file edgeloop-edge wrote");
}

ClassBalance load_class_balance(Registry& registry, const std::string& version_id) {
  DatasetStore datasets(registry);
  const auto version = datasets.find_version(version_id);
  if (!version) throw not_found("dataset version " + version_id + " is not in the registry");
  ClassBalance balance;
  balance.dataset_version = version->reference();
  balance.classes = version->classes;
  SQLite::Statement query(registry.database(),
                          "SELECT split, label, COUNT(*) FROM version_samples WHERE version_id = ? AND label IS NOT NULL "
                          "GROUP BY split, label");
  query.bind(1, version_id);
  while (query.executeStep()) {
    const std::string split = query.getColumn(0).getString().empty() ? "unsplit" : query.getColumn(0).getString();
    const int label = query.getColumn(1).getInt();
    auto& counts = balance.counts[split];
    counts.resize(balance.classes.size(), 0);
    if (label >= 0 && label < static_cast<int>(counts.size())) counts[label] = query.getColumn(2).getInt64();
  }
  return balance;
}

RunReportData load_run_report(Registry& registry, const std::string& run_id) {
  RunStore runs(registry);
  const auto run = runs.find_run(run_id);
  if (!run) throw not_found("run " + run_id + " is not in the registry: see `edgeloop models list`");
  RunReportData data;
  data.run = run_summary(registry, *run);
  data.balance = load_class_balance(registry, run->version_id);
  return data;
}

ModelReportData load_model_report(Registry& registry, const std::string& model_id_or_prefix,
                                  const std::optional<fs::path>& bench_json) {
  ModelStore models(registry);
  const ModelRecord model = models.resolve(model_id_or_prefix);
  ModelReportData data;
  data.model = {model.id, model.kind, model.arch, model.parameters, model.mflops, model.val_accuracy};
  if (!model.run_id.empty()) {
    RunStore runs(registry);
    if (const auto run = runs.find_run(model.run_id)) data.run = run_summary(registry, *run);
  }
  data.balance = load_class_balance(registry, model.version_id);
  for (const EvaluationRecord& record : models.evaluations(model.id)) {
    Json value = record.result;
    value["split"] = record.split;
    value["accuracy"] = record.accuracy;
    value["created_at"] = record.created_at;
    value["forced"] = record.forced;
    value["earlier_models"] = record.earlier_models;
    EvaluationSummary evaluation = evaluation_summary_from_json(value);
    // Evaluations that store only the matrix get the version's class names.
    const bool named = !evaluation.labels.empty() && evaluation.labels.front() != "0";
    if (!named && evaluation.confusion.size() == data.balance->classes.size()) evaluation.labels = data.balance->classes;
    data.evaluations.push_back(std::move(evaluation));
  }
  if (bench_json) {
    try {
      data.bench = Json::parse(read_file(*bench_json));
    } catch (const Json::exception& error) {
      throw invalid_argument(bench_json->string() + " is not JSON (" + error.what() + "): pass `edgeloop bench --json` output");
    }
  }
  return data;
}

SweepReportData load_sweep_report(Registry& registry, const std::string& sweep_id) {
  RunStore runs(registry);
  const auto sweep = runs.find_sweep(sweep_id);
  if (!sweep) throw not_found("sweep " + sweep_id + " is not in the registry");
  SweepReportData data = sweep_report_from_json(sweep->result);
  data.sweep_id = sweep->id;
  DatasetStore datasets(registry);
  const auto version = datasets.find_version(sweep->version_id);
  data.dataset_version = version ? version->reference() : sweep->version_id;
  return data;
}

EdgeLogData load_edge_log(const fs::path& jsonl) {
  if (!fs::exists(jsonl)) throw not_found(jsonl.string() + " does not exist: pass the JSONL log edgeloop-edge wrote");
  return edge_log_from_jsonl(read_file(jsonl), jsonl.string());
}

ReportResult write_report(const Workspace* workspace, const ReportRequest& request) {
  std::optional<Registry> registry;
  if (workspace != nullptr) registry.emplace(Registry::open(workspace->registry_path()));
  ReportResult result;
  result.kind = resolve_report_kind(registry ? &*registry : nullptr, request.argument);
  std::string html;
  std::string name = request.argument;
  switch (result.kind) {
    case ReportKind::kRun:
      html = render_run_report(load_run_report(*registry, request.argument));
      break;
    case ReportKind::kModel: {
      ModelReportData data = load_model_report(*registry, request.argument, request.bench_json);
      name = data.model.model_id;
      html = render_model_report(data);
      break;
    }
    case ReportKind::kSweep:
      html = render_sweep_report(load_sweep_report(*registry, request.argument));
      break;
    case ReportKind::kEdgeLog:
      html = render_edge_report(load_edge_log(request.argument));
      name = fs::path(request.argument).stem().string();
      break;
  }
  result.path = request.out.empty() ? fs::path(to_string(result.kind) + "-" + name + ".html") : request.out;
  write_file_atomically(result.path, html);
  return result;
}

}  // namespace edgeloop
