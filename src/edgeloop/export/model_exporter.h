// Exports a trained model of the workspace as a bundle (bundle/bundle.h): writes the fp32 ONNX
// file, runs the parity check (raw validation image files through the bundle's preprocessing and
// each engine vs the LibTorch model; refuses to write the bundle past the tolerance, saying by how
// much), computes the drift reference statistics on training images, optionally quantizes to int8
// QDQ and measures its accuracy, then writes the bundle atomically (a staging folder renamed into
// place). Called by `edgeloop export`. LibTorch inside (library export_torch). Not thread-safe:
// one export at a time per output folder.
#pragma once

#include <string>

#include "edgeloop/core/progress.h"
#include "edgeloop/core/workspace.h"
#include "edgeloop/export/export_options.h"

namespace edgeloop {

// Throws Error(kNotFound) for an unknown model, Error(kAlreadyExists) when the output folder exists
// without `overwrite`, Error(kInternal) when an engine disagrees with LibTorch past the tolerance
// (nothing is written then), Error(kUnsupported) for a classic model.
ExportReport export_model(const Workspace& workspace, const std::string& model_id, const ExportOptions& options,
                          const ProgressCallback& progress = {});

}  // namespace edgeloop
