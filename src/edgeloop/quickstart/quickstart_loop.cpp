#include "edgeloop/quickstart/quickstart_loop.h"

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <set>
#include <thread>

#include <httplib.h>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/number_format.h"
#include "edgeloop/core/stopwatch.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/data/split.h"
#include "edgeloop/edge/frame_corruption.h"
#include "edgeloop/export/model_exporter.h"
#include "edgeloop/label/labelling_session.h"
#include "edgeloop/promote/promotion.h"
#include "edgeloop/promote/retrain.h"
#include "edgeloop/quickstart/tool_process.h"
#include "edgeloop/registry/alias_store.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/report/loop_report.h"
#include "edgeloop/runtime/engine_timing.h"
#include "edgeloop/runtime/toolkit_engines.h"

namespace edgeloop {

namespace {

namespace fs = std::filesystem;

constexpr const char* kCapturesDataset = "captures";
constexpr const char* kOracleLabeller = "oracle:sim";
constexpr const char* kLoopFolder = "loop";
constexpr double kDeviceStartSeconds = 30.0;     // edgeloop-edge loads the bundle and serves HTTP within this
constexpr double kStreamPassSeconds = 600.0;     // one pass over the stream at the pace asked, at most
constexpr auto kPollInterval = std::chrono::milliseconds(50);

// A TCP port nobody listens on now, for the device's HTTP API on loopback.
int free_loopback_port() {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (socket_fd < 0) throw io_error("cannot open a socket to find a free port for edgeloop-edge's HTTP API");
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t length = sizeof address;
  int port = -1;
  if (::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0 &&
      ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length) == 0) {
    port = ntohs(address.sin_port);
  }
  ::close(socket_fd);
  if (port <= 0) throw io_error("cannot find a free loopback port for edgeloop-edge's HTTP API");
  return port;
}

// The frames the device has processed (GET /v1/status), or nullopt while it does not answer.
std::optional<int64_t> device_frames(httplib::Client& client) {
  const auto response = client.Get("/v1/status");
  if (!response || response->status != 200) return std::nullopt;
  const Json status = Json::parse(response->body, nullptr, /*allow_exceptions=*/false);
  if (!status.is_object() || !status.contains("frames") || !status["frames"].is_number_integer()) return std::nullopt;
  return status["frames"].get<int64_t>();
}

// Waits until the device has processed `frames` frames; throws naming the device when it exits or
// does not get there within `seconds`.
void wait_for_frames(ToolProcess& device, httplib::Client& client, int64_t frames, double seconds, const std::string& what) {
  const auto started = std::chrono::steady_clock::now();
  while (true) {
    if (!device.running()) throw internal_error("edgeloop-edge exited while " + what + " (its message is above)");
    const std::optional<int64_t> done = device_frames(client);
    if (done && *done >= frames) return;
    if (seconds_since(started) > seconds) {
      throw internal_error("edgeloop-edge did not reach frame " + std::to_string(frames) + " within " + format_fixed(seconds, 0) +
                           " s while " + what + ": the machine is busy or the stream stalled");
    }
    std::this_thread::sleep_for(kPollInterval);
  }
}

std::string first_champion_or_alias(const Workspace& workspace, const std::string& picked, int threads) {
  {
    Registry registry = Registry::open(workspace.registry_path());
    if (auto champion = AliasStore(registry).model_for(kAliasChampion)) return *champion;
  }
  PromoteOptions first;
  first.challenger = picked;
  first.threads = threads;
  promote_challenger(workspace, first);   // no champion yet: the pick becomes the first one, without a gate
  return picked;
}

// The champion's bundle: the quickstart's own when the champion is the pick, else exported.
fs::path champion_bundle(const LoopInputs& inputs, const std::string& champion) {
  if (load_bundle(inputs.picked_bundle).model_id == champion) return inputs.picked_bundle;
  const fs::path directory = inputs.workspace.root() / kLoopFolder / (champion + ".bundle");
  if (!fs::exists(directory / kBundleManifestName) || load_bundle(directory).model_id != champion) {
    export_device_bundle(inputs.workspace, champion, directory, inputs.threads, inputs.progress);
  }
  return directory;
}

std::string push_line(const DevicePushOutcome& push) {
  switch (push.result) {
    case DevicePushResult::kConfirmed: return "confirmed after probation; serving " + push.serving_model_id;
    case DevicePushResult::kRolledBack: return "rolled back by the device: " + push.reason;
    case DevicePushResult::kRefused: return "refused by the device: " + push.reason;
    case DevicePushResult::kNoVerdict: return "swapped; probation not over when the push stopped waiting";
  }
  return to_string(push.result);
}

// Imports the capture folder and counts its frames by the reason the device kept them.
void import_captures(const LoopInputs& inputs, LoopSummary& summary) {
  Registry registry = Registry::open(inputs.workspace.registry_path());
  ImportOptions import;
  import.name = kCapturesDataset;
  import.format = "capture";
  import.threads = inputs.threads;
  const ImportResult imported = import_dataset(inputs.workspace, registry, inputs.captures, import, inputs.progress);
  summary.captures_version = imported.version.reference();
  for (const Sample& sample : DatasetStore(registry).samples(imported.version.id)) {
    ++summary.captures;
    const std::optional<Suggestion> suggestion = parse_suggestion(sample.suggested, sample.origin);
    ++summary.captures_by_reason[suggestion && !suggestion->reason.empty() ? suggestion->reason : "no sidecar"];
  }
}

// The oracle labels; notes the pack positions of the labelled frames (left out of the swap's accuracy).
void label_with_oracle(const LoopInputs& inputs, const QuickstartLoopOptions& options, LoopSummary& summary) {
  Registry registry = Registry::open(inputs.workspace.registry_path());
  LabelOptions label;
  label.dataset = summary.captures_version;
  label.classes_from = summary.champion_id;
  label.order = label_order_from_name(options.order);
  label.labeller = kOracleLabeller;
  LabellingSession session(registry, label);
  summary.labels = session.apply_oracle(options.max_labels);
  summary.labels_by_provenance = session.counts().per_provenance;
  std::set<int64_t> labelled_items;
  for (const QueueItem& item : session.queue()) {
    if (item.suggestion && item.suggestion->item >= 0 && session.current_label(item.object_hash) >= 0) {
      labelled_items.insert(item.suggestion->item);
    }
  }
  summary.labelled_items.assign(labelled_items.begin(), labelled_items.end());
  summary.labelled_version = session.finish().reference();
}

// Train, val and a fresh captured test set. Not grouped by capture session: a sim: stream's frames
// are distinct images, not neighbouring frames of one scene, so no near-duplicates can leak.
std::string split_labelled(const LoopInputs& inputs, const QuickstartLoopOptions& options, LoopSummary& summary) {
  Registry registry = Registry::open(inputs.workspace.registry_path());
  const DatasetVersion labelled = DatasetStore(registry).resolve(summary.labelled_version);
  SplitOptions split;
  split.val_fraction = options.captured_val_share;
  split.test_sets = {{captured_test_set_name(labelled), options.captured_test_share}};
  const DatasetVersion made = split_dataset(registry, labelled.reference(), split).version;
  summary.captured_test_set = std::string(kSplitTestPrefix) + split.test_sets.front().name;
  return made.reference();
}

void gate(const LoopInputs& inputs, const QuickstartLoopOptions& options, LoopSummary& summary) {
  const auto started = std::chrono::steady_clock::now();
  PromoteOptions promote;
  promote.challenger = summary.challenger_id;
  promote.gate.max_recall_drop_points = options.max_recall_drop_points;
  promote.threads = inputs.threads;
  const PromoteOutcome outcome = promote_challenger(inputs.workspace, promote);
  summary.gate = outcome.gate;
  summary.promoted = outcome.promoted;
  summary.decision = outcome.promoted ? "the gate passed against champion " + outcome.champion_id : outcome.gate.failed_condition;
  summary.gate_seconds = seconds_since(started);
}

// edgeloop-edge on the drifted stream with the champion; after a full pass of drifted frames the
// challenger is pushed, and after a full pass of the new model the device is stopped.
void push_to_running_device(const LoopInputs& inputs, const QuickstartLoopOptions& options, LoopSummary& summary) {
  const fs::path folder = inputs.workspace.root() / kLoopFolder;
  fs::create_directories(folder);
  const fs::path challenger_bundle = folder / (summary.challenger_id + ".bundle");
  summary.stream_log = folder / "swap-run.jsonl";
  fs::remove(summary.stream_log);
  // Pushed bundles are kept in the workspace, not in the caller's folder.
  const fs::path config = folder / "edge.json";
  write_file_atomically(config, Json{{"bundle_store", (folder / "device-bundles").string()}}.dump(2) + "\n");
  const int port = free_loopback_port();
  ToolProcess device(inputs.edge_binary,
                     {"--config", config.string(), "--bundle", champion_bundle(inputs, summary.champion_id).string(), "--source", "sim:" + inputs.stream_pack.string(),
                      "--corrupt", inputs.drift, "--loop", "--fps", format_fixed(options.stream_fps, 1), "--http-port",
                      std::to_string(port), "--jsonl", summary.stream_log.string(), "--no-stdout", "--all-topics",
                      "--device-id", "quickstart-loop", "--quiet"});
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(1);
  const int64_t champion_pass = summary.drift_from_frame + inputs.stream_images;
  wait_for_frames(device, client, 1, kDeviceStartSeconds, "starting");
  // Meanwhile the challenger's bundle is exported, as a promotion would.
  const auto export_started = std::chrono::steady_clock::now();
  export_device_bundle(inputs.workspace, summary.challenger_id, challenger_bundle, inputs.threads, inputs.progress);
  summary.push_seconds = seconds_since(export_started);
  wait_for_frames(device, client, champion_pass, kStreamPassSeconds, "the champion ran the drifted stream");
  DevicePushOptions push;
  push.url = "http://127.0.0.1:" + std::to_string(port);
  const auto push_started = std::chrono::steady_clock::now();
  summary.push = push_bundle_to_device(challenger_bundle, push);
  summary.push_seconds += seconds_since(push_started);
  const std::optional<int64_t> at_swap = device_frames(client);
  if (summary.push->result == DevicePushResult::kConfirmed && at_swap) {
    wait_for_frames(device, client, *at_swap + inputs.stream_images, kStreamPassSeconds, "the challenger ran the drifted stream");
  }
  const int status = device.stop();
  if (status != 0) throw internal_error(inputs.edge_binary.string() + " failed with status " + std::to_string(status) + " (its message is above)");
}

}  // namespace

