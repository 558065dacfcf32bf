#include <gtest/gtest.h>

#include "edgeloop/core/error.h"
#include "edgeloop/models/arch_spec.h"

namespace edgeloop {

TEST(ArchSpec, parse_reads_family_and_multipliers_and_round_trips) {
  const ArchSpec spec = ArchSpec::parse("cnn-m:w=0.5,d=2");
  EXPECT_EQ(spec.family, "cnn-m");
  EXPECT_DOUBLE_EQ(spec.width, 0.5);
  EXPECT_DOUBLE_EQ(spec.depth, 2.0);
  EXPECT_EQ(spec.to_string(), "cnn-m:w=0.5,d=2");
  EXPECT_EQ(ArchSpec::parse("resnet").to_string(), "resnet");
  const ArchSpec copy = ArchSpec::from_json(spec.to_json());
  EXPECT_EQ(copy.to_string(), spec.to_string());
}

TEST(ArchSpec, parse_rejects_unknown_family_and_bad_multiplier_with_the_fix) {
  try {
    ArchSpec::parse("transformer");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("cnn-s"), std::string::npos);
  }
  EXPECT_THROW(ArchSpec::parse("cnn-s:w=0"), Error);
  EXPECT_THROW(ArchSpec::parse("cnn-s:w=abc"), Error);
  EXPECT_THROW(ArchSpec::parse("cnn-s:x=2"), Error);
}

TEST(ArchSpec, every_ladder_family_ends_in_a_classifier_with_the_class_count) {
  for (const std::string& family : architecture_ladder()) {
    ArchSpec spec = ArchSpec::parse(family);
    spec.classes = 7;
    const auto layers = spec.expand();
    ASSERT_FALSE(layers.empty()) << family;
    EXPECT_EQ(layers.back().kind, LayerKind::kLinear) << family;
    EXPECT_EQ(layers.back().name, "classifier") << family;
    EXPECT_EQ(layers.back().out_c, 7) << family;
    const int embedding = embedding_layer_index(layers);
    EXPECT_EQ(layers.back().in_channels, embedding < 0 ? 784 : layers[embedding].out_c) << family;
    for (size_t index = 0; index < layers.size(); ++index) {
      for (int input : layers[index].inputs) EXPECT_LT(input, static_cast<int>(index)) << family;
    }
    EXPECT_GT(spec.mflops(), 0.0) << family;
    EXPECT_GE(spec.block_count(), 2) << family;
  }
}

TEST(ArchSpec, ladder_sizes_meet_their_budgets) {
  EXPECT_LE(ArchSpec::parse("cnn-s").parameter_count(), 25000);
  const int64_t large = ArchSpec::parse("cnn-l").parameter_count();
  EXPECT_GT(large, 800000);
  EXPECT_LT(large, 1300000);
  EXPECT_LT(ArchSpec::parse("cnn-m:w=0.5").parameter_count(), ArchSpec::parse("cnn-m").parameter_count());
  EXPECT_LT(ArchSpec::parse("resnet").mflops(), ArchSpec::parse("resnet:d=2").mflops());
}

TEST(ArchSpec, reference_cnn_has_the_textbook_parameter_count) {
  // conv 1→32 (320) + conv 32→64 (18,496) + fc 3136→128 (401,536) + fc 128→10 (1,290).
  EXPECT_EQ(ArchSpec::parse("cnn-ref").parameter_count(), 421642);
}

TEST(ArchSpec, too_small_an_input_is_a_clear_error) {
  ArchSpec spec = ArchSpec::parse("cnn-l");
  spec.input = InputShape{1, 2, 2};
  EXPECT_THROW(spec.expand(), Error);
}

TEST(ArchSpec, linear_model_counts_weights_and_biases) {
  ArchSpec spec = ArchSpec::parse("linear");
  spec.input = InputShape{3, 8, 8};
  spec.classes = 4;
  EXPECT_EQ(spec.parameter_count(), 3 * 8 * 8 * 4 + 4);
  EXPECT_DOUBLE_EQ(spec.mflops(), 2.0 * 3 * 8 * 8 * 4 / 1e6);
}

}  // namespace edgeloop
