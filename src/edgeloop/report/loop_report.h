// The loop report: one pass of the loop on a device's captures as an HTML page (html_report.h) —
// the captures by the reason the device kept them, the labels by provenance, the gate's table
// (champion and challenger on every test set, McNemar's p), and the swap on the stream's
// timeline with the accuracy on the same drifted images before and after it. Filled by the
// quickstart's loop from its stages' results. Pure; thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "edgeloop/promote/gate.h"
#include "edgeloop/report/stream_accuracy.h"

namespace edgeloop {

struct LoopReportData {
  std::string captures_version;                        // "captures@1": the imported capture folder
  std::map<std::string, int64_t> captures_by_reason;   // low_confidence, drift, random → frames
  std::string labelled_version;                        // the version labelling made
  std::map<std::string, int64_t> labels_by_provenance; // human, suggestion, batch, oracle → labels
  std::string label_order;                             // entropy, margin, random, ...
  int64_t label_budget = 0;                            // most labels allowed; 0 = all
  std::string champion_id;
  std::string challenger_id;
  GateResult gate;
  bool promoted = false;
  std::string decision;                                // one line: why promoted or kept
  std::string device;                                  // one line: what the device did with the bundle
  double retrain_seconds = 0.0;
  double gate_seconds = 0.0;
  double push_seconds = 0.0;                           // upload + swap + probation verdict
  std::vector<ScoredFrame> stream;                     // the run the swap happened in
  int64_t drift_from_frame = 0;                        // the stream's first drifted frame
  SwapAccuracy accuracy;                               // before and after the swap, same images
};

std::string render_loop_report(const LoopReportData& data);

}  // namespace edgeloop
