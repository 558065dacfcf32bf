// Post-training static int8 quantization of an fp32 ONNX model written by onnx_writer.h, as ONNX
// QDQ (QuantizeLinear/DequantizeLinear, opset 13), which ONNX Runtime and the xnnpack engine load.
// Called by export (model.int8.onnx) and tests. Stateless; thread-safe.
//
// The QDQ layout (what an engine may rely on):
//   - Weights: Conv and Gemm weights stored as int8, symmetric (zero point 0), one scale per output
//     channel (axis 0), each followed by a DequantizeLinear with axis=0.
//   - Biases: int32, zero point 0, scale = input scale × weight scale of the channel (axis 0),
//     followed by a DequantizeLinear.
//   - Activations: one int8 scale and zero point per tensor (asymmetric, range from calibration,
//     always including 0). A QuantizeLinear → DequantizeLinear pair follows the graph input and
//     every tensor read by Conv, Gemm, Add, MaxPool, AveragePool, Pad, GlobalAveragePool or
//     Flatten; every reader then reads the dequantized tensor. Tensors between a Conv/Gemm and its
//     activation (Relu, HardSigmoid/Mul) stay float, so an engine fuses them.
//   - The logits stay float: the classifier Gemm reads the int8 embedding and int8 weights and
//     writes float, which Softmax reads. One int8 step for all logits (their range / 255, about
//     0.1-0.2 for a trained classifier) turned near-ties into exact ties, and the tie went to
//     the lower class: on a Fashion-MNIST cnn-m every top-1 flip against fp32 was such a tie.
//     The classifier is a few thousand multiply-adds, so fp32 there costs nothing measurable.
//   - The graph outputs `probabilities` and `embedding` stay float.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <onnx/onnx_pb.h>

#include "edgeloop/core/progress.h"
#include "edgeloop/models/weights.h"

namespace edgeloop {

// Observed value range per activation tensor name.
struct ActivationRange {
  float min = 0.0f;
  float max = 0.0f;
};
using CalibrationRanges = std::map<std::string, ActivationRange>;

// Runs the fp32 model (export/onnx_reference_runner.h) on each batch ([N, C, H, W], preprocessed
// training images) and records every tensor's min and max. Throws Error(kInvalidArgument) when
// `batches` is empty ("calibration needs images: ...").
CalibrationRanges calibrate_activation_ranges(const onnx::ModelProto& fp32, const std::vector<NamedTensor>& batches,
                                              const ProgressCallback& progress = {});

// The QDQ model. Throws Error(kInternal) naming the tensor when `ranges` lacks one it needs.
onnx::ModelProto quantize_to_qdq(const onnx::ModelProto& fp32, const CalibrationRanges& ranges);

// Bytes of all initializers (weights, biases, scales): the "weights" size compared in reports.
int64_t initializer_bytes(const onnx::ModelProto& model);

}  // namespace edgeloop