void export_device_bundle(const Workspace& workspace, const std::string& model_id, const fs::path& directory, int threads,
                          const ProgressCallback& progress) {
  ExportOptions export_options;
  export_options.output_directory = directory;
  export_options.overwrite = true;
  export_options.int8 = true;
  export_options.threads = threads;
  export_options.engine_factory = runtime_parity_engine;
  export_options.engine_ranker = export_engine_ranking;
  export_model(workspace, model_id, export_options, progress);
}

std::vector<std::pair<std::string, std::string>> LoopSummary::table() const {
  std::string by_reason, by_provenance;
  for (const auto& [reason, count] : captures_by_reason) by_reason += (by_reason.empty() ? "" : ", ") + std::to_string(count) + " " + reason;
  for (const auto& [provenance, count] : labels_by_provenance) {
    by_provenance += (by_provenance.empty() ? "" : ", ") + std::to_string(count) + " " + provenance;
  }
  std::vector<std::pair<std::string, std::string>> rows{
      {"loop: captures", captures_version + ": " + std::to_string(captures) + " (" + by_reason + ")"},
      {"loop: labels", labelled_version + ": " + std::to_string(labels) + " (" + by_provenance + ")"},
      {"loop: challenger", challenger_id + " (retrained in " + format_fixed(retrain_seconds, 1) + " s)"}};
  for (const TestSetFigures& figures : gate.figures) {
    rows.push_back({"loop: gate on " + figures.test_set, format_percent(figures.champion_accuracy) + " champion, " +
                                                             format_percent(figures.challenger_accuracy) + " challenger, McNemar p " +
                                                             format_fixed(figures.mcnemar_p, 4)});
  }
  rows.push_back({"loop: decision", std::string(promoted ? "promoted: " : "kept the champion: ") + decision});
  if (push) rows.push_back({"loop: device", push_line(*push)});
  if (accuracy.images > 0) {
    rows.push_back({"loop: drifted stream accuracy", format_percent(accuracy.before()) + " before the swap, " +
                                                         format_percent(accuracy.after()) + " after (" +
                                                         std::to_string(accuracy.images) + " images, labelled ones left out)"});
  }
  rows.push_back({"loop: retrain + gate + push", format_fixed(retrain_gate_push_seconds(), 1) + " s"});
  rows.push_back({"loop: report", report.string()});
  return rows;
}

