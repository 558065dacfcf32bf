// Turning a bundle directory into a LoadedModel: load_bundle() (format version and every file's
// sha256), the engine from runtime/ on the int8 or fp32 ONNX, the preprocessing and labels from
// bundle.json, the reference statistics for drift, and a smoke inference whose output must have
// one probability per label. Anything wrong is an Error naming the file and the reason, so a bad
// bundle is refused before it can replace a running model. Called by edged and the swapper;
// thread-safe (each call builds its own model).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/edge/loaded_model.h"

namespace edgeloop {

struct ModelLoadOptions {
  // Runtime engine name (runtime/engine.h), or "auto": the bundle's engine ranking when it was
  // measured on this kind of CPU, else the CPU's default order (runtime/engine_ranking.h); an engine
  // that cannot run here is skipped with one warning line.
  std::string engine = "auto";
  bool prefer_int8 = true;          // auto and "xnnpack": run model.int8.onnx when the bundle has it
  int threads = 1;                  // engine compute threads (0 = all cores)
};

std::shared_ptr<LoadedModel> load_model_from_bundle(const std::filesystem::path& bundle_directory,
                                                    const ModelLoadOptions& options);
ModelLoader bundle_model_loader(const ModelLoadOptions& options);

// `edgeloop bundle verify`: exactly the checks the device runs at load (load_model_from_bundle),
// for every model file the device may run: model.onnx on XNNPACK, and model.int8.onnx on
// XNNPACK's int8 path when the bundle has one. Returns the bundle's manifest; throws what the
// device would throw.
struct BundleVerification {
  Bundle bundle;
  std::vector<std::string> engines;   // the engines each model file was loaded and run on
};
BundleVerification verify_bundle_for_device(const std::filesystem::path& bundle_directory);

}  // namespace edgeloop
