// The ArchSpec overload of build_onnx_model: expands the spec, then writes the layer graph.
#include "edgeloop/export/onnx_writer.h"

namespace edgeloop {

onnx::ModelProto build_onnx_model(const ArchSpec& arch, const WeightMap& weights, const OnnxWriterOptions& options) {
  OnnxWriterOptions named = options;
  if (named.arch.empty()) named.arch = arch.to_string();
  return build_onnx_model(arch.expand(), arch.input, weights, named);
}

}  // namespace edgeloop
