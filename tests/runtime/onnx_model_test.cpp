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

}  // namespace
}  // namespace edgeloop
