// Fuzz target: ONNX files through both loaders — the device engines' OnnxModel and the reference
// runner's (load_onnx_model, then OnnxReferenceRunner, which the reference engine builds at load).
#include "edgeloop/export/onnx_reference_runner.h"
#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/runtime/onnx_model.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const auto path = fuzz::write_input("model.onnx", data, size);
  fuzz::expect_only_edgeloop_errors([&] { OnnxModel::load(path); });
  fuzz::expect_only_edgeloop_errors([&] { OnnxReferenceRunner runner(load_onnx_model(path)); });
  return 0;
}
