// Fuzz target: a bundle's model.onnx through the device's loader (OnnxModel::load, no protobuf)
// and the engines the device builds from it (xnnpack, onednn: the graph reader, the weights, the
// network), then one inference on zeros, as the device's load check does.
#include <string>
#include <vector>

#include "edgeloop/runtime/engine.h"
#include "edgeloop/runtime/onnx_model.h"
#include "fuzz_support.h"

namespace {
// The harness's own input buffer: a larger input is the engine's to refuse, and is not inferred here.
constexpr int64_t kMaxHarnessElements = int64_t{1} << 24;
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const auto path = fuzz::write_input("model.onnx", data, size);
  bool loaded = false;
  bool quantized = false;   // a QDQ file goes to the int8 engines, as the device sends model.int8.onnx
  fuzz::expect_only_edgeloop_errors([&] {
    quantized = OnnxModel::load(path).has_op("QuantizeLinear");
    loaded = true;
  });
  if (!loaded) return 0;
  const std::vector<std::string> engines = quantized ? std::vector<std::string>{"xnnpack-int8", "onednn-int8"}
                                                     : std::vector<std::string>{"xnnpack", "onednn"};
  for (const std::string& engine_name : engines) {
    fuzz::expect_only_edgeloop_errors([&] {
      const std::unique_ptr<Engine> engine = make_engine(engine_name, path, EngineOptions{});
      const OnnxModel model = OnnxModel::load(path);
      int64_t elements = 1;
      for (size_t axis = 1; axis < model.input_shape().size(); ++axis) {
        const int64_t dim = model.input_shape()[axis];
        if (dim <= 0 || dim > kMaxHarnessElements) return;
        elements *= dim;
        if (elements > kMaxHarnessElements) return;
      }
      const std::vector<float> input(static_cast<size_t>(elements), 0.0f);
      engine->infer(input.data(), /*batch=*/1);
    });
  }
  return 0;
}
