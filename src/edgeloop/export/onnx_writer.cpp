#include "edgeloop/export/onnx_writer.h"

#include <cmath>
#include <map>
#include <set>

#include <onnx/checker.h>
#include <onnx/shape_inference/implementation.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/export/onnx_graph_builder.h"

namespace edgeloop {
namespace {

constexpr int kNetworkInput = -1;
constexpr int64_t kOnnxIrVersion = 8;          // what onnx 1.12 writes; ORT 1.30 and OpenCV 4.6 read it
constexpr float kRelu6Limit = 6.0f;
constexpr float kHardSigmoidSlope = 1.0f / 6.0f;  // HardSigmoid(x) = clamp(x/6 + β, 0, 1)
constexpr float kHardSwishOffset = 0.5f;          // hardswish(x) = x · clamp(x/6 + 1/2, 0, 1)

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string text = "[";
  for (size_t index = 0; index < shape.size(); ++index) {
    text += (index ? ", " : "") + std::to_string(shape[index]);
  }
  return text + "]";
}

// Looks a parameter up and checks its shape against the layer spec.
const NamedTensor& parameter(const WeightMap& weights, const std::string& name,
                             const std::vector<int64_t>& expected_shape) {
  auto found = weights.find(name);
  if (found == weights.end()) {
    throw invalid_argument("weights lack " + name + " (expected " + shape_text(expected_shape) +
                           "): the weights do not belong to this architecture; re-train or pick the matching model");
  }
  if (found->second.shape != expected_shape) {
    throw invalid_argument(name + ": expected " + shape_text(expected_shape) + ", got " +
                           shape_text(found->second.shape) +
                           ": the weights do not belong to this architecture; re-train or pick the matching model");
  }
  return found->second;
}

// What the writer knows about a layer's output tensor.
struct TensorInfo {
  std::string name;
  int rank = 4;   // 4: [N, C, H, W]; 2: [N, features]
};

class GraphWriter {
 public:
  GraphWriter(const std::vector<LayerSpec>& layers, const InputShape& input, const WeightMap& weights,
              bool fold_batch_norm, onnx::GraphProto& graph)
      : layers_(layers), input_(input), weights_(weights), fold_batch_norm_(fold_batch_norm), builder_(graph),
        tensors_(layers.size()) {}

  void write() {
    if (layers_.empty()) throw invalid_argument("the architecture has no layers: check the ArchSpec");
    if (fold_batch_norm_) plan_batch_norm_folding();
    plan_output_names();
    builder_.add_float_input(kOnnxInputName, {{0, kOnnxBatchSymbol}, {input_.channels}, {input_.height}, {input_.width}});
    for (size_t index = 0; index < layers_.size(); ++index) write_layer(static_cast<int>(index));
    write_outputs();
  }

 private:
  // A BatchNorm whose input is a conv read by nothing else is folded into that conv.
  void plan_batch_norm_folding() {
    std::map<int, int> consumer_count;
    for (const LayerSpec& layer : layers_) {
      for (int input : layer.inputs) ++consumer_count[input];
    }
    for (size_t index = 0; index < layers_.size(); ++index) {
      const LayerSpec& layer = layers_[index];
      if (layer.kind != LayerKind::kBatchNorm2d || layer.inputs.size() != 1) continue;
      int source = layer.inputs.front();
      if (source >= 0 && layers_[source].kind == LayerKind::kConv2d && consumer_count[source] == 1) {
        folded_batch_norm_of_conv_[source] = static_cast<int>(index);
        folded_batch_norms_.insert(static_cast<int>(index));
      }
    }
  }

  // The layer that really produces a tensor, looking through dropouts (which write nothing).
  int producer(int index) const {
    while (index >= 0 && layers_[index].kind == LayerKind::kDropout) index = layers_[index].inputs.front();
    if (index >= 0 && folded_batch_norms_.count(index)) return layers_[index].inputs.front();
    return index;
  }

  void plan_output_names() {
    classifier_ = static_cast<int>(layers_.size()) - 1;
    if (layers_[classifier_].kind != LayerKind::kLinear) {
      throw invalid_argument("the last layer, " + layers_[classifier_].name +
                             ", is not a Linear classifier: fix the ArchSpec expansion");
    }
    embedding_producer_ = producer(layers_[classifier_].inputs.front());
  }

  std::string output_name(int index) const {
    if (index == embedding_producer_) return kOnnxEmbeddingName;
    auto folded = folded_batch_norm_of_conv_.find(index);
    if (folded != folded_batch_norm_of_conv_.end()) return layers_[folded->second].name;
    return layers_[index].name;
  }

