#include "edgeloop/runtime/model_latency.h"

#include <filesystem>
#include <vector>

#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/models/weights_file.h"
#include "edgeloop/runtime/engine.h"
#include "edgeloop/runtime/latency.h"
#include "edgeloop/runtime/toolkit_engines.h"

namespace edgeloop {

namespace {

std::filesystem::path device_graph(const Workspace& workspace, const StoredModel& model) {
  const std::filesystem::path graph = workspace.cache_dir() / "device-latency" / (model.id + ".onnx");
  if (std::filesystem::exists(graph)) return graph;
  std::filesystem::create_directories(graph.parent_path());
  const WeightMap weights = read_weights_file(model_weights_path(workspace, model.id));
  OnnxWriterOptions options;
  options.arch = model.arch;
  save_onnx_model(build_onnx_model(model.spec, weights, options), graph);
  return graph;
}

}  // namespace

ModelProbe device_latency_probe(const Workspace& workspace, const StoredModel& model) {
  const bool classic = model.kind == kModelKindClassic;
  const std::string engine_name = classic ? "classic" : "xnnpack";
  const std::filesystem::path file = classic ? model_classic_path(workspace, model.id) : device_graph(workspace, model);
  EngineOptions engine_options;
  engine_options.threads = 1;
  engine_options.input_shape = {model.input.channels, model.input.height, model.input.width};
  const std::unique_ptr<Engine> engine = make_toolkit_engine(engine_name, file, engine_options);
  // Constant mid-grey input: latency does not depend on pixel values for these engines.
  const std::vector<float> image(size_t(model.input.channels) * size_t(model.input.height) * size_t(model.input.width), 0.5f);
  const LatencyStats stats = measure_latency([&] { engine->infer(image.data(), 1); }, 1, LatencyOptions{});
  return ModelProbe{engine_name, stats.p50_ms, static_cast<int64_t>(std::filesystem::file_size(file))};
}

}  // namespace edgeloop