Json LoopSummary::to_json() const {
  return Json{{"captures_version", captures_version},
              {"captures", captures},
              {"captures_by_reason", captures_by_reason},
              {"labelled_version", labelled_version},
              {"labels", labels},
              {"labels_by_provenance", labels_by_provenance},
              {"labelled_items", labelled_items},
              {"captured_test_set", captured_test_set},
              {"champion", champion_id},
              {"challenger", challenger_id},
              {"gate", gate.to_json()},
              {"promoted", promoted},
              {"decision", decision},
              {"push", push ? push->to_json() : Json(nullptr)},
              {"drift_from_frame", drift_from_frame},
              {"first_new_frame", accuracy.first_new_frame},
              {"stream_images", accuracy.images},
              {"accuracy_before", accuracy.before()},
              {"accuracy_after", accuracy.after()},
              {"retrain_seconds", retrain_seconds},
              {"gate_seconds", gate_seconds},
              {"push_seconds", push_seconds},
              {"stream_log", stream_log.string()},
              {"report", report.string()}};
}

LoopSummary run_quickstart_loop(const LoopInputs& inputs, const QuickstartLoopOptions& options,
                                const std::function<void(const std::string&)>& step) {
  if (!options.oracle) {
    throw invalid_argument("--loop labels the captures with the oracle only when asked: add --oracle (the sim: stream's true classes)");
  }
  LoopSummary summary;
  summary.drift_from_frame = parse_frame_corruption(inputs.drift).from_frame;
  summary.champion_id = first_champion_or_alias(inputs.workspace, inputs.picked_model, inputs.threads);

  step("loop: import the device's captures");
  import_captures(inputs, summary);
  step("loop: label " + (options.max_labels > 0 ? "up to " + std::to_string(options.max_labels) : std::string("all")) +
       " captures, " + options.order + " order, with the oracle (the sim: stream's true classes)");
  label_with_oracle(inputs, options, summary);
  step("loop: split the labelled captures: train, val and a fresh captured test set");
  const std::string added = split_labelled(inputs, options, summary);

  step(std::string("loop: retrain on the champion's data and the new labels, ") +
       (options.retrain_from_scratch ? "from scratch" : "from the champion"));
  const auto retrain_started = std::chrono::steady_clock::now();
  RetrainOptions retrain;
  retrain.champion = summary.champion_id;
  retrain.add = added;
  retrain.epochs = options.retrain_epochs;
  retrain.from_scratch = options.retrain_from_scratch;
  retrain.max_seconds = options.retrain_seconds;
  retrain.threads = inputs.threads;
  TrainerCallbacks callbacks;
  callbacks.progress = inputs.progress;
  summary.challenger_id = retrain_on_union(inputs.workspace, retrain, callbacks).trained.model.id;
  summary.retrain_seconds = seconds_since(retrain_started);

  step("loop: gate: champion and challenger on the frozen test sets");
  gate(inputs, options, summary);

  step(summary.promoted ? "loop: push the challenger to the running edgeloop-edge on the drifted stream"
                        : "loop: the gate kept the champion; nothing to push");
  if (summary.promoted) {
    push_to_running_device(inputs, options, summary);
    summary.accuracy = swap_accuracy(scored_frames_from_jsonl(summary.stream_log), summary.champion_id, summary.challenger_id,
                                     summary.drift_from_frame,
                                     std::set<int64_t>(summary.labelled_items.begin(), summary.labelled_items.end()));
  }

  step("loop report");
  LoopReportData report;
  report.captures_version = summary.captures_version;
  report.captures_by_reason = summary.captures_by_reason;
  report.labelled_version = summary.labelled_version;
  report.labels_by_provenance = summary.labels_by_provenance;
  report.label_order = options.order;
  report.label_budget = options.max_labels;
  report.champion_id = summary.champion_id;
  report.challenger_id = summary.challenger_id;
  report.gate = summary.gate;
  report.promoted = summary.promoted;
  report.decision = summary.decision;
  report.device = summary.push ? push_line(*summary.push) : "not pushed";
  report.retrain_seconds = summary.retrain_seconds;
  report.gate_seconds = summary.gate_seconds;
  report.push_seconds = summary.push_seconds;
  if (summary.promoted) report.stream = scored_frames_from_jsonl(summary.stream_log);
  report.drift_from_frame = summary.drift_from_frame;
  report.accuracy = summary.accuracy;
  const fs::path reports = inputs.workspace.root() / "reports";
  fs::create_directories(reports);
  summary.report = reports / "loop.html";
  write_file_atomically(summary.report, render_loop_report(report));
  return summary;
}

}  // namespace edgeloop
