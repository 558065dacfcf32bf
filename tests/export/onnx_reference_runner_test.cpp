// The one ONNX reference interpreter on the ops it takes beyond what export/ writes (PyTorch's
// exporter and hand-written files: Constant, Clip with input bounds, HardSwish, broadcast Add,
// dilated Conv, Reshape, MatMul, Identity), against numpy on the same seeded input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>

#include "edgeloop/core/error.h"
#include "edgeloop/export/onnx_reference_runner.h"
#include "edgeloop/export/onnx_writer.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr float kTolerance = 1e-5f;   // float loops vs numpy's float64 convolution

std::vector<float> read_floats(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::vector<float> values(std::filesystem::file_size(file) / sizeof(float));
  stream.read(reinterpret_cast<char*>(values.data()), std::streamsize(values.size() * sizeof(float)));
  return values;
}

TEST(OnnxReferenceRunner, agrees_with_numpy_on_the_ops_pytorch_files_use) {
  testing::TempDir folder;
  auto made = testing::run_shell("/usr/bin/python3 '" + std::string(EDGELOOP_SOURCE_DIR) +
                                 "/tests/export/reference_ops_model.py' '" + folder.path().string() + "' 2>&1");
  ASSERT_EQ(made.exit_status, 0) << made.output;
  const OnnxReferenceRunner runner(load_onnx_model(folder / "model.onnx"));
  const NamedTensor input{{2, 2, 5, 5}, read_floats(folder / "input.bin")};
  const std::vector<float> expected = read_floats(folder / "expected.bin");
  const std::vector<float> got = runner.run(input).at("probabilities").values;
  ASSERT_EQ(got.size(), expected.size());
  for (size_t index = 0; index < got.size(); ++index) EXPECT_NEAR(got[index], expected[index], kTolerance) << index;
}

TEST(OnnxReferenceRunner, refuses_an_op_it_lacks_naming_it) {
  onnx::ModelProto model;
  onnx::NodeProto* node = model.mutable_graph()->add_node();
  node->set_op_type("Sigmoid");
  node->set_name("gate");
  try {
    OnnxReferenceRunner runner(model);
    FAIL() << "accepted a Sigmoid";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnsupported);
    EXPECT_NE(std::string(error.what()).find("Sigmoid (node gate)"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace edgeloop
