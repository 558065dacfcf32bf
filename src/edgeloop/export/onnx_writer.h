// ONNX writer: an ArchSpec's layer graph plus trained weights → an ONNX model (opset 13) that
// OpenCV DNN 4.6, ONNX Runtime and the xnnpack engine load. Called by export (bundle writing) and
// tests; the int8 quantizer rewrites the ModelProto this builds. Stateless; thread-safe.
//
// The graph, for an input "input" [batch, C, H, W] float (batch is symbolic):
//   Conv (+ its BatchNorm folded in: w' = w·γ/√(σ²+ε), b' = (b−μ)·γ/√(σ²+ε) + β), explicit
//   kernel_shape on every Conv; depthwise is Conv with group = channels.
//   Relu → Relu.  Relu6 → HardSigmoid(α=1/6, β=0) then Mul by 6 (OpenCV 4.6 cannot import Clip with
//   min/max inputs).  HardSwish → HardSigmoid(α=1/6, β=0.5) then Mul with its input (HardSwish is
//   opset 14).  MaxPool, AveragePool (a padded one as Pad + unpadded AveragePool: LibTorch counts
//   the padding, OpenCV 4.6 ignores count_include_pad), GlobalAveragePool,
//   Flatten(axis=1), Gemm(transB=1) for Linear, Add for residuals; Dropout is dropped.
//   Outputs: "probabilities" = Softmax(axis=1) of the classifier's logits, [batch, classes];
//            "embedding" = the classifier's input, [batch, features].
// Tensor names are the layer names (the folded BatchNorm's name for a conv + batch norm pair).
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "edgeloop/models/arch_spec.h"
#include "edgeloop/models/weights.h"
#include "edgeloop/preprocess/pipeline.h"

namespace edgeloop {

constexpr int kOnnxOpsetVersion = 13;
constexpr float kBatchNormEpsilon = 1e-5f;   // LibTorch's BatchNorm2d default
constexpr const char* kOnnxInputName = "input";
constexpr const char* kOnnxProbabilitiesName = "probabilities";
constexpr const char* kOnnxEmbeddingName = "embedding";
constexpr const char* kOnnxBatchSymbol = "batch";

struct OnnxWriterOptions {
  std::string graph_name = "edgeloop";   // GraphProto name
  std::string model_id;                  // written to the model's metadata ("edgeloop.model_id"); may be empty
  std::string arch;                      // ArchSpec text for the metadata; may be empty
  bool fold_batch_norm = true;           // false writes BatchNormalization nodes (tests compare both)
};

// Builds the model. Throws Error(kInvalidArgument) naming the parameter when a weight is missing
// or has the wrong shape ("block1.conv.weight: expected [16, 1, 3, 3], got [8, 1, 3, 3]").
onnx::ModelProto build_onnx_model(const std::vector<LayerSpec>& layers, const InputShape& input,
                                  const WeightMap& weights, const OnnxWriterOptions& options = {});
onnx::ModelProto build_onnx_model(const ArchSpec& arch, const WeightMap& weights,
                                  const OnnxWriterOptions& options = {});

// Serialises `model` to `path` atomically (core/atomic_file.h).
void save_onnx_model(const onnx::ModelProto& model, const std::filesystem::path& path);
// Parses an ONNX file; throws Error(kCorrupt) naming the file when it is not a ModelProto.
onnx::ModelProto load_onnx_model(const std::filesystem::path& path);

// onnx::checker::check_model plus strict shape inference with type checks (python's
// check_model(full_check=True)). Throws Error(kInternal) with the checker's message and `what`
// (a file name or model description): a model this writer built that fails is a bug.
void check_onnx_model(const onnx::ModelProto& model, const std::string& what);

}  // namespace edgeloop
