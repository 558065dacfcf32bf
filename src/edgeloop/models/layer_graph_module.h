// LayerGraphModule: the LibTorch module built from an ArchSpec's layer graph, one torch module per
// LayerSpec, registered under the same dotted names (so parameters are "<layer>.weight" exactly as
// LayerSpec says and the WeightMap keys match export/'s). Also: WeightMap in and out, and the
// parameters of the first N blocks for freezing. Used by train/ and eval/. LibTorch: include only
// from TORCH libraries. A module is used by one thread at a time.
#pragma once

#include <torch/torch.h>

#include <string>
#include <vector>

#include "edgeloop/models/arch_spec.h"
#include "edgeloop/models/weights.h"

namespace edgeloop {

class LayerGraphModuleImpl : public torch::nn::Module {
 public:
  explicit LayerGraphModuleImpl(const ArchSpec& spec);

  struct Outputs {
    torch::Tensor logits;      // [N, classes]
    torch::Tensor embedding;   // [N, embedding size]: the classifier's input
  };
  // input: [N, C, H, W] float (the preprocessed image, channels first).
  torch::Tensor forward(const torch::Tensor& input);
  Outputs forward_with_embedding(const torch::Tensor& input);

  const ArchSpec& spec() const { return spec_; }
  const std::vector<LayerSpec>& layers() const { return layers_; }
  // Parameters (weights, biases, batch-norm affine) of layers in blocks [0, blocks).
  std::vector<torch::Tensor> parameters_of_first_blocks(int blocks);
  // Names of those parameters, for tests and reports.
  std::vector<std::string> parameter_names_of_first_blocks(int blocks);
  // Freezes blocks [0, blocks): their parameters stop taking gradients and their batch norms stay
  // in eval mode (running statistics unchanged) even in train(). 0 unfreezes everything.
  void freeze_first_blocks(int blocks);
  int frozen_blocks() const { return frozen_blocks_; }
  void train(bool on = true) override;
  // Stores 4-D weights channels-last (NHWC), the faster layout for LibTorch's CPU convolutions
  // (about 1.4× for the reference CNN here). Results are the same; call again after loading.
  void use_channels_last();

 private:
  struct LayerModules {
    torch::nn::Conv2d conv{nullptr};
    torch::nn::BatchNorm2d batch_norm{nullptr};
    torch::nn::Linear linear{nullptr};
    torch::nn::Dropout dropout{nullptr};
  };
  void register_nested(const std::string& dotted_name, std::shared_ptr<torch::nn::Module> module);
  torch::Tensor run_layer(size_t index, const std::vector<torch::Tensor>& outputs, const torch::Tensor& input);

  ArchSpec spec_;
  std::vector<LayerSpec> layers_;
  std::vector<LayerModules> modules_;
  std::map<std::string, std::shared_ptr<torch::nn::Module>> containers_;   // "block2" → its holder
  int frozen_blocks_ = 0;
};
TORCH_MODULE(LayerGraphModule);

// Every parameter and buffer (batch-norm running stats; not num_batches_tracked) as plain floats.
WeightMap extract_weights(LayerGraphModuleImpl& module);
// Copies `weights` into the module. Every parameter/buffer must be present with its shape, except
// those of layers named in `skip_layers` (e.g. {"classifier"} when the head is replaced). Throws
// Error(kCorrupt) naming the first missing or mismatched tensor.
void load_weights(LayerGraphModuleImpl& module, const WeightMap& weights,
                  const std::vector<std::string>& skip_layers = {});

// Convenience: a module with weights from a stored model's weights.safetensors.
LayerGraphModule load_module(const ArchSpec& spec, const std::filesystem::path& weights_file);
void save_module_weights(LayerGraphModuleImpl& module, const std::filesystem::path& weights_file);

}  // namespace edgeloop
