// OnnxModel: an ONNX file read into plain values (nodes, attributes, initializers) so the engines
// that read the graph (xnnpack; reference for its input and outputs) need no protobuf: the file is
// read by runtime/onnx_wire_format.h, so the device links no ONNX protobuf. Constant nodes are
// folded into initializers. Read by runtime/ only; the writer lives in export/. Immutable after
// load(); thread-safe to read.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace edgeloop {

// ONNX TensorProto element types that the engines read.
enum class OnnxElementType { kFloat = 1, kUint8 = 2, kInt8 = 3, kInt32 = 6, kInt64 = 7 };

// A constant tensor; exactly one of the value vectors is filled, by element type.
struct OnnxConstant {
  std::vector<int64_t> shape;   // ONNX order, e.g. conv weight [out, in/groups, kh, kw]
  OnnxElementType type = OnnxElementType::kFloat;
  std::vector<float> floats;
  std::vector<int8_t> int8s;
  std::vector<uint8_t> uint8s;
  std::vector<int32_t> int32s;
  std::vector<int64_t> int64s;

  int64_t element_count() const;
  // Value i as a double, whatever the element type.
  double value(int64_t index) const;
};

struct OnnxAttributeValue {
  int64_t integer = 0;
  float real = 0.0f;
  std::string text;
  std::vector<int64_t> integers;
  std::vector<float> reals;
  std::optional<OnnxConstant> tensor;
};

struct OnnxNode {
  std::string op_type;                  // "Conv", "Relu", ...
  std::string name;                     // may be empty in the file; then "<op_type>#<index>"
  std::vector<std::string> inputs;      // "" for an omitted optional input
  std::vector<std::string> outputs;
  std::map<std::string, OnnxAttributeValue> attributes;

  bool has(const std::string& attribute) const { return attributes.count(attribute) != 0; }
  int64_t integer(const std::string& attribute, int64_t fallback) const;
  float real(const std::string& attribute, float fallback) const;
  std::vector<int64_t> integers(const std::string& attribute, std::vector<int64_t> fallback) const;
  std::string text(const std::string& attribute, const std::string& fallback) const;
};

class OnnxModel {
 public:
  // Parses the file. Throws Error(kNotFound) when absent, Error(kCorrupt) naming the file when it
  // is not a readable ONNX model, Error(kUnsupported) for external data or several graph inputs.
  static OnnxModel load(const std::filesystem::path& file);

  const std::filesystem::path& file() const { return file_; }
  const std::string& input_name() const { return input_name_; }
  const std::vector<int64_t>& input_shape() const { return input_shape_; }   // [N, C, H, W]; N = -1 when dynamic
  const std::vector<std::string>& output_names() const { return output_names_; }
  const std::vector<OnnxNode>& nodes() const { return nodes_; }
  int64_t opset() const { return opset_; }

  const OnnxConstant* initializer(const std::string& name) const;   // nullptr when not a constant
  bool is_output(const std::string& name) const;
  // Nodes that read `name`, in graph order.
  std::vector<const OnnxNode*> consumers(const std::string& name) const;
  bool has_op(const std::string& op_type) const;

 private:
  std::filesystem::path file_;
  std::string input_name_;
  std::vector<int64_t> input_shape_;
  std::vector<std::string> output_names_;
  std::vector<OnnxNode> nodes_;
  std::map<std::string, OnnxConstant> initializers_;
  std::map<std::string, std::vector<size_t>> consumers_;   // tensor name → node indices
  int64_t opset_ = 0;
};

}  // namespace edgeloop
