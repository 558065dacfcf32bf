#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/export/int8_quantizer.h"
#include "edgeloop/export/onnx_reference_runner.h"
#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/export/parity_check.h"
#include "edgeloop/runtime/engine_ranking.h"
#include "edgeloop/models/layer_graph_builder.h"
#include "export/test_networks.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

const InputShape kGray{1, 12, 12};
constexpr int kCalibrationBatches = 4;
constexpr int kCalibrationBatchSize = 8;
constexpr double kMinimumWeightShrink = 3.5;
constexpr float kQuantizedEmbeddingTolerance = 0.05f;   // relative to the embedding's largest magnitude
constexpr float kRuntimeTolerance = 1e-3f;              // ONNX Runtime vs the reference runner, probabilities
constexpr float kSaturatingRuntimeTolerance = 0.02f;    // the same on a CPU without VNNI (see the test)

std::vector<NamedTensor> calibration_batches(const InputShape& input) {
  std::vector<NamedTensor> batches;
  for (int batch = 0; batch < kCalibrationBatches; ++batch) batches.push_back(testing::random_images(input, kCalibrationBatchSize, 100 + batch));
  return batches;
}

onnx::ModelProto quantized_model(const std::vector<LayerSpec>& layers, const InputShape& input, const WeightMap& weights) {
  onnx::ModelProto fp32 = build_onnx_model(layers, input, weights);
  return quantize_to_qdq(fp32, calibrate_activation_ranges(fp32, calibration_batches(input)));
}

TEST(Int8Quantizer, qdq_model_passes_the_checker_with_int8_per_channel_weights) {
  for (const auto& layers : {testing::small_cnn_layers(kGray), testing::small_mobile_layers(InputShape{3, 16, 16})}) {
    const InputShape input = layers.front().in_channels == 1 ? kGray : InputShape{3, 16, 16};
    onnx::ModelProto model = quantized_model(layers, input, testing::random_weights(layers, 1));
    EXPECT_NO_THROW(check_onnx_model(model, "qdq model"));
    int int8_weights = 0, per_channel_dequantize = 0;
    for (const onnx::TensorProto& tensor : model.graph().initializer()) {
      int8_weights += tensor.data_type() == onnx::TensorProto::INT8 && tensor.dims_size() >= 2;
    }
    for (const onnx::NodeProto& node : model.graph().node()) {
      for (const auto& attribute : node.attribute()) per_channel_dequantize += node.op_type() == "DequantizeLinear" && attribute.name() == "axis";
      if (node.op_type() == "Conv" || node.op_type() == "Gemm") {
        EXPECT_NE(node.input(0).find(".dequantized"), std::string::npos) << node.name() << " reads a float activation";
        EXPECT_NE(node.input(1).find(".dequantized"), std::string::npos) << node.name() << " reads a float weight";
      }
    }
    EXPECT_GT(int8_weights, 0);
    EXPECT_GT(per_channel_dequantize, 0);
  }
}

TEST(Int8Quantizer, quantized_model_stays_close_to_fp32) {
  const std::vector<LayerSpec> layers = testing::small_cnn_layers(kGray);
  const WeightMap weights = testing::random_weights(layers, 2);
  onnx::ModelProto fp32 = build_onnx_model(layers, kGray, weights);
  onnx::ModelProto int8 = quantize_to_qdq(fp32, calibrate_activation_ranges(fp32, calibration_batches(kGray)));
  const NamedTensor images = testing::random_images(kGray, 16, 3);
  auto fp32_outputs = OnnxReferenceRunner(fp32).run(images);
  auto int8_outputs = OnnxReferenceRunner(int8).run(images);
  const std::vector<float>& expected = fp32_outputs[kOnnxEmbeddingName].values;
  const std::vector<float>& actual = int8_outputs[kOnnxEmbeddingName].values;
  float largest = 1e-6f, difference = 0.0f;
  for (size_t index = 0; index < expected.size(); ++index) {
    largest = std::max(largest, std::abs(expected[index]));
    difference = std::max(difference, std::abs(expected[index] - actual[index]));
  }
  EXPECT_LE(difference / largest, kQuantizedEmbeddingTolerance);
  EXPECT_GT(difference, 0.0f) << "the int8 model computes exactly the fp32 result: nothing was quantized";
}

