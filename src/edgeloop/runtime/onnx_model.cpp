#include "edgeloop/runtime/onnx_model.h"

#include <cstring>
#include <fstream>

#include <onnx/onnx_pb.h>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

template <typename Element>
std::vector<Element> raw_values(const onnx::TensorProto& proto, int64_t count) {
  std::vector<Element> values(static_cast<size_t>(count));
  if (proto.raw_data().size() != values.size() * sizeof(Element)) {
    throw corrupt("tensor '" + proto.name() + "' has " + std::to_string(proto.raw_data().size()) +
                  " bytes of raw data, expected " + std::to_string(values.size() * sizeof(Element)));
  }
  std::memcpy(values.data(), proto.raw_data().data(), proto.raw_data().size());
  return values;
}

OnnxConstant read_tensor(const onnx::TensorProto& proto) {
  if (proto.data_location() == onnx::TensorProto::EXTERNAL) {
    throw unsupported("tensor '" + proto.name() + "' keeps its data in an external file; save the model with "
                      "all tensors inside it");
  }
  OnnxConstant tensor;
  tensor.shape.assign(proto.dims().begin(), proto.dims().end());
  int64_t count = tensor.element_count();
  bool raw = proto.has_raw_data();
  switch (proto.data_type()) {
    case onnx::TensorProto::FLOAT:
      tensor.type = OnnxElementType::kFloat;
      tensor.floats = raw ? raw_values<float>(proto, count)
                          : std::vector<float>(proto.float_data().begin(), proto.float_data().end());
      break;
    case onnx::TensorProto::INT8:
      tensor.type = OnnxElementType::kInt8;
      tensor.int8s = raw ? raw_values<int8_t>(proto, count)
                         : std::vector<int8_t>(proto.int32_data().begin(), proto.int32_data().end());
      break;
    case onnx::TensorProto::UINT8:
      tensor.type = OnnxElementType::kUint8;
      tensor.uint8s = raw ? raw_values<uint8_t>(proto, count)
                          : std::vector<uint8_t>(proto.int32_data().begin(), proto.int32_data().end());
      break;
    case onnx::TensorProto::INT32:
      tensor.type = OnnxElementType::kInt32;
      tensor.int32s = raw ? raw_values<int32_t>(proto, count)
                          : std::vector<int32_t>(proto.int32_data().begin(), proto.int32_data().end());
      break;
    case onnx::TensorProto::INT64:
      tensor.type = OnnxElementType::kInt64;
      tensor.int64s = raw ? raw_values<int64_t>(proto, count)
                          : std::vector<int64_t>(proto.int64_data().begin(), proto.int64_data().end());
      break;
    default:
      throw unsupported("tensor '" + proto.name() + "' has ONNX element type " +
                        std::to_string(proto.data_type()) + "; only float, int8, uint8, int32, int64 are read");
  }
  if (tensor.element_count() != count) throw internal_error("tensor element count changed while reading");
  return tensor;
}

OnnxAttributeValue read_attribute(const onnx::AttributeProto& proto) {
  OnnxAttributeValue attribute;
  attribute.integer = proto.i();
  attribute.real = proto.f();
  attribute.text = proto.s();
  attribute.integers.assign(proto.ints().begin(), proto.ints().end());
  attribute.reals.assign(proto.floats().begin(), proto.floats().end());
  if (proto.has_t()) attribute.tensor = read_tensor(proto.t());
  return attribute;
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
  std::ifstream stream(file, std::ios::binary);
  onnx::ModelProto proto;
  if (!stream || !proto.ParseFromIstream(&stream)) {
    throw corrupt(file.string() + ": not a readable ONNX model (protobuf parse failed); re-export it");
  }
  OnnxModel model;
  model.file_ = file;
  for (const auto& opset : proto.opset_import()) {
    if (opset.domain().empty() || opset.domain() == "ai.onnx") model.opset_ = opset.version();
  }
  const onnx::GraphProto& graph = proto.graph();
  try {
    for (const auto& initializer : graph.initializer()) model.initializers_[initializer.name()] = read_tensor(initializer);
    for (const auto& input : graph.input()) {
      if (model.initializers_.count(input.name())) continue;   // old exporters list weights as inputs
      if (!model.input_name_.empty()) {
        throw unsupported("the model has more than one input ('" + model.input_name_ + "', '" + input.name() +
                          "'); edgeloop engines take one image input");
      }
      model.input_name_ = input.name();
      for (const auto& dimension : input.type().tensor_type().shape().dim()) {
        model.input_shape_.push_back(dimension.has_dim_value() ? dimension.dim_value() : -1);
      }
    }
    for (const auto& output : graph.output()) model.output_names_.push_back(output.name());
    for (int index = 0; index < graph.node_size(); ++index) {
      const onnx::NodeProto& proto_node = graph.node(index);
      if (proto_node.op_type() == "Constant" && proto_node.output_size() == 1) {
        for (const auto& attribute : proto_node.attribute()) {
          if (attribute.name() == "value") model.initializers_[proto_node.output(0)] = read_tensor(attribute.t());
        }
        continue;
      }
      OnnxNode node;
      node.op_type = proto_node.op_type();
      node.name = proto_node.name().empty() ? node.op_type + "#" + std::to_string(index) : proto_node.name();
      node.inputs.assign(proto_node.input().begin(), proto_node.input().end());
      node.outputs.assign(proto_node.output().begin(), proto_node.output().end());
      for (const auto& attribute : proto_node.attribute()) node.attributes[attribute.name()] = read_attribute(attribute);
      model.nodes_.push_back(std::move(node));
    }
  } catch (const Error& error) {
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
