#include <gtest/gtest.h>

#include "edgeloop/core/error.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/models/weights_file.h"
#include "support/temp_dir.h"

namespace edgeloop {

namespace {
ArchSpec spec_of(const std::string& text, InputShape input = {}, int classes = 10) {
  ArchSpec spec = ArchSpec::parse(text);
  spec.input = input;
  spec.classes = classes;
  return spec;
}
}  // namespace

TEST(LayerGraphModule, every_architecture_has_the_expected_output_shape_and_parameter_count) {
  std::vector<std::string> families = architecture_ladder();
  families.push_back("cnn-ref");
  families.push_back("mobilenet:w=0.5,d=2");
  families.push_back("resnet:d=2");
  for (const std::string& family : families) {
    for (const InputShape& input : {InputShape{1, 28, 28}, InputShape{3, 32, 32}}) {
      const ArchSpec spec = spec_of(family, input, 5);
      LayerGraphModule module(spec);
      module->eval();
      const auto outputs = module->forward_with_embedding(torch::rand({2, input.channels, input.height, input.width}));
      EXPECT_EQ(outputs.logits.sizes(), (std::vector<int64_t>{2, 5})) << family;
      const auto layers = spec.expand();
      EXPECT_EQ(outputs.embedding.size(1), layers.back().in_channels) << family;
      int64_t parameters = 0;
      for (const auto& parameter : module->parameters()) parameters += parameter.numel();
      EXPECT_EQ(parameters, spec.parameter_count()) << family;
    }
  }
}

TEST(LayerGraphModule, parameter_names_are_the_layer_spec_names) {
  LayerGraphModule module(spec_of("resnet"));
  const auto names = module->named_parameters().keys();
  EXPECT_NE(std::find(names.begin(), names.end(), "block0.conv.weight"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "block2.shortcut_conv.weight"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "classifier.bias"), names.end());
}

TEST(LayerGraphModule, weights_round_trip_through_the_weights_file) {
  testing::TempDir dir;
  const ArchSpec spec = spec_of("cnn-s");
  LayerGraphModule trained(spec);
  trained->train();
  trained->forward(torch::rand({4, 1, 28, 28}));   // moves the batch-norm running statistics
  trained->eval();
  save_module_weights(*trained, dir / "weights.safetensors");
  LayerGraphModule loaded = load_module(spec, dir / "weights.safetensors");
  const torch::Tensor input = torch::rand({3, 1, 28, 28});
  EXPECT_TRUE(torch::allclose(trained->forward(input), loaded->forward(input)));
  const WeightMap weights = read_weights_file(dir / "weights.safetensors");
  EXPECT_EQ(weights.at("block0.1.conv.weight").shape, (std::vector<int64_t>{16, 1, 3, 3}));
  EXPECT_TRUE(weights.count("block0.1.bn.running_var"));
}

TEST(LayerGraphModule, weights_of_another_architecture_are_refused_by_name) {
  testing::TempDir dir;
  LayerGraphModule small(spec_of("cnn-s"));
  save_module_weights(*small, dir / "weights.safetensors");
  EXPECT_THROW(load_module(spec_of("cnn-m"), dir / "weights.safetensors"), Error);
}

TEST(LayerGraphModule, a_truncated_weights_file_is_reported_as_corrupt) {
  testing::TempDir dir;
  LayerGraphModule small(spec_of("linear"));
  save_module_weights(*small, dir / "weights.safetensors");
  const auto size = std::filesystem::file_size(dir / "weights.safetensors");
  std::filesystem::resize_file(dir / "weights.safetensors", size - 10);
  try {
    read_weights_file(dir / "weights.safetensors");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kCorrupt);
  }
}

TEST(LayerGraphModule, first_blocks_exclude_the_classifier) {
  LayerGraphModule module(spec_of("cnn-m"));
  const auto names = module->parameter_names_of_first_blocks(2);
  ASSERT_FALSE(names.empty());
  for (const auto& name : names) {
    EXPECT_TRUE(name.starts_with("block0.") || name.starts_with("block1.")) << name;
  }
}

}  // namespace edgeloop
