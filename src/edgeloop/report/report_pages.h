// The four report kinds as HTML pages: a training run (class balance, learning curves with the fit
// diagnosis), a model (its run's curves, confusion matrices, test-set uses, the bench table), a
// sweep (Pareto plot of latency against accuracy, size as marker area) and an edge run log (drift
// and camera-health timelines with their events). Called by the CLI's `edgeloop report` and the
// quickstart. Pure functions of the data; thread-safe.
#pragma once

#include <string>

#include "edgeloop/report/report_data.h"

namespace edgeloop {

std::string render_run_report(const RunReportData& data);
std::string render_model_report(const ModelReportData& data);
std::string render_sweep_report(const SweepReportData& data);
std::string render_edge_report(const EdgeLogData& data);

}  // namespace edgeloop
