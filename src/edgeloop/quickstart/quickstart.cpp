#include "edgeloop/quickstart/quickstart.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <optional>
#include <vector>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/number_format.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/data/dataset_export.h"
#include "edgeloop/data/dataset_stats.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/data/split.h"
#include "edgeloop/deploy/deploy_writer.h"
#include "edgeloop/edge/frame_corruption.h"
#include "edgeloop/eval/model_evaluation.h"
#include "edgeloop/export/model_exporter.h"
#include "edgeloop/label/labelling_session.h"
#include "edgeloop/monitor/drift_detector.h"
#include "edgeloop/quickstart/tool_process.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/report/benchmark_plot.h"
#include "edgeloop/report/html_report.h"
#include "edgeloop/report/report_loader.h"
#include "edgeloop/runtime/benchmark.h"
#include "edgeloop/runtime/benchmark_subject.h"
#include "edgeloop/runtime/engine_timing.h"
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
constexpr int kSteps = 11;   // the step() calls below, in order (kLoopSteps more with --loop)
constexpr int kBenchThreads = 1;   // the latency a one-core device would see

struct Step {
  const QuickstartOptions& options;
  int number = 0;
  void operator()(const std::string& what) {
    ++number;
    const int total = kSteps + (options.loop.enabled ? kLoopSteps : 0);
    if (options.progress) options.progress({kQuickstartStage, number, total, what});
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
  if (options.loop.enabled && !options.loop.oracle) {
    throw invalid_argument("--loop labels the captures with the oracle only when asked: add --oracle (the sim: stream's true classes)");
  }
  if (options.loop.enabled) label_order_from_name(options.loop.order);
  parse_frame_corruption(options.camera_fault);
  try {
    drift_options_from_json(Json{{"window_frames", options.drift_window_frames}});
  } catch (const Error& error) {
    throw invalid_argument("--drift-window " + std::to_string(options.drift_window_frames) + ": " + error.what());
  }
}

// What an earlier run left in the folder, so that a second run reuses its sweep and bundle.
struct QuickstartState {
  std::string version_id;                // the dataset version the sweep trained on
  std::optional<SweepResult> sweep;
  std::string bundle_model;              // the model the bundle folder holds

  Json to_json() const {
    return Json{{"version_id", version_id},
                {"sweep", sweep ? sweep->to_json() : Json(nullptr)},
                {"bundle_model", bundle_model}};
  }
};

QuickstartState read_state(const fs::path& path) {
  QuickstartState state;
  if (!fs::exists(path)) return state;
  try {
    const Json json = Json::parse(read_file(path));
    state.version_id = json.at("version_id").get<std::string>();
    if (!json.at("sweep").is_null()) state.sweep = SweepResult::from_json(json.at("sweep"));
    state.bundle_model = json.at("bundle_model").get<std::string>();
  } catch (const std::exception&) {
    return QuickstartState{};   // a damaged or older state file only costs redoing the steps
  }
  return state;
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
  char size[64];
  std::string latency;
  for (const auto& [engine, p50_ms] : engine_latency_ms) {
    char entry[64];
    std::snprintf(entry, sizeof entry, "%s%s %.3f ms", latency.empty() ? "" : ", ", engine.c_str(), p50_ms);
    latency += entry;
  }
  std::snprintf(size, sizeof size, "%.1f KB fp32, %.1f KB int8", size_fp32_bytes / 1024.0, size_int8_bytes / 1024.0);
  std::vector<std::pair<std::string, std::string>> rows{
          {"workspace", workspace.string()},
          {"dataset", dataset_version + ", " + balance},
          {"sweep", sweep_id + " (" + stop_reason + ")"},
          {"picked", picked_arch + " " + picked_model},
          {"why", pick_reason},
          {"fit diagnosis", diagnosis},
          {"validation accuracy", format_percent(val_accuracy)},
          {"official test accuracy", format_percent(test_accuracy) + " (" + test_note + ")"},
          {"latency (batch 1, 1 thread)", latency},
          {"model size", size},
          {"edge: drift events", std::to_string(drift_events)},
          {"edge: camera events", std::to_string(camera_events)},
          {"edge: frames captured", std::to_string(frames_captured)},
          {"bundle", bundle.string()},
          {"deployment files", deploy_directory.string()},
          {"report", reports.empty() ? "" : reports.front().string()}};
  if (loop) {
    const auto loop_rows = loop->table();
    rows.insert(rows.end(), loop_rows.begin(), loop_rows.end());
  }
  return rows;
}

Json QuickstartSummary::to_json() const {
  Json report_list = Json::array();
  for (const fs::path& report : reports) report_list.push_back(report.string());
  Json latency = Json::object();
  for (const auto& [engine, p50_ms] : engine_latency_ms) latency[engine] = p50_ms;
  return Json{{"workspace", workspace.string()}, {"dataset_version", dataset_version}, {"balance", balance},
              {"sweep_id", sweep_id},           {"stop_reason", stop_reason},         {"picked_model", picked_model},
              {"picked_arch", picked_arch},     {"pick_reason", pick_reason},         {"diagnosis", diagnosis},
              {"val_accuracy", val_accuracy},   {"test_accuracy", test_accuracy},     {"test_note", test_note},
              {"latency_ms", latency},
              {"size_fp32_bytes", size_fp32_bytes}, {"size_int8_bytes", size_int8_bytes},
              {"drift_events", drift_events},   {"camera_events", camera_events},     {"frames_captured", frames_captured},
              {"bundle", bundle.string()},      {"edge_log", edge_log.string()},      {"deploy_directory", deploy_directory.string()},
              {"reports", report_list},         {"seconds", seconds},                 {"loop", loop ? loop->to_json() : Json(nullptr)}};
}

namespace {

// One quickstart in progress: its workspace, registry, the state an earlier run left, and the
// summary being filled. Each step below is one function.
struct QuickstartRun {
  const QuickstartOptions& options;
  Step step;
  Workspace workspace;
  Registry registry;
  QuickstartState state;
  QuickstartSummary summary;

