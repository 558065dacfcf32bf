#include "edgeloop/export/onnx_graph_builder.h"

#include <cstring>

#include "edgeloop/core/error.h"

namespace edgeloop {

OnnxAttribute OnnxAttribute::integer(std::string name, int64_t value) {
  OnnxAttribute attribute;
  attribute.name = std::move(name);
  attribute.kind = Kind::kInt;
  attribute.int_value = value;
  return attribute;
}

OnnxAttribute OnnxAttribute::real(std::string name, float value) {
  OnnxAttribute attribute;
  attribute.name = std::move(name);
  attribute.kind = Kind::kFloat;
  attribute.float_value = value;
  return attribute;
}

OnnxAttribute OnnxAttribute::integers(std::string name, std::vector<int64_t> values) {
  OnnxAttribute attribute;
  attribute.name = std::move(name);
  attribute.kind = Kind::kInts;
  attribute.ints = std::move(values);
  return attribute;
}

void OnnxGraphBuilder::add_node(const std::string& op_type, const std::vector<std::string>& inputs,
                                const std::vector<std::string>& outputs,
                                const std::vector<OnnxAttribute>& attributes, const std::string& node_name) {
  onnx::NodeProto* node = graph_.add_node();
  node->set_op_type(op_type);
  node->set_name(node_name.empty() ? outputs.front() : node_name);
  for (const std::string& input : inputs) node->add_input(input);
  for (const std::string& output : outputs) node->add_output(output);
  for (const OnnxAttribute& attribute : attributes) {
    onnx::AttributeProto* proto = node->add_attribute();
    proto->set_name(attribute.name);
    switch (attribute.kind) {
      case OnnxAttribute::Kind::kInt:
        proto->set_type(onnx::AttributeProto::INT);
        proto->set_i(attribute.int_value);
        break;
      case OnnxAttribute::Kind::kFloat:
        proto->set_type(onnx::AttributeProto::FLOAT);
        proto->set_f(attribute.float_value);
        break;
      case OnnxAttribute::Kind::kInts:
        proto->set_type(onnx::AttributeProto::INTS);
        for (int64_t value : attribute.ints) proto->add_ints(value);
        break;
    }
  }
}

namespace {

int64_t element_count(const std::vector<int64_t>& shape) {
  int64_t count = 1;
  for (int64_t dimension : shape) count *= dimension;
  return count;
}

template <typename Value>
void fill_initializer(onnx::GraphProto& graph, const std::string& name, const std::vector<int64_t>& shape,
                      const std::vector<Value>& values, onnx::TensorProto::DataType type) {
  if (element_count(shape) != static_cast<int64_t>(values.size())) {
    throw internal_error("ONNX initializer " + name + ": " + std::to_string(values.size()) +
                         " values do not fill its shape");
  }
  onnx::TensorProto* tensor = graph.add_initializer();
  tensor->set_name(name);
  tensor->set_data_type(type);
  for (int64_t dimension : shape) tensor->add_dims(dimension);
  tensor->set_raw_data(std::string(reinterpret_cast<const char*>(values.data()), values.size() * sizeof(Value)));
}

void fill_value_info(onnx::ValueInfoProto* info, const std::string& name, const std::vector<OnnxDimension>& shape) {
  info->set_name(name);
  onnx::TypeProto_Tensor* tensor_type = info->mutable_type()->mutable_tensor_type();
  tensor_type->set_elem_type(onnx::TensorProto::FLOAT);
  onnx::TensorShapeProto* shape_proto = tensor_type->mutable_shape();
  for (const OnnxDimension& dimension : shape) {
    onnx::TensorShapeProto_Dimension* proto = shape_proto->add_dim();
    if (dimension.symbol.empty()) {
      proto->set_dim_value(dimension.size);
    } else {
      proto->set_dim_param(dimension.symbol);
    }
  }
}

}  // namespace

void OnnxGraphBuilder::add_float_initializer(const std::string& name, const std::vector<int64_t>& shape,
                                             const std::vector<float>& values) {
  fill_initializer(graph_, name, shape, values, onnx::TensorProto::FLOAT);
}

void OnnxGraphBuilder::add_int8_initializer(const std::string& name, const std::vector<int64_t>& shape,
                                            const std::vector<int8_t>& values) {
  fill_initializer(graph_, name, shape, values, onnx::TensorProto::INT8);
}

void OnnxGraphBuilder::add_int64_initializer(const std::string& name, const std::vector<int64_t>& shape,
                                             const std::vector<int64_t>& values) {
  fill_initializer(graph_, name, shape, values, onnx::TensorProto::INT64);
}

void OnnxGraphBuilder::add_int32_initializer(const std::string& name, const std::vector<int64_t>& shape,
                                             const std::vector<int32_t>& values) {
  fill_initializer(graph_, name, shape, values, onnx::TensorProto::INT32);
}

void OnnxGraphBuilder::add_float_input(const std::string& name, const std::vector<OnnxDimension>& shape) {
  fill_value_info(graph_.add_input(), name, shape);
}

void OnnxGraphBuilder::add_float_output(const std::string& name, const std::vector<OnnxDimension>& shape) {
  fill_value_info(graph_.add_output(), name, shape);
}

std::vector<int64_t> tensor_shape(const onnx::TensorProto& tensor) {
  return std::vector<int64_t>(tensor.dims().begin(), tensor.dims().end());
}

std::vector<float> float_values(const onnx::TensorProto& tensor) {
  if (tensor.data_type() != onnx::TensorProto::FLOAT) {
    throw internal_error("ONNX initializer " + tensor.name() + " is not float");
  }
  if (!tensor.raw_data().empty()) {
    std::vector<float> values(tensor.raw_data().size() / sizeof(float));
    std::memcpy(values.data(), tensor.raw_data().data(), values.size() * sizeof(float));
    return values;
  }
  return std::vector<float>(tensor.float_data().begin(), tensor.float_data().end());
}

}  // namespace edgeloop
