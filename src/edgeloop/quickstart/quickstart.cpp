#include "edgeloop/quickstart/quickstart.h"

#include <chrono>
#include <cstdio>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/deploy/deploy_writer.h"
#include "edgeloop/quickstart/tool_process.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/registry/run_store.h"
#include "edgeloop/report/report_loader.h"

namespace edgeloop {

namespace {

namespace fs = std::filesystem;

constexpr const char* kStateFile = "quickstart.json";   // what an earlier run left, for reuse
constexpr const char* kOfficialTestSet = "official";
constexpr double kValidationShare = 0.1;
constexpr double kMinimumSweepMinutes = 0.5;
constexpr int kSteps = 11;
constexpr int kExitAlreadyExists = static_cast<int>(ErrorCode::kAlreadyExists);

struct Step {
  const QuickstartOptions& options;
  int number = 0;
  void operator()(const std::string& what) {
    ++number;
    if (options.progress) options.progress({"quickstart", number, kSteps, what});
  }
};

// Runs the toolkit with the workspace and thread flags every step shares.
class Toolkit {
 public:
  Toolkit(const QuickstartOptions& options, const fs::path& workspace) : options_(options), workspace_(workspace) {}
  Json json(const std::vector<std::string>& arguments) const { return run_tool_json(binary(), with_globals(arguments)); }
  ToolResult raw(const std::vector<std::string>& arguments) const { return run_tool(binary(), with_globals(arguments)); }

 private:
  fs::path binary() const { return options_.edgeloop_binary.empty() ? current_executable() : options_.edgeloop_binary; }
  std::vector<std::string> with_globals(const std::vector<std::string>& arguments) const {
    std::vector<std::string> all = {"--workspace", workspace_.string(), "--json", "--threads", std::to_string(options_.threads)};
    all.insert(all.end(), arguments.begin(), arguments.end());
    return all;
  }
  const QuickstartOptions& options_;
  fs::path workspace_;
};

fs::path find_edge_binary(const QuickstartOptions& options) {
  if (!options.edge_binary.empty()) return options.edge_binary;
  const fs::path toolkit = options.edgeloop_binary.empty() ? current_executable() : options.edgeloop_binary;
  for (const fs::path& candidate : {toolkit.parent_path() / "edgeloop-edge", toolkit.parent_path().parent_path() / "edged/edgeloop-edge",
                                    fs::path("/usr/local/bin/edgeloop-edge"), fs::path("/usr/bin/edgeloop-edge")}) {
    if (fs::exists(candidate)) return candidate;
  }
  throw not_found("edgeloop-edge is not beside " + toolkit.string() + ": build it (`make build`) or pass --edge-binary");
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
  for (const Sample& sample : datasets.samples(version_id, std::string("test:") + kOfficialTestSet)) {
    if (written >= count) break;
    const auto object = datasets.object(sample.object_hash);
    char name[32];
    std::snprintf(name, sizeof name, "%05d.%s", written, object ? object->format.c_str() : "png");
    if (!fs::exists(folder / name)) copy_file_atomically(workspace.object_path(sample.object_hash), folder / name);
    ++written;
  }
  return written;
}

double p50_of(const Json& bench, const std::string& engine) {
  for (const Json& row : bench.value("rows", Json::array())) {
    if (row.value("engine", "") == engine && row.value("threads", 0) == 1 && row.contains("latency_ms")) {
      return row["latency_ms"].value("p50", 0.0);
    }
  }
  return 0.0;
}

std::string percent(double fraction) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f%%", fraction * 100);
  return text;
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
          {"validation accuracy", percent(val_accuracy)},
          {"official test accuracy", percent(test_accuracy) + " (" + test_note + ")"},
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
  if (options.minutes <= 0) throw invalid_argument("--minutes must be positive, e.g. 10");
  if (!fs::exists(options.dataset)) {
    throw not_found(options.dataset.string() + " does not exist: install Debian's dataset-fashion-mnist (`make deps`)");
  }
  const fs::path edge_binary = find_edge_binary(options);
  Step step{options};
  QuickstartSummary summary;

  step("workspace");
  const Workspace workspace = Workspace::init(fs::absolute(options.directory));
  summary.workspace = workspace.root();
  const fs::path state_path = workspace.root() / kStateFile;
  Json state = read_state(state_path);
  const auto save_state = [&] { write_file_atomically(state_path, state.dump(2) + "\n"); };
  const Toolkit toolkit(options, workspace.root());
  Registry registry = Registry::open(workspace.registry_path());
  DatasetStore datasets(registry);

  step("import " + options.dataset.string());
  if (!datasets.try_resolve(options.dataset_name)) {
    toolkit.json({"data", "import", "--name", options.dataset_name, options.dataset.string()});
  }

  step("split: validation " + percent(kValidationShare) + ", the official t10k test set kept apart");
  const Json split = toolkit.json({"data", "split", options.dataset_name, "--val", std::to_string(kValidationShare),
                                   "--keep-origin-test", kOfficialTestSet});
  const std::string version_id = split.value("version_id", "");
  summary.dataset_version = options.dataset_name + "@" + std::to_string(split.value("version", 0));