  fs::path stream_pack;        // the official test images the device streams (run_edge)
  int64_t stream_images = 0;

  fs::path state_path() const { return workspace.root() / kStateFile; }
  void save_state() const { write_file_atomically(state_path(), state.to_json().dump(2) + "\n"); }
};

DatasetVersion prepare_dataset(QuickstartRun& run) {
  const QuickstartOptions& options = run.options;
  run.step("import " + options.dataset.string());
  if (!DatasetStore(run.registry).try_resolve(options.dataset_name)) {
    ImportOptions import;
    import.name = options.dataset_name;
    import.threads = options.threads;
    import_dataset(run.workspace, run.registry, options.dataset, import, options.progress);
  }
  run.step("split: validation " + format_percent(kValidationShare) + ", the official t10k test set kept apart");
  SplitOptions split;
  split.val_fraction = kValidationShare;
  split.test_sets.clear();   // every test image is the source's own (t10k)
  split.keep_origin_test = kOfficialTestSet;
  const DatasetVersion version = split_dataset(run.registry, options.dataset_name, split).version;
  run.summary.dataset_version = version.reference();
  run.step("class balance");
  const ClassImbalance imbalance = class_imbalance(run.registry, version);
  run.summary.balance = std::string(imbalance.warning ? "imbalanced" : "balanced") +
                        (imbalance.ratio ? " (largest/smallest class " + format_fixed(*imbalance.ratio, 2) + ")" : "");
  return version;
}

SweepResult sweep_or_reuse(QuickstartRun& run, const DatasetVersion& version, double elapsed_minutes) {
  const QuickstartOptions& options = run.options;
  const double sweep_minutes = std::max(kMinimumSweepMinutes, options.minutes * options.sweep_share - elapsed_minutes);
  run.step("sweep " + options.archs + " within " + format_fixed(sweep_minutes, 1) + " minutes (successive halving)");
  if (run.state.sweep && run.state.version_id == version.id) return *run.state.sweep;
  SweepOptions sweep_options;
  sweep_options.data = run.summary.dataset_version;
  sweep_options.archs = parse_architecture_list(options.archs);
  sweep_options.budget_minutes = sweep_minutes;
  sweep_options.plan_on_fastest_step_costs = false;   // --minutes is the wall time the newcomer waits
  sweep_options.train.threads = options.threads;
  if (options.epochs > 0) sweep_options.train.epochs = options.epochs;
  sweep_options.latency_probe = device_latency_probe;
  sweep_options.on_rung = options.on_sweep_rung;
  TrainerCallbacks callbacks;
  callbacks.progress = options.progress;
  run.state = QuickstartState{version.id, run_sweep(run.workspace, sweep_options, callbacks), ""};
  run.save_state();
  return *run.state.sweep;
}

ModelRecord describe_pick(QuickstartRun& run, const SweepResult& sweep) {
  run.step("fit diagnosis of the pick");
  QuickstartSummary& summary = run.summary;
  summary.sweep_id = sweep.id;
  summary.stop_reason = sweep.stop_reason;
  const auto pick = std::find_if(sweep.rows.begin(), sweep.rows.end(), [](const SweepRow& row) { return row.pick; });
  if (pick == sweep.rows.end()) throw internal_error("sweep " + sweep.id + " picked no model");
  const ModelRecord picked = ModelStore(run.registry).resolve(pick->model_id);
  summary.picked_model = picked.id;
  summary.picked_arch = picked.arch;
  summary.val_accuracy = pick->val_accuracy;
  summary.pick_reason = pick->meets_target ? "first to meet the accuracy target"
                                           : "most accurate within the latency budget, on the Pareto front";
  summary.diagnosis = pick->diagnosis;
  return picked;
}

void export_pick(QuickstartRun& run, const ModelRecord& picked) {
  run.step("export fp32 + int8");
  run.summary.bundle = run.workspace.root() / "bundle";
  const bool current = run.state.bundle_model == picked.id && fs::exists(run.summary.bundle / kBundleManifestName);
  if (!current) {
    export_device_bundle(run.workspace, picked.id, run.summary.bundle, run.options.threads, run.options.progress);   // replaces an earlier pick's
    run.state.bundle_model = picked.id;
    run.save_state();
  }
  const Bundle bundle = load_bundle(run.summary.bundle);
  run.summary.size_fp32_bytes = bundle.files.at(kBundleFp32ModelName).bytes;
  if (bundle.files.count(kBundleInt8ModelName)) run.summary.size_int8_bytes = bundle.files.at(kBundleInt8ModelName).bytes;
}

// The engines export timed on the bundle and could run it (its engine_ranking); every device
// engine for the bundle's files when it has no ranking (a bundle exported before rankings were).
std::vector<std::string> engines_of(const Bundle& bundle) {
  std::vector<std::string> engines;
  if (!bundle.engine_ranking.is_null()) {
    for (const RankedEngine& entry : EngineRanking::from_json(bundle.engine_ranking).engines) {
      if (entry.skipped.empty()) engines.push_back(entry.engine);
    }
    return engines;
  }
  for (const std::string& engine : device_engines()) {
    if (!is_int8_engine(engine) || bundle.int8_model()) engines.push_back(engine);
  }
  return engines;
}

fs::path bench_pick(QuickstartRun& run) {
  const std::vector<std::string> engines = engines_of(load_bundle(run.summary.bundle));
  std::string names;
  for (const std::string& engine : engines) names += (names.empty() ? "" : ", ") + engine;
  run.step("bench on every engine that runs the bundle (" + names + ")");
  BenchmarkTargetOptions bench_target;
  bench_target.workspace = run.workspace;
  bench_target.max_validation_images = run.options.bench_images;
  BenchmarkOptions bench_options;
  bench_options.engines = engines;
  bench_options.threads = {kBenchThreads};
  bench_options.max_validation_images = run.options.bench_images;
  bench_options.progress = run.options.progress;
  const BenchmarkReport bench =
      run_benchmark(resolve_benchmark_subject(run.summary.bundle.string(), bench_target), bench_options);
  const fs::path bench_plot = run.workspace.root() / "bench.svg";
  Json bench_json = benchmark_to_json(bench);
  bench_json["plot"] = write_benchmark_plot(bench, bench_plot) ? Json(bench_plot.string()) : Json(nullptr);
  const fs::path bench_path = run.workspace.root() / "bench.json";
  write_file_atomically(bench_path, bench_json.dump(2) + "\n");
  run.summary.engine_latency_ms.clear();
  for (const BenchmarkRow& row : bench.rows) {
    if (row.threads == kBenchThreads && row.error.empty()) run.summary.engine_latency_ms.emplace_back(row.engine, row.p50_ms);
  }
  std::stable_sort(run.summary.engine_latency_ms.begin(), run.summary.engine_latency_ms.end(),
                   [](const auto& left, const auto& right) { return left.second < right.second; });
  return bench_path;
}

void test_pick(QuickstartRun& run, const ModelRecord& picked) {
  run.step("test once on the official test set");
  const std::string official_split = std::string(kSplitTestPrefix) + kOfficialTestSet;
  for (const EvaluationRecord& evaluation : ModelStore(run.registry).evaluations(picked.id)) {
    if (evaluation.split != official_split) continue;
    run.summary.test_accuracy = evaluation.accuracy;
    run.summary.test_note = "tested by an earlier run; not repeated";
    return;
  }
  TestOptions test;
  test.model = picked.id;
  test.testset = kOfficialTestSet;
  test.threads = run.options.threads;
  const EvaluationReport tested = test_model(run.workspace, test);
  run.summary.test_accuracy = tested.metrics.accuracy;
  run.summary.test_note = tested.note.empty() ? "first use" : "first use by this model; " + tested.note;
}

void run_edge(QuickstartRun& run, const fs::path& edge_binary, const DatasetVersion& version) {
  run.step("edgeloop-edge on sim: drift part-way, then a camera fault");
  const QuickstartOptions& options = run.options;
  QuickstartSummary& summary = run.summary;
  const fs::path root = run.workspace.root();
  // The stream: an image pack with each image's class, so the device's frames and captures carry it.
  run.stream_pack = root / "stream.pack";
  run.stream_images = export_dataset(run.workspace, version.reference() + ":" + kSplitTestPrefix + kOfficialTestSet, run.stream_pack,
                                     options.stream_frames)
                          .images;
  const fs::path edge_config = root / kEdgeConfigFile;
  write_file_atomically(edge_config, Json{{"drift", {{"window_frames", options.drift_window_frames}}},
                                          {"capture", {{"drift_rate", options.capture_drift_rate}}}}
                                             .dump(2) + "\n");
  summary.edge_log = root / "edge-run.jsonl";
  fs::remove(summary.edge_log);
  std::vector<EdgeCounts> counts_after;
  for (const std::string& corruption : {options.drift, options.camera_fault}) {
    const ToolResult edge = run_tool(edge_binary, {"--config", edge_config.string(), "--bundle", summary.bundle.string(),
                                                   "--source", "sim:" + run.stream_pack.string(), "--corrupt", corruption,
                                                   "--all-topics", "--no-stdout", "--no-http", "--jsonl",
                                                   summary.edge_log.string(), "--capture-dir", (root / "captures").string(),
                                                   "--device-id", "quickstart", "--quiet"});
    if (edge.exit_status != 0) {
      throw internal_error(edge_binary.string() + " failed with status " + std::to_string(edge.exit_status) +
                           " (its message is above)");
    }
    counts_after.push_back(count_edge_events(summary.edge_log));
  }
  summary.drift_events = counts_after[0].drift;
  summary.camera_events = counts_after[1].camera - counts_after[0].camera;
  summary.frames_captured = counts_after[1].captures;
}

void write_reports_and_deployment(QuickstartRun& run, const ModelRecord& picked, const fs::path& bench_path) {
  run.step("reports and deployment files");
  QuickstartSummary& summary = run.summary;
  const fs::path reports = run.workspace.root() / "reports";
  fs::create_directories(reports);
  summary.reports.push_back(write_report(&run.workspace, {picked.id, reports / "model.html", bench_path}).path);
  summary.reports.push_back(write_report(&run.workspace, {summary.sweep_id, reports / "sweep.html", std::nullopt}).path);
  summary.reports.push_back(
      write_report(&run.workspace, {summary.edge_log.string(), reports / "edge.html", std::nullopt}).path);
  DeployOptions deploy;
  deploy.bundle_directory = summary.bundle;
  deploy.device = "quickstart-camera";
  deploy.out_directory = run.workspace.root() / "deploy";
  summary.deploy_directory = write_deployment(deploy).out_directory;
}

}  // namespace

QuickstartSummary run_quickstart(const QuickstartOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  check_options(options);
  const fs::path edge_binary = find_edge_binary(options);
  Step step{options};
  step("workspace");
  Workspace workspace = Workspace::init(fs::absolute(options.directory));
  QuickstartRun run{options, step, workspace, Registry::open(workspace.registry_path()),
                    read_state(workspace.root() / kStateFile), QuickstartSummary{}};
  run.summary.workspace = workspace.root();

  const DatasetVersion version = prepare_dataset(run);
  const double elapsed_minutes = seconds_since(started) / 60.0;
  const SweepResult sweep = sweep_or_reuse(run, version, elapsed_minutes);
  const ModelRecord picked = describe_pick(run, sweep);
  export_pick(run, picked);
  const fs::path bench_path = bench_pick(run);
  test_pick(run, picked);
  run_edge(run, edge_binary, version);
  write_reports_and_deployment(run, picked, bench_path);
  if (options.loop.enabled) {
    const LoopInputs inputs{run.workspace, edge_binary, picked.id, run.summary.bundle, run.stream_pack, run.stream_images,
                            run.workspace.root() / "captures", options.drift, options.threads, options.progress};
    run.summary.loop = run_quickstart_loop(inputs, options.loop, [&run](const std::string& what) { run.step(what); });
    run.summary.reports.push_back(run.summary.loop->report);
  }
  run.summary.seconds = seconds_since(started);
  return run.summary;
}

}  // namespace edgeloop