// Two classes whose logits differ by far less than one int8 step of the logits' range: a trained
// classifier's near-ties. Input [1, 1, 2] → flatten → classifier: logit0 = 10·x0,
// logit1 = 10·x0 + 0.02, logit2 = −10·x1 − 1, so fp32 always answers class 1 and the logits
// span about [−11, 10] (one int8 step ≈ 0.08).
TEST(Int8Quantizer, near_tied_logits_keep_the_fp32_top_class) {
  const InputShape input{1, 1, 2};
  LayerGraphBuilder graph(input);
  graph.flatten("flatten");
  graph.linear("classifier", /*out_features=*/3);
  const std::vector<LayerSpec> layers = graph.take();
  const WeightMap weights = {{"classifier.weight", {{3, 2}, {10.0f, 0.0f, 10.0f, 0.0f, 0.0f, -10.0f}}},
                             {"classifier.bias", {{3}, {0.0f, 0.02f, -1.0f}}}};
  onnx::ModelProto fp32 = build_onnx_model(layers, input, weights);
  onnx::ModelProto int8 = quantize_to_qdq(fp32, calibrate_activation_ranges(fp32, calibration_batches(input)));
  constexpr int kImages = 64;
  constexpr int kClasses = 3;
  const NamedTensor images = testing::random_images(input, kImages, 8);
  const std::vector<int> fp32_top = row_argmax(OnnxReferenceRunner(fp32).run(images)[kOnnxProbabilitiesName].values, kClasses);
  const std::vector<int> int8_top = row_argmax(OnnxReferenceRunner(int8).run(images)[kOnnxProbabilitiesName].values, kClasses);
  int agreeing = 0;
  for (int image = 0; image < kImages; ++image) agreeing += fp32_top[image] == int8_top[image];
  EXPECT_EQ(agreeing, kImages) << "int8 merged near-tied logits: the logits must stay float";
}

TEST(Int8Quantizer, weights_shrink_at_least_three_and_a_half_times_on_cnn_m) {
  ArchSpec arch = ArchSpec::parse("cnn-m");
  arch.input = InputShape{1, 28, 28};
  const std::vector<LayerSpec> layers = arch.expand();
  onnx::ModelProto fp32 = build_onnx_model(layers, arch.input, testing::random_weights(layers, 4));
  // One small calibration batch is enough to size the model.
  onnx::ModelProto int8 = quantize_to_qdq(fp32, calibrate_activation_ranges(fp32, {testing::random_images(arch.input, 1, 5)}));
  const double shrink = static_cast<double>(initializer_bytes(fp32)) / initializer_bytes(int8);
  EXPECT_GE(shrink, kMinimumWeightShrink) << initializer_bytes(fp32) << " fp32 bytes, " << initializer_bytes(int8) << " int8";
}

TEST(Int8Quantizer, onnx_runtime_loads_the_qdq_file_and_agrees_with_the_reference) {
  const std::filesystem::path runtime_package = std::filesystem::path(EDGELOOP_SOURCE_DIR) / "bench/peers/node_modules/onnxruntime-node";
  if (!std::filesystem::exists(runtime_package)) {
    GTEST_SKIP() << "bench/peers/node_modules is absent: run `bash scripts/install-deps.sh` (npm install onnxruntime-node)";
  }
  testing::TempDir dir;
  const std::vector<LayerSpec> layers = testing::small_cnn_layers(kGray);
  onnx::ModelProto int8 = quantized_model(layers, kGray, testing::random_weights(layers, 6));
  save_onnx_model(int8, dir / "model.int8.onnx");
  constexpr int kImagesThroughRuntime = 2;
  const NamedTensor images = testing::random_images(kGray, kImagesThroughRuntime, 7);
  std::string input_text;
  for (float value : images.values) input_text += std::to_string(value) + ",";
  input_text.pop_back();
  const std::string script =
      "const ort = require('" + runtime_package.string() + "');\n"
      "(async () => {\n"
      "  const session = await ort.InferenceSession.create('" + (dir / "model.int8.onnx").string() + "',"
      "    {intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all'});\n"
      "  const data = Float32Array.from([" + input_text + "]);\n"
      "  const out = await session.run({input: new ort.Tensor('float32', data, [" + std::to_string(kImagesThroughRuntime) + ", 1, 12, 12])});\n"
      "  console.log(Array.from(out.probabilities.data).join(' '));\n"
      "})().catch(e => { console.error(e.message); process.exit(1); });\n";
  write_file_atomically(dir / "run.js", script);
  const std::string command = "node " + (dir / "run.js").string() + " > " + (dir / "out.txt").string();
  ASSERT_EQ(std::system(command.c_str()), 0) << "ONNX Runtime refused the QDQ file";
  std::ifstream output(dir / "out.txt");
  std::vector<float> runtime_probabilities;
  for (float value; output >> value;) runtime_probabilities.push_back(value);
  const std::vector<float> reference = OnnxReferenceRunner(int8).run(images)[kOnnxProbabilitiesName].values;
  ASSERT_EQ(runtime_probabilities.size(), reference.size());
  // ORT and the reference share the QDQ semantics: measured 3e-8 apart (float rounding) on a CPU
  // with VNNI. Without VNNI, ORT's U8S8 kernels add pairs of products in 16 bits and saturate, as
  // its quantization guide says; measured 0.006 apart on an AVX2 EPYC, with the same top class.
  const bool vnni = cpu_class() == "x86_64-vnni";
  for (size_t index = 0; index < reference.size(); ++index) {
    EXPECT_NEAR(runtime_probabilities[index], reference[index], vnni ? kRuntimeTolerance : kSaturatingRuntimeTolerance);
  }
  const int classes = static_cast<int>(reference.size()) / kImagesThroughRuntime;
  EXPECT_EQ(row_argmax(runtime_probabilities, classes), row_argmax(reference, classes));
}

}  // namespace
}  // namespace edgeloop