  TensorInfo input_of(const LayerSpec& layer, size_t position = 0) const {
    if (position >= layer.inputs.size()) {
      throw invalid_argument("layer " + layer.name + " lacks input " + std::to_string(position) +
                             ": fix the ArchSpec expansion");
    }
    int source = layer.inputs[position];
    if (source == kNetworkInput) return TensorInfo{kOnnxInputName, 4};
    return tensors_.at(source);
  }

  void write_layer(int index) {
    const LayerSpec& layer = layers_[index];
    if (folded_batch_norms_.count(index)) {
      tensors_[index] = tensors_[layer.inputs.front()];
      return;
    }
    TensorInfo input = input_of(layer);
    TensorInfo output{output_name(index), input.rank};
    switch (layer.kind) {
      case LayerKind::kConv2d: write_conv(index, input, output.name); break;
      case LayerKind::kBatchNorm2d: write_batch_norm(layer, input, output.name); break;
      case LayerKind::kRelu: builder_.add_node("Relu", {input.name}, {output.name}); break;
      case LayerKind::kRelu6: {
        std::string unit = layer.name + ".hardsigmoid";
        builder_.add_node("HardSigmoid", {input.name}, {unit},
                          {OnnxAttribute::real("alpha", kHardSigmoidSlope), OnnxAttribute::real("beta", 0.0f)});
        std::string limit = layer.name + ".limit";
        builder_.add_float_initializer(limit, {}, {kRelu6Limit});
        builder_.add_node("Mul", {unit, limit}, {output.name});
        break;
      }
      case LayerKind::kHardSwish: {
        std::string gate = layer.name + ".hardsigmoid";
        builder_.add_node("HardSigmoid", {input.name}, {gate},
                          {OnnxAttribute::real("alpha", kHardSigmoidSlope),
                           OnnxAttribute::real("beta", kHardSwishOffset)});
        builder_.add_node("Mul", {input.name, gate}, {output.name});
        break;
      }
      case LayerKind::kMaxPool2d:
        builder_.add_node("MaxPool", {input.name}, {output.name}, pool_attributes(layer));
        break;
      case LayerKind::kAvgPool2d: write_average_pool(layer, input, output.name); break;
      case LayerKind::kGlobalAvgPool: builder_.add_node("GlobalAveragePool", {input.name}, {output.name}); break;
      case LayerKind::kFlatten:
        builder_.add_node("Flatten", {input.name}, {output.name}, {OnnxAttribute::integer("axis", 1)});
        output.rank = 2;
        break;
      case LayerKind::kLinear: write_linear(layer, input, output.name); output.rank = 2; break;
      case LayerKind::kAdd: {
        TensorInfo other = input_of(layer, 1);
        builder_.add_node("Add", {input.name, other.name}, {output.name});
        break;
      }
      case LayerKind::kDropout: output = input; break;
    }
    tensors_[index] = output;
  }

  std::vector<OnnxAttribute> pool_attributes(const LayerSpec& layer) const {
    return {OnnxAttribute::integers("kernel_shape", {layer.kernel, layer.kernel}),
            OnnxAttribute::integers("strides", {layer.stride, layer.stride}),
            OnnxAttribute::integers("pads", {layer.padding, layer.padding, layer.padding, layer.padding})};
  }

  // LibTorch averages over the zero padding too (count_include_pad); OpenCV 4.6 ignores that
  // attribute, so the padding is an explicit zero Pad before an unpadded AveragePool.
  void write_average_pool(const LayerSpec& layer, const TensorInfo& input, const std::string& output_name) {
    std::string pooled_input = input.name;
    if (layer.padding > 0) {
      pooled_input = layer.name + ".padded";
      const int64_t pad = layer.padding;
      builder_.add_int64_initializer(layer.name + ".pads", {8}, {0, 0, pad, pad, 0, 0, pad, pad});
      builder_.add_node("Pad", {input.name, layer.name + ".pads"}, {pooled_input});
    }
    builder_.add_node("AveragePool", {pooled_input}, {output_name},
                      {OnnxAttribute::integers("kernel_shape", {layer.kernel, layer.kernel}),
                       OnnxAttribute::integers("strides", {layer.stride, layer.stride})});
  }

