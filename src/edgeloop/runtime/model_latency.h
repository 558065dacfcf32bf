// Single-image latency of a trained model on the engine the device runs, before the model is
// exported: a network's ONNX graph is written the way export writes it and timed on the xnnpack
// engine (fp32, one thread); a classic baseline runs on the classic engine. The sweep's latency
// column comes from here, so the trade-off it shows is the device's, not LibTorch's.
#pragma once

#include <string>

#include "edgeloop/core/workspace.h"
#include "edgeloop/models/model_probe.h"
#include "edgeloop/models/stored_model.h"

namespace edgeloop {

// The sweep's latency probe (SweepOptions::latency_probe): engine, median ms of one image and the
// size of the file the engine loaded (the fp32 ONNX graph the bundle would carry). The ONNX file is kept in the workspace cache (cache/device-latency/MODEL.onnx) for the next call.
// Throws Error naming the model when its weights are missing or an engine refuses the graph.
ModelProbe device_latency_probe(const Workspace& workspace, const StoredModel& model);

}  // namespace edgeloop
