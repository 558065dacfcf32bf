// LayerGraphBuilder: appends layers to an ArchSpec's layer graph while tracking the running shape,
// so each family in architecture_families.cpp reads as a list of layers. Internal to models/.
// Plain value; not thread-safe (one per expansion).
#pragma once

#include <string>
#include <vector>

#include "edgeloop/models/arch_spec.h"

namespace edgeloop {

class LayerGraphBuilder {
 public:
  explicit LayerGraphBuilder(const InputShape& input);

  // Each append returns the index of the new layer. `from` is the input layer index; the default
  // (kPrevious) is the last layer appended (or the network input for the first layer).
  static constexpr int kPrevious = -2;
  int conv(const std::string& name, int out_channels, int kernel, int stride, int padding, bool bias,
           int from = kPrevious, int groups = 1);
  int batch_norm(const std::string& name, int from = kPrevious);
  int activation(LayerKind kind, const std::string& name, int from = kPrevious);
  int max_pool(const std::string& name, int kernel, int stride, int from = kPrevious);
  int global_avg_pool(const std::string& name, int from = kPrevious);
  int flatten(const std::string& name, int from = kPrevious);
  int linear(const std::string& name, int out_features, int from = kPrevious);
  int dropout(const std::string& name, float probability, int from = kPrevious);
  int add(const std::string& name, int first, int second);

  void set_block(int block) { block_ = block; }
  int block() const { return block_; }
  int last() const { return static_cast<int>(layers_.size()) - 1; }
  const LayerSpec& layer(int index) const { return layers_.at(index); }
  // Shape [C, H, W] of a layer's output (-1: the network input).
  int channels_of(int index) const;
  std::vector<LayerSpec> take() { return std::move(layers_); }

 private:
  int resolve(int from) const;
  int append(LayerSpec layer, int from);
  LayerSpec& shape_from(LayerSpec& layer, int from) const;

  InputShape input_;
  std::vector<LayerSpec> layers_;
  int block_ = 0;
};

}  // namespace edgeloop
