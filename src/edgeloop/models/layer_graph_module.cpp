#include "edgeloop/models/layer_graph_module.h"

#include <algorithm>

#include "edgeloop/core/error.h"
#include "edgeloop/models/weights_file.h"

namespace edgeloop {

namespace {

constexpr const char* kBatchesTrackedBuffer = "num_batches_tracked";
constexpr double kRelu6Max = 6.0;

NamedTensor to_named_tensor(const torch::Tensor& tensor) {
  const torch::Tensor contiguous = tensor.detach().to(torch::kCPU, torch::kFloat32).contiguous();
  NamedTensor named;
  named.shape.assign(contiguous.sizes().begin(), contiguous.sizes().end());
  named.values.assign(contiguous.data_ptr<float>(), contiguous.data_ptr<float>() + contiguous.numel());
  return named;
}

// "block2.conv1.weight" belongs to layer "block2.conv1".
std::string layer_of(const std::string& tensor_name) { return tensor_name.substr(0, tensor_name.rfind('.')); }

}  // namespace

LayerGraphModuleImpl::LayerGraphModuleImpl(const ArchSpec& spec) : spec_(spec), layers_(spec.expand()) {
  modules_.resize(layers_.size());
  for (size_t index = 0; index < layers_.size(); ++index) {
    const LayerSpec& layer = layers_[index];
    LayerModules& modules = modules_[index];
    switch (layer.kind) {
      case LayerKind::kConv2d:
        modules.conv = torch::nn::Conv2d(torch::nn::Conv2dOptions(layer.in_channels, layer.out_channels, layer.kernel)
                                             .stride(layer.stride)
                                             .padding(layer.padding)
                                             .groups(layer.groups)
                                             .bias(layer.bias));
        register_nested(layer.name, modules.conv.ptr());
        break;
      case LayerKind::kBatchNorm2d:
        modules.batch_norm = torch::nn::BatchNorm2d(layer.in_channels);
        register_nested(layer.name, modules.batch_norm.ptr());
        break;
      case LayerKind::kLinear:
        modules.linear = torch::nn::Linear(torch::nn::LinearOptions(layer.in_channels, layer.out_channels).bias(layer.bias));
        register_nested(layer.name, modules.linear.ptr());
        break;
      case LayerKind::kDropout:
        modules.dropout = torch::nn::Dropout(layer.dropout);
        register_nested(layer.name, modules.dropout.ptr());
        break;
      default:
        break;   // parameter-free ops run functionally
    }
  }
}

void LayerGraphModuleImpl::register_nested(const std::string& dotted_name, std::shared_ptr<torch::nn::Module> module) {
  torch::nn::Module* parent = this;
  std::string path;
  size_t start = 0;
  for (size_t dot = dotted_name.find('.'); dot != std::string::npos; dot = dotted_name.find('.', start)) {
    const std::string part = dotted_name.substr(start, dot - start);
    path += (path.empty() ? "" : ".") + part;
    auto found = containers_.find(path);
    if (found == containers_.end()) {
      auto container = std::make_shared<torch::nn::Module>();
      parent->register_module(part, container);
      found = containers_.emplace(path, container).first;
    }
    parent = found->second.get();
    start = dot + 1;
  }
  parent->register_module(dotted_name.substr(start), std::move(module));
}

torch::Tensor LayerGraphModuleImpl::run_layer(size_t index, const std::vector<torch::Tensor>& outputs,
                                              const torch::Tensor& input) {
  const LayerSpec& layer = layers_[index];
  const auto input_of = [&](int which) -> const torch::Tensor& {
    const int source = layer.inputs.at(which);
    return source < 0 ? input : outputs.at(source);
  };
  const torch::Tensor& x = input_of(0);
  LayerModules& modules = modules_[index];
  switch (layer.kind) {
    case LayerKind::kConv2d: return modules.conv->forward(x);
    case LayerKind::kBatchNorm2d: return modules.batch_norm->forward(x);
    case LayerKind::kRelu: return torch::relu(x);
    case LayerKind::kRelu6: return torch::clamp(x, 0.0, kRelu6Max);
    case LayerKind::kHardSwish: return torch::hardswish(x);
    case LayerKind::kMaxPool2d:
      return torch::max_pool2d(x, {layer.kernel, layer.kernel}, {layer.stride, layer.stride}, {layer.padding, layer.padding});
    case LayerKind::kAvgPool2d:
      return torch::avg_pool2d(x, {layer.kernel, layer.kernel}, {layer.stride, layer.stride}, {layer.padding, layer.padding});
    case LayerKind::kGlobalAvgPool: return torch::adaptive_avg_pool2d(x, {1, 1});
    case LayerKind::kFlatten: return torch::flatten(x, 1);
    case LayerKind::kLinear: return modules.linear->forward(x);
    case LayerKind::kAdd: return x + input_of(1);
    case LayerKind::kDropout: return modules.dropout->forward(x);
  }
  throw internal_error("layer " + layer.name + " has an unknown kind");
}

LayerGraphModuleImpl::Outputs LayerGraphModuleImpl::forward_with_embedding(const torch::Tensor& input) {
  std::vector<torch::Tensor> outputs(layers_.size());
  for (size_t index = 0; index < layers_.size(); ++index) outputs[index] = run_layer(index, outputs, input);
  const int embedding = embedding_layer_index(layers_);
  return Outputs{outputs.back(), torch::flatten(embedding < 0 ? input : outputs[embedding], 1)};
}

torch::Tensor LayerGraphModuleImpl::forward(const torch::Tensor& input) {
  // Keeps only what later layers still need: a layer's output is dropped after its last reader.
  std::vector<int> last_reader(layers_.size(), -1);
  for (size_t index = 0; index < layers_.size(); ++index) {
    for (int source : layers_[index].inputs) {
      if (source >= 0) last_reader[source] = static_cast<int>(index);
    }
  }
  std::vector<torch::Tensor> outputs(layers_.size());
  for (size_t index = 0; index < layers_.size(); ++index) {
    outputs[index] = run_layer(index, outputs, input);
    for (int source : layers_[index].inputs) {
      if (source >= 0 && last_reader[source] == static_cast<int>(index)) outputs[source] = torch::Tensor();
    }
  }
  return outputs.back();
}

std::vector<std::string> LayerGraphModuleImpl::parameter_names_of_first_blocks(int blocks) {
  std::vector<std::string> frozen_layers;
  for (const LayerSpec& layer : layers_) {
    if (layer.block < blocks) frozen_layers.push_back(layer.name);
  }
  std::vector<std::string> names;
  for (const auto& item : named_parameters(/*recurse=*/true)) {
    if (std::find(frozen_layers.begin(), frozen_layers.end(), layer_of(item.key())) != frozen_layers.end()) {
      names.push_back(item.key());
    }
  }
  return names;
}

std::vector<torch::Tensor> LayerGraphModuleImpl::parameters_of_first_blocks(int blocks) {
  const auto names = parameter_names_of_first_blocks(blocks);
  const auto all = named_parameters(/*recurse=*/true);
  std::vector<torch::Tensor> parameters;
  for (const std::string& name : names) parameters.push_back(all[name]);
  return parameters;
}

void LayerGraphModuleImpl::freeze_first_blocks(int blocks) {
  frozen_blocks_ = blocks;
  for (auto& parameter : parameters(/*recurse=*/true)) parameter.set_requires_grad(true);
  for (auto& parameter : parameters_of_first_blocks(blocks)) parameter.set_requires_grad(false);
  train(is_training());
}

void LayerGraphModuleImpl::train(bool on) {
  torch::nn::Module::train(on);
  for (size_t index = 0; index < layers_.size(); ++index) {
    if (layers_[index].block < frozen_blocks_ && modules_[index].batch_norm) modules_[index].batch_norm->eval();
  }
}

void LayerGraphModuleImpl::use_channels_last() {
  torch::NoGradGuard no_grad;
  for (auto& parameter : parameters(/*recurse=*/true)) {
    if (parameter.dim() == 4) parameter.set_data(parameter.contiguous(torch::MemoryFormat::ChannelsLast));
  }
}

WeightMap extract_weights(LayerGraphModuleImpl& module) {
  WeightMap weights;
  for (const auto& item : module.named_parameters(/*recurse=*/true)) weights[item.key()] = to_named_tensor(item.value());
  for (const auto& item : module.named_buffers(/*recurse=*/true)) {
    if (item.key().ends_with(kBatchesTrackedBuffer)) continue;
    weights[item.key()] = to_named_tensor(item.value());
  }
  return weights;
}

void load_weights(LayerGraphModuleImpl& module, const WeightMap& weights, const std::vector<std::string>& skip_layers) {
  torch::NoGradGuard no_grad;
  const auto copy_into = [&](const std::string& name, torch::Tensor& target) {
    if (std::find(skip_layers.begin(), skip_layers.end(), layer_of(name)) != skip_layers.end()) return;
    if (name.ends_with(kBatchesTrackedBuffer)) return;
    const auto found = weights.find(name);
    if (found == weights.end()) {
      throw corrupt("weights have no tensor " + name + " for architecture " + module.spec().to_string() +
                    ": the weights belong to another architecture");
    }
    const NamedTensor& source = found->second;
    if (std::vector<int64_t>(target.sizes().begin(), target.sizes().end()) != source.shape) {
      throw corrupt("weight " + name + " has another shape than architecture " + module.spec().to_string() +
                    " expects: the weights belong to another architecture or input size");
    }
    target.copy_(torch::from_blob(const_cast<float*>(source.values.data()), target.sizes(), torch::kFloat32));
  };
  for (auto& item : module.named_parameters(/*recurse=*/true)) copy_into(item.key(), item.value());
  for (auto& item : module.named_buffers(/*recurse=*/true)) copy_into(item.key(), item.value());
}

LayerGraphModule load_module(const ArchSpec& spec, const std::filesystem::path& weights_file) {
  LayerGraphModule module(spec);
  load_weights(*module, read_weights_file(weights_file));
  module->eval();
  return module;
}

void save_module_weights(LayerGraphModuleImpl& module, const std::filesystem::path& weights_file) {
  write_weights_file(weights_file, extract_weights(module));
}

}  // namespace edgeloop
