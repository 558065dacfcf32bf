#include "edgeloop/quickstart/quickstart.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/number_format.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/data/dataset_stats.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/data/split.h"
#include "edgeloop/deploy/deploy_writer.h"
#include "edgeloop/edge/frame_corruption.h"
#include "edgeloop/eval/model_evaluation.h"
#include "edgeloop/export/model_exporter.h"
#include "edgeloop/monitor/drift_detector.h"
#include "edgeloop/quickstart/tool_process.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/registry/run_store.h"
#include "edgeloop/report/benchmark_plot.h"
#include "edgeloop/report/html_report.h"
#include "edgeloop/report/report_loader.h"
#include "edgeloop/runtime/benchmark.h"
#include "edgeloop/runtime/benchmark_subject.h"
#include "edgeloop/runtime/model_latency.h"
#include "edgeloop/runtime/toolkit_engines.h"
#include "edgeloop/train/sweep.h"

namespace edgeloop {

namespace {

namespace fs = std::filesystem;

constexpr const char* kStateFile = "quickstart.json";   // what an earlier run left, for reuse
constexpr const char* kEdgeConfigFile = "edge.json";    // edgeloop-edge's settings for both runs
constexpr const char* kOfficialTestSet = "official";
constexpr double kValidationShare = 0.1;
constexpr double kMinimumSweepMinutes = 0.5;
constexpr int kSteps = 11;
constexpr int kBenchThreads = 1;   // the latency a one-core device would see

struct Step {
  const QuickstartOptions& options;
  int number = 0;
  void operator()(const std::string& what) {
    ++number;
    if (options.progress) options.progress({kQuickstartStage, number, kSteps, what});
  }
};

fs::path find_edge_binary(const QuickstartOptions& options) {
  if (!options.edge_binary.empty()) return options.edge_binary;
  const fs::path toolkit = current_executable();
  for (const fs::path& candidate : {toolkit.parent_path() / "edgeloop-edge", toolkit.parent_path().parent_path() / "edged/edgeloop-edge",
                                    fs::path("/usr/local/bin/edgeloop-edge"), fs::path("/usr/bin/edgeloop-edge")}) {
    if (fs::exists(candidate)) return candidate;
  }
  throw not_found("edgeloop-edge is not beside " + toolkit.string() + ": build it (`make build`) or pass --edge-binary");
}

// Fails before any work on settings that would otherwise only fail at the edge step, after the sweep.
void check_options(const QuickstartOptions& options) {
  if (options.minutes <= 0) throw invalid_argument("--minutes must be positive, e.g. 10");
  if (!fs::exists(options.dataset)) {
    throw not_found(options.dataset.string() + " does not exist: install Debian's dataset-fashion-mnist (`make deps`)");
  }
  parse_frame_corruption(options.drift);
  parse_frame_corruption(options.camera_fault);
  try {
    drift_options_from_json(Json{{"window_frames", options.drift_window_frames}});
  } catch (const Error& error) {
    throw invalid_argument("--drift-window " + std::to_string(options.drift_window_frames) + ": " + error.what());
  }
}

Json read_state(const fs::path& path) {
  if (!fs::exists(path)) return Json::object();
  try {
    return Json::parse(read_file(path));
  } catch (const Json::exception&) {
    return Json::object();   // a damaged state file only costs redoing the steps
  }
}

// Copies the first `count` images of the official test split into `folder` as 00000.png, ...
int write_stream_images(const Workspace& workspace, Registry& registry, const std::string& version_id, const fs::path& folder,
                        int count) {
  fs::create_directories(folder);
  DatasetStore datasets(registry);
  int written = 0;
  for (const Sample& sample : datasets.samples(version_id, std::string(kSplitTestPrefix) + kOfficialTestSet)) {
    if (written >= count) break;
    const auto object = datasets.object(sample.object_hash);
    char name[32];
    std::snprintf(name, sizeof name, "%05d.%s", written, object ? object->format.c_str() : "png");
    if (!fs::exists(folder / name)) copy_file_atomically(workspace.object_path(sample.object_hash), folder / name);
    ++written;
  }
  return written;
}

double p50_of(const BenchmarkReport& bench, const std::string& engine) {
  for (const BenchmarkRow& row : bench.rows) {
    if (row.engine == engine && row.threads == kBenchThreads && row.error.empty()) return row.p50_ms;
  }
  return 0.0;
}

// What an edge JSONL log holds so far; the two runs append to one log, so a run's own events are
// the difference of the counts after and before it.
struct EdgeCounts {
  int64_t drift = 0;      // drift raised
  int64_t camera = 0;     // camera state changes away from ok
  int64_t captures = 0;   // frames saved
};

EdgeCounts count_edge_events(const fs::path& log) {
  EdgeCounts counts;
  if (!fs::exists(log)) return counts;
  const EdgeLogData data = load_edge_log(log);
  for (const auto& event : data.events) {
    if (event.kind == "drift") ++counts.drift;
    if (event.kind == "camera" && event.detail.rfind("ok", 0) != 0) ++counts.camera;
  }
  counts.captures = data.captures;
  return counts;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> QuickstartSummary::table() const {
  char latency[64], size[64];
  std::snprintf(latency, sizeof latency, "%.3f ms fp32, %.3f ms int8", latency_fp32_ms, latency_int8_ms);
  std::snprintf(size, sizeof size, "%.1f KB fp32, %.1f KB int8", size_fp32_bytes / 1024.0, size_int8_bytes / 1024.0);
  return {{"workspace", workspace.string()},
          {"dataset", dataset_version + ", " + balance},
          {"sweep", sweep_id + " (" + stop_reason + ")"},
          {"picked", picked_arch + " " + picked_model},
          {"why", pick_reason},
          {"fit diagnosis", diagnosis},
          {"validation accuracy", format_percent(val_accuracy)},
          {"official test accuracy", format_percent(test_accuracy) + " (" + test_note + ")"},
          {"latency (batch 1, xnnpack, 1 thread)", latency},
          {"model size", size},
          {"edge: drift events", std::to_string(drift_events)},
          {"edge: camera events", std::to_string(camera_events)},
          {"edge: frames captured", std::to_string(frames_captured)},
          {"bundle", bundle.string()},
          {"deployment files", deploy_directory.string()},
          {"report", reports.empty() ? "" : reports.front().string()}};
}

Json QuickstartSummary::to_json() const {
  Json report_list = Json::array();
  for (const fs::path& report : reports) report_list.push_back(report.string());
  return Json{{"workspace", workspace.string()}, {"dataset_version", dataset_version}, {"balance", balance},
              {"sweep_id", sweep_id},           {"stop_reason", stop_reason},         {"picked_model", picked_model},
              {"picked_arch", picked_arch},     {"pick_reason", pick_reason},         {"diagnosis", diagnosis},
              {"val_accuracy", val_accuracy},   {"test_accuracy", test_accuracy},     {"test_note", test_note},
              {"latency_fp32_ms", latency_fp32_ms}, {"latency_int8_ms", latency_int8_ms},
              {"size_fp32_bytes", size_fp32_bytes}, {"size_int8_bytes", size_int8_bytes},
              {"drift_events", drift_events},   {"camera_events", camera_events},     {"frames_captured", frames_captured},
              {"bundle", bundle.string()},      {"edge_log", edge_log.string()},      {"deploy_directory", deploy_directory.string()},
              {"reports", report_list},         {"seconds", seconds}};
}

QuickstartSummary run_quickstart(const QuickstartOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  check_options(options);
  const fs::path edge_binary = find_edge_binary(options);
  Step step{options};
  QuickstartSummary summary;

  step("workspace");
  const Workspace workspace = Workspace::init(fs::absolute(options.directory));
  summary.workspace = workspace.root();
  const fs::path state_path = workspace.root() / kStateFile;
  Json state = read_state(state_path);
  const auto save_state = [&] { write_file_atomically(state_path, state.dump(2) + "\n"); };
  Registry registry = Registry::open(workspace.registry_path());
  DatasetStore datasets(registry);

  step("import " + options.dataset.string());
  if (!datasets.try_resolve(options.dataset_name)) {
    ImportOptions import;
    import.name = options.dataset_name;
    import.threads = options.threads;
    import_dataset(workspace, registry, options.dataset, import, options.progress);
  }

  step("split: validation " + format_percent(kValidationShare) + ", the official t10k test set kept apart");
  SplitOptions split;
  split.val_fraction = kValidationShare;
  split.test_sets.clear();   // every test image is the source's own (t10k)
  split.keep_origin_test = kOfficialTestSet;
  const DatasetVersion version = split_dataset(registry, options.dataset_name, split).version;
  summary.dataset_version = version.reference();

  step("class balance");
  StatsOptions counts_only;
  counts_only.decode_images = false;
  counts_only.threads = options.threads;
  const Json stats = dataset_stats(workspace, registry, summary.dataset_version, counts_only, options.progress);
  const Json ratio = stats.value("imbalance_ratio", Json());
  summary.balance = std::string(stats.value("imbalance_warning", false) ? "imbalanced" : "balanced") +
                    (ratio.is_number() ? " (largest/smallest class " + format_fixed(ratio.get<double>(), 2) + ")" : "");

  const double elapsed_minutes =
      seconds_since(started) / 60.0;
  const double sweep_minutes = std::max(kMinimumSweepMinutes, options.minutes * options.sweep_share - elapsed_minutes);
  step("sweep " + options.archs + " within " + format_fixed(sweep_minutes, 1) + " minutes");
  Json sweep = state.value("sweep", Json());
  if (!sweep.is_object() || state.value("version_id", "") != version.id) {
    SweepOptions sweep_options;
    sweep_options.data = summary.dataset_version;
    sweep_options.archs = parse_architecture_list(options.archs);
    sweep_options.budget_minutes = sweep_minutes;
    sweep_options.train.epochs = options.epochs;
    sweep_options.train.threads = options.threads;
    sweep_options.latency_probe = device_latency_probe;
    TrainerCallbacks callbacks;
    callbacks.progress = options.progress;
    sweep = run_sweep(workspace, sweep_options, callbacks).to_json();
    state = Json{{"version_id", version.id}, {"sweep", sweep}};
    save_state();
  }
  summary.sweep_id = sweep.value("sweep", "");
  summary.stop_reason = sweep.value("stop_reason", "");
  summary.picked_model = sweep.value("pick", "");
  if (summary.picked_model.empty()) throw internal_error("sweep " + summary.sweep_id + " picked no model");

  step("fit diagnosis of the pick");
  ModelStore models(registry);
  const ModelRecord picked = models.resolve(summary.picked_model);
  summary.picked_arch = picked.arch;
  summary.val_accuracy = picked.val_accuracy.value_or(0.0);
  for (const Json& row : sweep.value("rows", Json::array())) {
    if (row.value("model", "") != picked.id) continue;
    summary.pick_reason = row.value("meets_target", false) ? "first to meet the accuracy target"
                                                          : "most accurate within the latency budget, on the Pareto front";
    summary.diagnosis = row.value("diagnosis", "");
  }
  if (!picked.run_id.empty()) {
    if (const auto run = RunStore(registry).find_run(picked.run_id); run && run->diagnosis.contains("verdict")) {
      summary.diagnosis = run->diagnosis["verdict"].get<std::string>();
    }
  }

  step("export fp32 + int8");
  summary.bundle = workspace.root() / "bundle";
  if (state.value("bundle_model", "") != picked.id || !fs::exists(summary.bundle / "bundle.json")) {
    ExportOptions export_options;
    export_options.output_directory = summary.bundle;
    export_options.overwrite = true;   // the bundle of an earlier pick is replaced
    export_options.int8 = true;
    export_options.threads = options.threads;
    export_options.engine_factory = runtime_parity_engine;
    state["bundle_model"] = picked.id;
    state["export"] = export_model(workspace, picked.id, export_options, options.progress).to_json();
    save_state();
  }
  summary.size_fp32_bytes = state["export"].value("fp32_file_bytes", int64_t{0});
  if (state["export"].contains("int8")) summary.size_int8_bytes = state["export"]["int8"].value("file_bytes", int64_t{0});

  step("bench on xnnpack fp32 and int8");
  BenchmarkTargetOptions bench_target;
  bench_target.workspace = workspace;
  bench_target.max_validation_images = options.bench_images;
  BenchmarkOptions bench_options;
  bench_options.engines = {"xnnpack", "xnnpack-int8"};
  bench_options.threads = {kBenchThreads};
  bench_options.max_validation_images = options.bench_images;
  bench_options.progress = options.progress;
  const BenchmarkReport bench = run_benchmark(resolve_benchmark_subject(summary.bundle.string(), bench_target), bench_options);
  const fs::path bench_plot = workspace.root() / "bench.svg";
  Json bench_json = benchmark_to_json(bench);
  bench_json["plot"] = write_benchmark_plot(bench, bench_plot) ? Json(bench_plot.string()) : Json(nullptr);
  const fs::path bench_path = workspace.root() / "bench.json";
  write_file_atomically(bench_path, bench_json.dump(2) + "\n");
  summary.latency_fp32_ms = p50_of(bench, "xnnpack");
  summary.latency_int8_ms = p50_of(bench, "xnnpack-int8");

  step("test once on the official test set");
  const std::string official_split = std::string(kSplitTestPrefix) + kOfficialTestSet;
  std::optional<double> earlier_accuracy;
  for (const EvaluationRecord& evaluation : models.evaluations(picked.id)) {
    if (evaluation.split == official_split) earlier_accuracy = evaluation.accuracy;
  }
  if (earlier_accuracy) {
    summary.test_accuracy = *earlier_accuracy;
    summary.test_note = "tested by an earlier run; not repeated";
  } else {
    TestOptions test;
    test.model = picked.id;
    test.testset = kOfficialTestSet;
    test.threads = options.threads;
    const EvaluationReport tested = test_model(workspace, test);
    summary.test_accuracy = tested.metrics.accuracy;
    summary.test_note = tested.note.empty() ? "first use" : "first use by this model; " + tested.note;
  }

  step("edgeloop-edge on sim: drift part-way, then a camera fault");
  const fs::path stream = workspace.root() / "stream";
  write_stream_images(workspace, registry, version.id, stream, options.stream_frames);
  const fs::path edge_config = workspace.root() / kEdgeConfigFile;
  write_file_atomically(edge_config, Json{{"drift", {{"window_frames", options.drift_window_frames}}}}.dump(2) + "\n");
  summary.edge_log = workspace.root() / "edge-run.jsonl";
  fs::remove(summary.edge_log);
  const fs::path captures = workspace.root() / "captures";
  std::vector<EdgeCounts> counts_after;
  for (const std::string& corruption : {options.drift, options.camera_fault}) {
    const ToolResult edge = run_tool(edge_binary, {"--config", edge_config.string(), "--bundle", summary.bundle.string(),
                                                   "--source", "sim:" + stream.string(), "--corrupt", corruption,
                                                   "--all-topics", "--no-stdout", "--no-http", "--jsonl", summary.edge_log.string(),
                                                   "--capture-dir", captures.string(), "--device-id", "quickstart", "--quiet"});
    if (edge.exit_status != 0) {
      throw internal_error(edge_binary.string() + " failed with status " + std::to_string(edge.exit_status) +
                           " (its message is above)");
    }
    counts_after.push_back(count_edge_events(summary.edge_log));
  }
  summary.drift_events = counts_after[0].drift;
  summary.camera_events = counts_after[1].camera - counts_after[0].camera;
  summary.frames_captured = counts_after[1].captures;

  step("reports and deployment files");
  const fs::path reports = workspace.root() / "reports";
  fs::create_directories(reports);
  summary.reports.push_back(write_report(&workspace, {picked.id, reports / "model.html", bench_path}).path);
  if (!summary.sweep_id.empty()) {
    summary.reports.push_back(write_report(&workspace, {summary.sweep_id, reports / "sweep.html", std::nullopt}).path);
  }
  summary.reports.push_back(
      write_report(&workspace, {summary.edge_log.string(), reports / "edge.html", std::nullopt}).path);
  DeployOptions deploy;
  deploy.bundle_directory = summary.bundle;
  deploy.device = "quickstart-camera";
  deploy.out_directory = workspace.root() / "deploy";
  summary.deploy_directory = write_deployment(deploy).out_directory;

  summary.seconds = seconds_since(started);
  return summary;
}

}  // namespace edgeloop
