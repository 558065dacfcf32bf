// Fills the report kinds' data (report_data.h) from a workspace: runs, models, evaluations and
// sweeps from the registry, class balance from the dataset version's samples, an edge run log
// from its JSONL file. Also decides what a `edgeloop report ARG` argument names. Called by the
// CLI and the quickstart. Not thread-safe (it uses the caller's Registry).
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "edgeloop/core/config.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/report/report_data.h"

namespace edgeloop {

enum class ReportKind { kRun, kModel, kSweep, kEdgeLog };
std::string to_string(ReportKind kind);

// A run id ("r-…"), a model id or unique prefix ("m-…"), a sweep id ("s-…") or the path of an
// edge JSONL log. Throws Error(kNotFound) naming what was tried and the fix.
ReportKind resolve_report_kind(Registry* registry, const std::string& argument);

ClassBalance load_class_balance(Registry& registry, const std::string& version_id);
RunReportData load_run_report(Registry& registry, const std::string& run_id);
// `bench_json`: a benchmark_to_json file to show as the bench table (optional).
ModelReportData load_model_report(Registry& registry, const std::string& model_id_or_prefix,
                                  const std::optional<std::filesystem::path>& bench_json = std::nullopt);
SweepReportData load_sweep_report(Registry& registry, const std::string& sweep_id);
EdgeLogData load_edge_log(const std::filesystem::path& jsonl);

struct ReportRequest {
  std::string argument;                           // RUN | MODEL | SWEEP | EDGE_LOG
  std::filesystem::path out;                      // FILE.html; empty: <kind>-<id>.html in the current folder
  std::optional<std::filesystem::path> bench_json;   // model reports: the bench table's JSON
};

struct ReportResult {
  ReportKind kind = ReportKind::kRun;
  std::filesystem::path path;                     // the HTML written
};

// Resolves, loads, renders and writes the page atomically. `workspace` may be null for an edge log.
ReportResult write_report(const Workspace* workspace, const ReportRequest& request);

}  // namespace edgeloop
