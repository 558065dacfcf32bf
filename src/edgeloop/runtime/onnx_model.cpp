#include "edgeloop/runtime/onnx_model.h"

#include <cstring>
#include <fstream>

#include <iterator>
#include <map>
#include <optional>
#include <string_view>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/onnx_wire_format.h"

namespace edgeloop {
namespace {

// Field numbers of onnx.proto (ONNX 1.12) that the engines read; every other field is skipped.
namespace model_field { constexpr int kGraph = 7, kOpsetImport = 8; }
namespace opset_field { constexpr int kDomain = 1, kVersion = 2; }
namespace graph_field { constexpr int kNode = 1, kInitializer = 5, kInput = 11, kOutput = 12; }
namespace node_field { constexpr int kInput = 1, kOutput = 2, kName = 3, kOpType = 4, kAttribute = 5; }
namespace attribute_field { constexpr int kName = 1, kFloat = 2, kInteger = 3, kText = 4, kTensor = 5, kFloats = 7, kIntegers = 8; }
namespace tensor_field {
constexpr int kDims = 1, kDataType = 2, kFloatData = 4, kInt32Data = 5, kInt64Data = 7, kName = 8, kRawData = 9,
              kDataLocation = 14;
}
namespace value_info_field { constexpr int kName = 1, kType = 2; }
namespace type_field { constexpr int kTensorType = 1; }
namespace tensor_type_field { constexpr int kShape = 2; }
namespace shape_field { constexpr int kDim = 1; }
namespace dimension_field { constexpr int kValue = 1; }
// TensorProto.DataType and TensorProto.DataLocation values.
constexpr int64_t kDataTypeFloat = 1, kDataTypeUint8 = 2, kDataTypeInt8 = 3, kDataTypeInt32 = 6, kDataTypeInt64 = 7;
constexpr int64_t kDataLocationExternal = 1;

// A TensorProto's fields as they are in the file, before they become an OnnxConstant.
struct TensorFields {
  std::string name;
  std::vector<int64_t> dims;
  int64_t data_type = 0;
  int64_t data_location = 0;
  bool has_raw_data = false;
  std::string_view raw_data;
  std::vector<float> float_data;
  std::vector<int64_t> integer_data;   // int32_data and int64_data (an ONNX file uses one of them)
};

// The element count its dims declare, refused (Error, kCorrupt) when a dim is negative or the
// count is more than `message_bytes`: every element takes at least one byte of the tensor's message
// (raw, packed floats or varints), so a dims field of 2^62 is refused before anything is allocated
// and the product never overflows.
int64_t declared_element_count(const TensorFields& tensor, size_t message_bytes) {
  const int64_t most = static_cast<int64_t>(message_bytes);
  int64_t count = 1;
  for (const int64_t dimension : tensor.dims) {
    if (dimension < 0) throw corrupt("tensor '" + tensor.name + "' has a negative dimension (" + std::to_string(dimension) + ")");
    if (dimension == 0) return 0;
  }
  for (const int64_t dimension : tensor.dims) {
    if (count > most / dimension) {
      throw corrupt("tensor '" + tensor.name + "' declares more elements than its " + std::to_string(message_bytes) +
                    " bytes can hold: the file is damaged");
    }
    count *= dimension;
  }
  return count;
}

// Throws Error(kCorrupt) unless the tensor holds `held` values, as many as its dims declare.
void check_value_count(const TensorFields& tensor, size_t held, int64_t count) {
  if (held != static_cast<size_t>(count)) {
    throw corrupt("tensor '" + tensor.name + "' holds " + std::to_string(held) + " values, its dims declare " +
                  std::to_string(count));
  }
}

template <typename Element>
std::vector<Element> raw_values(const TensorFields& tensor, int64_t count) {
  const size_t expected_bytes = static_cast<size_t>(count) * sizeof(Element);
  if (tensor.raw_data.size() != expected_bytes) {
    throw corrupt("tensor '" + tensor.name + "' has " + std::to_string(tensor.raw_data.size()) +
                  " bytes of raw data, expected " + std::to_string(expected_bytes));
  }
  std::vector<Element> values(static_cast<size_t>(count));
  if (!values.empty()) std::memcpy(values.data(), tensor.raw_data.data(), expected_bytes);
  return values;
}

template <typename Element>
std::vector<Element> listed_values(const TensorFields& tensor, int64_t count) {
  if (tensor.has_raw_data) return raw_values<Element>(tensor, count);
  check_value_count(tensor, tensor.integer_data.size(), count);
  return std::vector<Element>(tensor.integer_data.begin(), tensor.integer_data.end());
}

OnnxConstant read_tensor(std::string_view bytes) {
  TensorFields fields;
  WireReader reader(bytes);
  while (reader.next()) {
    switch (reader.field()) {
      case tensor_field::kDims: reader.append_varints(fields.dims); break;
      case tensor_field::kDataType: fields.data_type = static_cast<int64_t>(reader.varint()); break;
      case tensor_field::kFloatData: reader.append_floats(fields.float_data); break;
      case tensor_field::kInt32Data: {
        std::vector<int64_t> values;   // int32 values, sign-extended to 64 bits on the wire
        reader.append_varints(values);
        for (int64_t value : values) fields.integer_data.push_back(static_cast<int32_t>(value));
        break;
      }
      case tensor_field::kInt64Data: reader.append_varints(fields.integer_data); break;
      case tensor_field::kName: fields.name = std::string(reader.bytes()); break;
      case tensor_field::kRawData: fields.raw_data = reader.bytes(); fields.has_raw_data = true; break;
      case tensor_field::kDataLocation: fields.data_location = static_cast<int64_t>(reader.varint()); break;
      default: reader.skip();
    }
  }
  if (fields.data_location == kDataLocationExternal) {
    throw unsupported("tensor '" + fields.name + "' keeps its data in an external file; save the model with "
                      "all tensors inside it");
  }
  OnnxConstant tensor;
  tensor.shape = fields.dims;
  const int64_t count = declared_element_count(fields, bytes.size());
  switch (fields.data_type) {
    case kDataTypeFloat:
      tensor.type = OnnxElementType::kFloat;
      if (!fields.has_raw_data) check_value_count(fields, fields.float_data.size(), count);
      tensor.floats = fields.has_raw_data ? raw_values<float>(fields, count) : fields.float_data;
      break;
    case kDataTypeInt8:
      tensor.type = OnnxElementType::kInt8;
      tensor.int8s = listed_values<int8_t>(fields, count);
      break;
    case kDataTypeUint8:
      tensor.type = OnnxElementType::kUint8;
      tensor.uint8s = listed_values<uint8_t>(fields, count);
      break;
    case kDataTypeInt32:
      tensor.type = OnnxElementType::kInt32;
      tensor.int32s = listed_values<int32_t>(fields, count);
      break;
    case kDataTypeInt64:
      tensor.type = OnnxElementType::kInt64;
      tensor.int64s = listed_values<int64_t>(fields, count);
      break;
    default:
      throw unsupported("tensor '" + fields.name + "' has ONNX element type " + std::to_string(fields.data_type) +
                        "; only float, int8, uint8, int32, int64 are read");
  }
  if (tensor.element_count() != count) throw internal_error("tensor element count changed while reading");
  return tensor;
}

// AttributeProto: its name and value.
std::pair<std::string, OnnxAttributeValue> read_attribute(std::string_view bytes) {
  std::pair<std::string, OnnxAttributeValue> named;
  OnnxAttributeValue& attribute = named.second;
  WireReader reader(bytes);
  while (reader.next()) {
    switch (reader.field()) {
      case attribute_field::kName: named.first = std::string(reader.bytes()); break;
      case attribute_field::kFloat: attribute.real = reader.fixed32_float(); break;
      case attribute_field::kInteger: attribute.integer = static_cast<int64_t>(reader.varint()); break;
      case attribute_field::kText: attribute.text = std::string(reader.bytes()); break;
      case attribute_field::kTensor: attribute.tensor = read_tensor(reader.bytes()); break;
      case attribute_field::kFloats: reader.append_floats(attribute.reals); break;
      case attribute_field::kIntegers: reader.append_varints(attribute.integers); break;
      default: reader.skip();
    }
  }
  return named;
}

// NodeProto, with its attributes by name.
OnnxNode read_node(std::string_view bytes) {
  OnnxNode node;
  WireReader reader(bytes);
  while (reader.next()) {
    switch (reader.field()) {
      case node_field::kInput: node.inputs.emplace_back(reader.bytes()); break;
      case node_field::kOutput: node.outputs.emplace_back(reader.bytes()); break;
      case node_field::kName: node.name = std::string(reader.bytes()); break;
      case node_field::kOpType: node.op_type = std::string(reader.bytes()); break;
      case node_field::kAttribute: node.attributes.insert(read_attribute(reader.bytes())); break;
      default: reader.skip();
    }
  }
  return node;
}

// ValueInfoProto: the name and, for a tensor, its shape (-1 for a dimension without a value).
struct ValueInfo {
  std::string name;
  std::vector<int64_t> shape;
};

// The message of field `field` inside `bytes` (the last one when repeated; empty when absent).
std::string_view sub_message(std::string_view bytes, int field) {
  std::string_view found;
  WireReader reader(bytes);
  while (reader.next()) {
    if (reader.field() == field) {
      found = reader.bytes();
    } else {
      reader.skip();
    }
  }
  return found;
}

ValueInfo read_value_info(std::string_view bytes) {
  ValueInfo info;
  std::string_view type;
  WireReader reader(bytes);
  while (reader.next()) {
    switch (reader.field()) {
      case value_info_field::kName: info.name = std::string(reader.bytes()); break;
      case value_info_field::kType: type = reader.bytes(); break;
      default: reader.skip();
    }
  }
  const std::string_view shape = sub_message(sub_message(type, type_field::kTensorType), tensor_type_field::kShape);
  WireReader dimensions(shape);
  while (dimensions.next()) {
    if (dimensions.field() != shape_field::kDim) {
      dimensions.skip();
      continue;
    }
    int64_t value = -1;
    WireReader dimension(dimensions.bytes());
    while (dimension.next()) {
      if (dimension.field() == dimension_field::kValue) {
        value = static_cast<int64_t>(dimension.varint());
      } else {
        dimension.skip();
      }
    }
    info.shape.push_back(value);
  }
  return info;
}

// OperatorSetIdProto of the default domain ("" or "ai.onnx"): its version, or nullopt.
std::optional<int64_t> default_domain_opset(std::string_view bytes) {
  std::string domain;
  int64_t version = 0;
  WireReader reader(bytes);
  while (reader.next()) {
    switch (reader.field()) {
      case opset_field::kDomain: domain = std::string(reader.bytes()); break;
      case opset_field::kVersion: version = static_cast<int64_t>(reader.varint()); break;
      default: reader.skip();
    }
  }
  if (domain.empty() || domain == "ai.onnx") return version;
  return std::nullopt;
}

// The inputs the engines index directly, for the operators they read: the ONNX spec's required
// inputs, and Pad's pads and Reshape's shape, which were attributes before opsets 11 and 5 (no
// engine reads that form). Checked here, once for every engine, so a node missing one is refused
// at load instead of read out of bounds.
size_t required_inputs(const std::string& op_type) {
  static const std::map<std::string, size_t> kRequired = {
      {"Add", 2}, {"AveragePool", 1}, {"BatchNormalization", 5}, {"Clip", 1}, {"Conv", 2},
      {"DequantizeLinear", 2}, {"Dropout", 1}, {"Flatten", 1}, {"Gemm", 2}, {"GlobalAveragePool", 1},
      {"HardSigmoid", 1}, {"HardSwish", 1}, {"Identity", 1}, {"MatMul", 2}, {"MaxPool", 1}, {"Mul", 2},
      {"Pad", 2}, {"QuantizeLinear", 2}, {"Relu", 1}, {"Reshape", 2}, {"Softmax", 1}};
  auto found = kRequired.find(op_type);
  return found == kRequired.end() ? 0 : found->second;
}

// Every node has an output, and the inputs its operator needs, none of them empty.
void check_node_arity(const OnnxNode& node, int64_t opset) {
  if (node.outputs.empty() || node.outputs[0].empty()) {
    throw corrupt("node '" + node.name + "' (" + node.op_type + ") has no output");
  }
  const size_t required = required_inputs(node.op_type);
  for (size_t index = 0; index < required; ++index) {
    if (index < node.inputs.size() && !node.inputs[index].empty()) continue;
    const bool attribute_form = (node.op_type == "Pad" && opset > 0 && opset < 11) ||
                                (node.op_type == "Reshape" && opset > 0 && opset < 5);
    if (attribute_form) {
      throw unsupported("node '" + node.name + "' (" + node.op_type + ") is in its opset-" + std::to_string(opset) +
                        " form; re-export the model at opset 11 or later");
    }
    throw corrupt("node '" + node.name + "' (" + node.op_type + ") has " + std::to_string(node.inputs.size()) +
                  " inputs where " + node.op_type + " needs " + std::to_string(required));
  }
}

std::string read_whole_file(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(stream)), std::istreambuf_iterator<char>());
  if (!stream.good() && !stream.eof()) throw corrupt(file.string() + ": cannot be read");
  return bytes;
}

}  // namespace