  void write_conv(int index, const TensorInfo& input, const std::string& output_name) {
    const LayerSpec& layer = layers_[index];
    if (layer.groups <= 0 || layer.in_channels % layer.groups != 0) {
      throw invalid_argument("conv " + layer.name + ": groups " + std::to_string(layer.groups) +
                             " does not divide " + std::to_string(layer.in_channels) + " input channels");
    }
    const std::vector<int64_t> weight_shape = {layer.out_channels, layer.in_channels / layer.groups, layer.kernel,
                                               layer.kernel};
    std::vector<float> weight = parameter(weights_, layer.name + ".weight", weight_shape).values;
    std::vector<float> bias(layer.out_channels, 0.0f);
    if (layer.bias) bias = parameter(weights_, layer.name + ".bias", {layer.out_channels}).values;
    auto folded = folded_batch_norm_of_conv_.find(index);
    if (folded != folded_batch_norm_of_conv_.end()) fold_batch_norm(layers_[folded->second], weight, bias);
    builder_.add_float_initializer(layer.name + ".weight", weight_shape, weight);
    builder_.add_float_initializer(layer.name + ".bias", {layer.out_channels}, bias);
    builder_.add_node("Conv", {input.name, layer.name + ".weight", layer.name + ".bias"}, {output_name},
                      {OnnxAttribute::integers("kernel_shape", {layer.kernel, layer.kernel}),
                       OnnxAttribute::integers("strides", {layer.stride, layer.stride}),
                       OnnxAttribute::integers("pads", {layer.padding, layer.padding, layer.padding, layer.padding}),
                       OnnxAttribute::integers("dilations", {1, 1}),
                       OnnxAttribute::integer("group", layer.groups)},
                      layer.name);
  }

  struct BatchNormScale {
    std::vector<float> scale;   // γ/√(σ²+ε) per channel
    std::vector<float> shift;   // β − μ·scale per channel
  };

  BatchNormScale batch_norm_scale(const LayerSpec& norm, int64_t channels) const {
    const std::vector<float>& gamma = parameter(weights_, norm.name + ".weight", {channels}).values;
    const std::vector<float>& beta = parameter(weights_, norm.name + ".bias", {channels}).values;
    const std::vector<float>& mean = parameter(weights_, norm.name + ".running_mean", {channels}).values;
    const std::vector<float>& variance = parameter(weights_, norm.name + ".running_var", {channels}).values;
    BatchNormScale result{std::vector<float>(channels), std::vector<float>(channels)};
    for (int64_t channel = 0; channel < channels; ++channel) {
      double scale = gamma[channel] / std::sqrt(static_cast<double>(variance[channel]) + kBatchNormEpsilon);
      result.scale[channel] = static_cast<float>(scale);
      result.shift[channel] = static_cast<float>(beta[channel] - mean[channel] * scale);
    }
    return result;
  }

  void fold_batch_norm(const LayerSpec& norm, std::vector<float>& weight, std::vector<float>& bias) const {
    const int64_t channels = static_cast<int64_t>(bias.size());
    BatchNormScale folded = batch_norm_scale(norm, channels);
    const size_t per_channel = weight.size() / channels;
    for (int64_t channel = 0; channel < channels; ++channel) {
      for (size_t element = 0; element < per_channel; ++element) weight[channel * per_channel + element] *= folded.scale[channel];
      bias[channel] = bias[channel] * folded.scale[channel] + folded.shift[channel];
    }
  }

  // A batch norm not after a conv: ONNX BatchNormalization with the stored statistics.
  void write_batch_norm(const LayerSpec& layer, const TensorInfo& input, const std::string& output_name) {
    const int64_t channels = layer.in_channels;
    std::vector<std::string> inputs = {input.name};
    for (const char* suffix : {".weight", ".bias", ".running_mean", ".running_var"}) {
      const std::string name = layer.name + suffix;
      builder_.add_float_initializer(name, {channels}, parameter(weights_, name, {channels}).values);
      inputs.push_back(name);
    }
    builder_.add_node("BatchNormalization", inputs, {output_name},
                      {OnnxAttribute::real("epsilon", kBatchNormEpsilon)}, layer.name);
  }

  void write_linear(const LayerSpec& layer, TensorInfo input, const std::string& output_name) {
    if (input.rank != 2) {
      std::string flat = layer.name + ".flatten";
      builder_.add_node("Flatten", {input.name}, {flat}, {OnnxAttribute::integer("axis", 1)});
      input = TensorInfo{flat, 2};
    }
    const std::vector<int64_t> weight_shape = {layer.out_channels, layer.in_channels};
    builder_.add_float_initializer(layer.name + ".weight", weight_shape,
                                   parameter(weights_, layer.name + ".weight", weight_shape).values);
    std::vector<float> bias(layer.out_channels, 0.0f);
    if (layer.bias) bias = parameter(weights_, layer.name + ".bias", {layer.out_channels}).values;
    builder_.add_float_initializer(layer.name + ".bias", {layer.out_channels}, bias);
    builder_.add_node("Gemm", {input.name, layer.name + ".weight", layer.name + ".bias"}, {output_name},
                      {OnnxAttribute::real("alpha", 1.0f), OnnxAttribute::real("beta", 1.0f),
                       OnnxAttribute::integer("transB", 1)},
                      layer.name);
  }

