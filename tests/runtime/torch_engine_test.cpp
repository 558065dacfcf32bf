// The torch engine (LibTorch, the training code's own module) and the xnnpack engine on the same
// weights: export/'s ONNX of a ladder architecture vs the LayerGraphModule, within 1e-4.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/models/weights_file.h"
#include "edgeloop/runtime/torch_engine.h"
#include "edgeloop/runtime/xnnpack_engine.h"
#include "export/test_networks.h"
#include "runtime/test_models.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr float kTolerance = 1e-4f;
constexpr int kBatch = 3;

class TorchVsXnnpack : public ::testing::TestWithParam<std::string> {};

TEST_P(TorchVsXnnpack, the_same_weights_give_the_same_probabilities) {
  ArchSpec arch = ArchSpec::parse(GetParam());
  arch.input = InputShape{testing::kTestImageChannels, testing::kTestImageSize, testing::kTestImageSize};
  arch.classes = testing::kTestClasses;
  std::vector<LayerSpec> layers = arch.expand();
  WeightMap weights = testing::random_weights(layers, 21);
  testing::TempDir folder;
  write_weights_file(folder / "weights.safetensors", weights);
  save_onnx_model(build_onnx_model(layers, arch.input, weights), folder / "model.onnx");

  TorchEngine torch(arch, folder / "weights.safetensors", EngineOptions{.threads = 1, .max_batch = kBatch});
  XnnpackEngine xnnpack(folder / "model.onnx", EngineOptions{.threads = 1, .max_batch = kBatch});
  auto input = testing::random_images(kBatch, 8);
  InferenceResult want = torch.infer(input.data(), kBatch);
  InferenceResult got = xnnpack.infer(input.data(), kBatch);
  EXPECT_EQ(torch.name(), "torch");
  ASSERT_EQ(got.probabilities.size(), want.probabilities.size());
  float worst = 0.0f;
  for (size_t index = 0; index < got.probabilities.size(); ++index) {
    worst = std::max(worst, std::fabs(got.probabilities[index] - want.probabilities[index]));
  }
  EXPECT_LE(worst, kTolerance);
  EXPECT_EQ(got.embedding_size, want.embedding_size);
}

INSTANTIATE_TEST_SUITE_P(Ladder, TorchVsXnnpack, ::testing::Values("cnn-s", "mobilenet", "resnet"),
                         [](const auto& info) {
                           std::string name = info.param;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace edgeloop