int64_t OnnxConstant::element_count() const {
  int64_t count = 1;
  for (int64_t dimension : shape) count *= dimension;
  return count;
}

double OnnxConstant::value(int64_t index) const {
  switch (type) {
    case OnnxElementType::kFloat: return floats.at(index);
    case OnnxElementType::kInt8: return int8s.at(index);
    case OnnxElementType::kUint8: return uint8s.at(index);
    case OnnxElementType::kInt32: return int32s.at(index);
    case OnnxElementType::kInt64: return static_cast<double>(int64s.at(index));
  }
  return 0.0;
}

int64_t OnnxNode::integer(const std::string& attribute, int64_t fallback) const {
  auto found = attributes.find(attribute);
  return found == attributes.end() ? fallback : found->second.integer;
}

float OnnxNode::real(const std::string& attribute, float fallback) const {
  auto found = attributes.find(attribute);
  return found == attributes.end() ? fallback : found->second.real;
}

std::vector<int64_t> OnnxNode::integers(const std::string& attribute, std::vector<int64_t> fallback) const {
  auto found = attributes.find(attribute);
  return found == attributes.end() ? fallback : found->second.integers;
}

std::string OnnxNode::text(const std::string& attribute, const std::string& fallback) const {
  auto found = attributes.find(attribute);
  return found == attributes.end() ? fallback : found->second.text;
}