  void write_outputs() {
    const LayerSpec& classifier = layers_[classifier_];
    builder_.add_node("Softmax", {tensors_[classifier_].name}, {kOnnxProbabilitiesName},
                      {OnnxAttribute::integer("axis", 1)}, "softmax");
    builder_.add_float_output(kOnnxProbabilitiesName, {{0, kOnnxBatchSymbol}, {classifier.out_channels}});

    if (embedding_producer_ == kNetworkInput) {
      // The classifier reads the image itself (the linear family): the embedding is the flat input.
      builder_.add_node("Flatten", {kOnnxInputName}, {kOnnxEmbeddingName}, {OnnxAttribute::integer("axis", 1)});
      builder_.add_float_output(kOnnxEmbeddingName,
                                {{0, kOnnxBatchSymbol}, {int64_t{input_.channels} * input_.height * input_.width}});
      return;
    }
    const LayerSpec& embedding = layers_[embedding_producer_];
    const TensorInfo& info = tensors_[embedding_producer_];
    if (info.rank == 2) {
      builder_.add_float_output(kOnnxEmbeddingName, {{0, kOnnxBatchSymbol}, {embedding.out_c}});
    } else {
      builder_.add_float_output(kOnnxEmbeddingName,
                                {{0, kOnnxBatchSymbol}, {embedding.out_c}, {embedding.out_h}, {embedding.out_w}});
    }
  }

  const std::vector<LayerSpec>& layers_;
  const InputShape& input_;
  const WeightMap& weights_;
  bool fold_batch_norm_;
  OnnxGraphBuilder builder_;
  std::vector<TensorInfo> tensors_;
  std::map<int, int> folded_batch_norm_of_conv_;   // conv index → batch norm index
  std::set<int> folded_batch_norms_;
  int classifier_ = 0;
  int embedding_producer_ = kNetworkInput;
};

void add_metadata(onnx::ModelProto& model, const std::string& key, const std::string& value) {
  if (value.empty()) return;
  onnx::StringStringEntryProto* entry = model.add_metadata_props();
  entry->set_key(key);
  entry->set_value(value);
}

}  // namespace

onnx::ModelProto build_onnx_model(const std::vector<LayerSpec>& layers, const InputShape& input,
                                  const WeightMap& weights, const OnnxWriterOptions& options) {
  onnx::ModelProto model;
  model.set_ir_version(kOnnxIrVersion);
  model.set_producer_name("edgeloop");
  model.set_producer_version("1");
  onnx::OperatorSetIdProto* opset = model.add_opset_import();
  opset->set_domain("");
  opset->set_version(kOnnxOpsetVersion);
  add_metadata(model, "edgeloop.model_id", options.model_id);
  add_metadata(model, "edgeloop.arch", options.arch);
  onnx::GraphProto* graph = model.mutable_graph();
  graph->set_name(options.graph_name);
  GraphWriter(layers, input, weights, options.fold_batch_norm, *graph).write();
  return model;
}

void save_onnx_model(const onnx::ModelProto& model, const std::filesystem::path& path) {
  std::string bytes;
  if (!model.SerializeToString(&bytes)) throw internal_error("cannot serialise the ONNX model for " + path.string());
  write_file_atomically(path, bytes);
}

onnx::ModelProto load_onnx_model(const std::filesystem::path& path) {
  const std::string bytes = read_file(path);
  onnx::ModelProto model;
  if (!model.ParseFromString(bytes)) {
    throw corrupt(path.string() + ": not an ONNX model (protobuf parse failed): re-export it");
  }
  return model;
}

void check_onnx_model(const onnx::ModelProto& model, const std::string& what) {
  try {
    onnx::checker::check_model(model);
    onnx::ModelProto inferred = model;
    const onnx::ShapeInferenceOptions strict(/*check_type_val=*/true, /*strict_mode_val=*/1,
                                             /*data_prop_val=*/false);
    onnx::shape_inference::InferShapes(inferred, onnx::OpSchemaRegistry::Instance(), strict);
  } catch (const std::exception& failure) {
    throw internal_error(what + ": ONNX checker failed: " + failure.what());
  }
}

}  // namespace edgeloop