  step("class balance");
  const Json stats = toolkit.json({"data", "stats", summary.dataset_version, "--counts-only"});
  const Json ratio = stats.value("imbalance_ratio", Json());
  summary.balance = std::string(stats.value("imbalance_warning", false) ? "imbalanced" : "balanced") +
                    (ratio.is_number() ? " (largest/smallest class " + std::to_string(ratio.get<double>()).substr(0, 4) + ")" : "");

  const double elapsed_minutes =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() / 60.0;
  const double sweep_minutes = std::max(kMinimumSweepMinutes, options.minutes * options.sweep_share - elapsed_minutes);
  step("sweep " + options.archs + " within " + std::to_string(sweep_minutes).substr(0, 4) + " minutes");
  Json sweep = state.value("sweep", Json());
  if (!sweep.is_object() || state.value("version_id", "") != version_id) {
    sweep = toolkit.json({"sweep", "--data", summary.dataset_version, "--archs", options.archs, "--epochs",
                          std::to_string(options.epochs), "--budget-minutes", std::to_string(sweep_minutes)});
    state = Json{{"version_id", version_id}, {"sweep", sweep}};
    save_state();
  }
  summary.sweep_id = sweep.value("sweep", "");
  summary.stop_reason = sweep.value("stop_reason", "");
  summary.picked_model = sweep.value("pick", "");
  if (summary.picked_model.empty()) throw internal_error("the sweep picked no model: see its output above");

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
    const Json exported = toolkit.json({"export", picked.id, "--out", summary.bundle.string(), "--int8", "--force"});
    state["bundle_model"] = picked.id;
    state["export"] = exported;
    save_state();
  }
  summary.size_fp32_bytes = state["export"].value("fp32_file_bytes", int64_t{0});
  if (state["export"].contains("int8")) summary.size_int8_bytes = state["export"]["int8"].value("file_bytes", int64_t{0});

  step("bench on xnnpack fp32 and int8");
  const fs::path bench_path = workspace.root() / "bench.json";
  const Json bench = toolkit.json({"bench", summary.bundle.string(), "--engines", "xnnpack,xnnpack-int8", "--threads", "1",
                                   "--images", std::to_string(options.bench_images), "--plot",
                                   (workspace.root() / "bench.png").string()});
  write_file_atomically(bench_path, bench.dump(2) + "\n");
  summary.latency_fp32_ms = p50_of(bench, "xnnpack");
  summary.latency_int8_ms = p50_of(bench, "xnnpack-int8");

  step("test once on the official test set");
  const ToolResult tested = toolkit.raw({"test", picked.id, "--testset", kOfficialTestSet});
  if (tested.exit_status == 0) {
    summary.test_accuracy = Json::parse(tested.output).value("accuracy", 0.0);
    summary.test_note = "first use";
  } else if (tested.exit_status == kExitAlreadyExists) {
    for (const EvaluationRecord& evaluation : models.evaluations(picked.id)) {
      if (evaluation.split == std::string("test:") + kOfficialTestSet) summary.test_accuracy = evaluation.accuracy;
    }
    summary.test_note = "tested by an earlier run; not repeated";
  } else {
    throw internal_error("`edgeloop test` failed with status " + std::to_string(tested.exit_status) + " (see above)");
  }

  step("edgeloop-edge on sim: drift part-way, then a camera fault");
  const fs::path stream = workspace.root() / "stream";
  write_stream_images(workspace, registry, version_id, stream, options.stream_frames);
  summary.edge_log = workspace.root() / "edge-run.jsonl";
  fs::remove(summary.edge_log);
  const fs::path captures = workspace.root() / "captures";
  for (const std::string& corruption : {options.drift, options.camera_fault}) {
    const ToolResult edge = run_tool(edge_binary, {"--bundle", summary.bundle.string(), "--source", "sim:" + stream.string(),
                                                   "--corrupt", corruption, "--all-topics", "--no-stdout", "--no-http",
                                                   "--jsonl", summary.edge_log.string(), "--capture-dir", captures.string(),
                                                   "--device-id", "quickstart", "--quiet"});
    if (edge.exit_status != 0) {
      throw internal_error("edgeloop-edge failed with status " + std::to_string(edge.exit_status) + " (see above)");
    }
  }
  const EdgeLogData edge_log = load_edge_log(summary.edge_log);
  for (const auto& event : edge_log.events) {
    if (event.kind == "drift") ++summary.drift_events;
    if (event.kind == "camera" && event.detail.rfind("ok", 0) != 0) ++summary.camera_events;
  }
  summary.frames_captured = edge_log.captures;

  step("reports and deployment files");
  const fs::path reports = workspace.root() / "reports";
  fs::create_directories(reports);
  summary.reports.push_back(write_report(&workspace, {picked.id, reports / "model.html", bench_path}).path);
  if (!summary.sweep_id.empty()) summary.reports.push_back(write_report(&workspace, {summary.sweep_id, reports / "sweep.html"}).path);
  summary.reports.push_back(write_report(&workspace, {summary.edge_log.string(), reports / "edge.html"}).path);
  DeployOptions deploy;
  deploy.bundle_directory = summary.bundle;
  deploy.device = "quickstart-camera";
  deploy.out_directory = workspace.root() / "deploy";
  summary.deploy_directory = write_deployment(deploy).out_directory;

  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return summary;
}

}  // namespace edgeloop