OnnxModel OnnxModel::load(const std::filesystem::path& file) {
  if (!std::filesystem::exists(file)) throw not_found(file.string() + ": no such ONNX file");
  const std::string bytes = read_whole_file(file);
  OnnxModel model;
  model.file_ = file;
  try {
    std::string_view graph;
    WireReader reader(bytes);
    while (reader.next()) {
      if (reader.field() == model_field::kGraph) {
        graph = reader.bytes();
      } else if (reader.field() == model_field::kOpsetImport) {
        if (std::optional<int64_t> version = default_domain_opset(reader.bytes())) model.opset_ = *version;
      } else {
        reader.skip();
      }
    }
    if (graph.empty()) throw corrupt("no graph");
    std::vector<std::string_view> inputs, nodes;
    WireReader graph_reader(graph);
    while (graph_reader.next()) {
      switch (graph_reader.field()) {
        case graph_field::kNode: nodes.push_back(graph_reader.bytes()); break;
        case graph_field::kInitializer: {
          const std::string_view tensor = graph_reader.bytes();
          WireReader name_reader(tensor);
          std::string name;
          while (name_reader.next()) {
            if (name_reader.field() == tensor_field::kName) {
              name = std::string(name_reader.bytes());
            } else {
              name_reader.skip();
            }
          }
          model.initializers_[name] = read_tensor(tensor);
          break;
        }
        case graph_field::kInput: inputs.push_back(graph_reader.bytes()); break;
        case graph_field::kOutput: model.output_names_.push_back(read_value_info(graph_reader.bytes()).name); break;
        default: graph_reader.skip();
      }
    }
    for (std::string_view bytes_of_input : inputs) {
      ValueInfo input = read_value_info(bytes_of_input);
      if (model.initializers_.count(input.name)) continue;   // old exporters list weights as inputs
      if (!model.input_name_.empty()) {
        throw unsupported("the model has more than one input ('" + model.input_name_ + "', '" + input.name +
                          "'); edgeloop engines take one image input");
      }
      model.input_name_ = input.name;
      model.input_shape_ = input.shape;
    }
    for (size_t index = 0; index < nodes.size(); ++index) {
      OnnxNode node = read_node(nodes[index]);
      if (node.op_type == "Constant" && node.outputs.size() == 1) {
        auto value = node.attributes.find("value");
        if (value != node.attributes.end() && value->second.tensor) model.initializers_[node.outputs[0]] = *value->second.tensor;
        continue;
      }
      if (node.name.empty()) node.name = node.op_type + "#" + std::to_string(index);
      check_node_arity(node, model.opset_);
      model.nodes_.push_back(std::move(node));
    }
  } catch (const Error& error) {
    if (error.code() == ErrorCode::kCorrupt) {
      throw corrupt(file.string() + ": not a readable ONNX model (" + error.what() + "); re-export it");
    }
    throw Error(error.code(), file.string() + ": " + error.what());
  }
  if (model.input_name_.empty()) throw corrupt(file.string() + ": the graph has no input; re-export it");
  for (size_t index = 0; index < model.nodes_.size(); ++index) {
    for (const std::string& input : model.nodes_[index].inputs) model.consumers_[input].push_back(index);
  }
  return model;
}

const OnnxConstant* OnnxModel::initializer(const std::string& name) const {
  auto found = initializers_.find(name);
  return found == initializers_.end() ? nullptr : &found->second;
}

bool OnnxModel::is_output(const std::string& name) const {
  for (const std::string& output : output_names_) {
    if (output == name) return true;
  }
  return false;
}

std::vector<const OnnxNode*> OnnxModel::consumers(const std::string& name) const {
  std::vector<const OnnxNode*> nodes;
  auto found = consumers_.find(name);
  if (found == consumers_.end()) return nodes;
  for (size_t index : found->second) nodes.push_back(&nodes_[index]);
  return nodes;
}

bool OnnxModel::has_op(const std::string& op_type) const {
  for (const OnnxNode& node : nodes_) {
    if (node.op_type == op_type) return true;
  }
  return false;
}

}  // namespace edgeloop
