// OnnxGraphBuilder: appends nodes, initializers and typed inputs/outputs to an ONNX GraphProto,
// so the ONNX writer and the int8 quantizer spell the protobuf calls once. Used by export/ only
// (the engines read ONNX themselves). Not thread-safe: one builder per graph being built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

namespace edgeloop {

// One node attribute: an int, a float or a list of ints, as ONNX Conv/Pool/Gemm attributes need.
struct OnnxAttribute {
  std::string name;
  enum class Kind { kInt, kFloat, kInts } kind = Kind::kInt;
  int64_t int_value = 0;
  float float_value = 0.0f;
  std::vector<int64_t> ints;

  static OnnxAttribute integer(std::string name, int64_t value);
  static OnnxAttribute real(std::string name, float value);
  static OnnxAttribute integers(std::string name, std::vector<int64_t> values);
};

// A graph dimension: a fixed size, or a named symbolic one (the dynamic batch).
struct OnnxDimension {
  int64_t size = 0;            // used when symbol is empty
  std::string symbol;          // e.g. "batch"
};

class OnnxGraphBuilder {
 public:
  explicit OnnxGraphBuilder(onnx::GraphProto& graph) : graph_(graph) {}

  void add_node(const std::string& op_type, const std::vector<std::string>& inputs,
                const std::vector<std::string>& outputs, const std::vector<OnnxAttribute>& attributes = {},
                const std::string& node_name = "");
  // Float initializer; `shape` may be empty for a scalar. values.size() must match the shape.
  void add_float_initializer(const std::string& name, const std::vector<int64_t>& shape,
                             const std::vector<float>& values);
  void add_int8_initializer(const std::string& name, const std::vector<int64_t>& shape,
                            const std::vector<int8_t>& values);
  void add_int64_initializer(const std::string& name, const std::vector<int64_t>& shape,
                             const std::vector<int64_t>& values);
  void add_int32_initializer(const std::string& name, const std::vector<int64_t>& shape,
                             const std::vector<int32_t>& values);
  void add_float_input(const std::string& name, const std::vector<OnnxDimension>& shape);
  void add_float_output(const std::string& name, const std::vector<OnnxDimension>& shape);

 private:
  onnx::GraphProto& graph_;
};

// The shape of an initializer or value as a plain vector (for tests and the quantizer).
std::vector<int64_t> tensor_shape(const onnx::TensorProto& tensor);
// Float values of an initializer stored as raw_data or float_data.
std::vector<float> float_values(const onnx::TensorProto& tensor);

}  // namespace edgeloop
