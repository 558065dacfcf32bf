// The device's ONNX reader (runtime/onnx_model.h) on damaged files: a tensor's dims are checked
// against the bytes it holds before anything is allocated. Found by fuzz/onnx_fuzz.
#include <gtest/gtest.h>

#include <onnx/onnx_pb.h>

#include <string>

#include "edgeloop/core/error.h"
#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/runtime/onnx_model.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

// A model whose graph has one float initializer "weight" with these dims and raw bytes.
std::filesystem::path write_model_with_weight(const testing::TempDir& folder, const std::vector<int64_t>& dims,
                                              const std::string& raw_bytes) {
  onnx::ModelProto model;
  onnx::TensorProto* weight = model.mutable_graph()->add_initializer();
  weight->set_name("weight");
  weight->set_data_type(onnx::TensorProto::FLOAT);
  for (const int64_t dimension : dims) weight->add_dims(dimension);
  weight->set_raw_data(raw_bytes);
  const auto path = folder / "model.onnx";
  save_onnx_model(model, path);
  return path;
}

// The error code load() throws for `path`, or nullopt when it loads.
std::optional<ErrorCode> load_error(const std::filesystem::path& path) {
  try {
    OnnxModel::load(path);
  } catch (const Error& error) {
    return error.code();
  }
  return std::nullopt;
}

// Before: the reader allocated dims' product first (2^62 floats: std::length_error; 2^40:
// std::bad_alloc; both "internal error") and compared the raw bytes after; two negative dims
// multiplied to a positive count and were accepted.
TEST(OnnxModelLoad, a_tensor_declaring_more_elements_than_its_bytes_is_refused_as_corrupt) {
  testing::TempDir folder;
  const std::string eight_bytes(8, '\0');
  EXPECT_EQ(load_error(write_model_with_weight(folder, {int64_t{1} << 62}, eight_bytes)), ErrorCode::kCorrupt);
  EXPECT_EQ(load_error(write_model_with_weight(folder, {int64_t{1} << 20, int64_t{1} << 20}, eight_bytes)),
            ErrorCode::kCorrupt);
  EXPECT_EQ(load_error(write_model_with_weight(folder, {int64_t{1} << 31, int64_t{1} << 31}, eight_bytes)),
            ErrorCode::kCorrupt);
  EXPECT_EQ(load_error(write_model_with_weight(folder, {-2, -1}, eight_bytes)), ErrorCode::kCorrupt);
}

// An empty tensor (a zero dim, no raw bytes) is read as empty: memcpy was called with a null
// destination (undefined behaviour, reported by UBSan in the fuzz build).
TEST(OnnxModelLoad, an_empty_tensor_reads_as_empty_and_its_dims_stay_as_written) {
  testing::TempDir folder;
  const auto path = write_model_with_weight(folder, {0, 4}, "");
  const std::optional<ErrorCode> code = load_error(path);
  EXPECT_NE(code, ErrorCode::kInternal);
  EXPECT_EQ(load_error(write_model_with_weight(folder, {2}, std::string(8, '\0'))), load_error(path))
      << "a valid two-float weight and an empty one fail (or not) alike: the graph decides, not the tensor";
}

// A model with image input "x" [1, 4] and one node of `op_type` reading `inputs`, writing `outputs`.
std::filesystem::path write_model_with_node(const testing::TempDir& folder, const std::string& op_type,
                                            const std::vector<std::string>& inputs,
                                            const std::vector<std::string>& outputs, int64_t opset = 13) {
  onnx::ModelProto model;
  model.set_ir_version(7);
  model.add_opset_import()->set_version(opset);
  onnx::GraphProto* graph = model.mutable_graph();
  onnx::ValueInfoProto* input = graph->add_input();
  input->set_name("x");
  input->mutable_type()->mutable_tensor_type()->set_elem_type(onnx::TensorProto::FLOAT);
  for (const int64_t dimension : {1, 4}) {
    input->mutable_type()->mutable_tensor_type()->mutable_shape()->add_dim()->set_dim_value(dimension);
  }
  onnx::NodeProto* node = graph->add_node();
  node->set_op_type(op_type);
  node->set_name("layer");
  for (const std::string& name : inputs) node->add_input(name);
  for (const std::string& name : outputs) node->add_output(name);
  const auto path = folder / "model.onnx";
  save_onnx_model(model, path);
  return path;
}

std::string load_message(const std::filesystem::path& path) {
  try {
    OnnxModel::load(path);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

// Before: a Gemm with only its data input passed the loader, and every engine read its weight
// from inputs[1], past the end (UBSan in fuzz/onnx_fuzz, found in CI).
TEST(OnnxModelLoad, a_node_without_the_inputs_its_operator_needs_is_refused_as_corrupt) {
  testing::TempDir folder;
  const auto gemm = write_model_with_node(folder, "Gemm", {"x"}, {"y"});
  EXPECT_EQ(load_error(gemm), ErrorCode::kCorrupt);
  EXPECT_NE(load_message(gemm).find("'layer' (Gemm) has 1 inputs where Gemm needs 2"), std::string::npos)
      << load_message(gemm);
  EXPECT_EQ(load_error(write_model_with_node(folder, "Conv", {"x", ""}, {"y"})), ErrorCode::kCorrupt)
      << "an omitted (empty) weight is missing too";
  EXPECT_EQ(load_error(write_model_with_node(folder, "Relu", {"x"}, {})), ErrorCode::kCorrupt) << "no output";
  EXPECT_EQ(load_error(write_model_with_node(folder, "Relu", {"x"}, {"y"})), std::nullopt);
  EXPECT_EQ(load_error(write_model_with_node(folder, "Pad", {"x"}, {"y"}, /*opset=*/10)), ErrorCode::kUnsupported)
      << "an opset-10 Pad keeps its pads as an attribute: valid ONNX that no engine reads";
}

}  // namespace
}  // namespace edgeloop
