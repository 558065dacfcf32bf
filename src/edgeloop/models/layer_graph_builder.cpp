#include "edgeloop/models/layer_graph_builder.h"

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {
LayerSpec new_layer(LayerKind kind, const std::string& name) {
  LayerSpec layer;
  layer.kind = kind;
  layer.name = name;
  return layer;
}
}  // namespace

LayerGraphBuilder::LayerGraphBuilder(const InputShape& input) : input_(input) {}

int LayerGraphBuilder::resolve(int from) const { return from == kPrevious ? last() : from; }

int LayerGraphBuilder::channels_of(int index) const {
  return index < 0 ? input_.channels : layers_.at(index).out_c;
}

LayerSpec& LayerGraphBuilder::shape_from(LayerSpec& layer, int from) const {
  if (from < 0) {
    layer.out_c = input_.channels;
    layer.out_h = input_.height;
    layer.out_w = input_.width;
  } else {
    const LayerSpec& source = layers_.at(from);
    layer.out_c = source.out_c;
    layer.out_h = source.out_h;
    layer.out_w = source.out_w;
  }
  return layer;
}

int LayerGraphBuilder::append(LayerSpec layer, int from) {
  layer.inputs = {from};
  layer.block = block_;
  if (layer.out_h <= 0 || layer.out_w <= 0) {
    throw invalid_argument("layer " + layer.name + " has no spatial extent left for a " +
                           std::to_string(input_.height) + "x" + std::to_string(input_.width) +
                           " input: use a larger input or a shallower architecture (d=...)");
  }
  layers_.push_back(std::move(layer));
  return last();
}

int LayerGraphBuilder::conv(const std::string& name, int out_channels, int kernel, int stride, int padding,
                            bool bias, int from, int groups) {
  from = resolve(from);
  LayerSpec layer = new_layer(LayerKind::kConv2d, name);
  shape_from(layer, from);
  layer.in_channels = layer.out_c;
  layer.out_channels = out_channels;
  layer.kernel = kernel;
  layer.stride = stride;
  layer.padding = padding;
  layer.groups = groups;
  layer.bias = bias;
  layer.out_c = out_channels;
  layer.out_h = layer.out_h + 2 * padding < kernel ? 0 : (layer.out_h + 2 * padding - kernel) / stride + 1;
  layer.out_w = layer.out_w + 2 * padding < kernel ? 0 : (layer.out_w + 2 * padding - kernel) / stride + 1;
  return append(std::move(layer), from);
}

int LayerGraphBuilder::batch_norm(const std::string& name, int from) {
  from = resolve(from);
  LayerSpec layer = new_layer(LayerKind::kBatchNorm2d, name);
  shape_from(layer, from);
  layer.in_channels = layer.out_c;
  layer.out_channels = layer.out_c;
  return append(std::move(layer), from);
}

int LayerGraphBuilder::activation(LayerKind kind, const std::string& name, int from) {
  from = resolve(from);
  LayerSpec layer = new_layer(kind, name);
  shape_from(layer, from);
  return append(std::move(layer), from);
}

int LayerGraphBuilder::max_pool(const std::string& name, int kernel, int stride, int from) {
  from = resolve(from);
  LayerSpec layer = new_layer(LayerKind::kMaxPool2d, name);
  shape_from(layer, from);
  layer.kernel = kernel;
  layer.stride = stride;
  layer.out_h = layer.out_h < kernel ? 0 : (layer.out_h - kernel) / stride + 1;
  layer.out_w = layer.out_w < kernel ? 0 : (layer.out_w - kernel) / stride + 1;
  return append(std::move(layer), from);
}

int LayerGraphBuilder::global_avg_pool(const std::string& name, int from) {
  from = resolve(from);
  LayerSpec layer = new_layer(LayerKind::kGlobalAvgPool, name);
  shape_from(layer, from);
  layer.out_h = 1;
  layer.out_w = 1;
  return append(std::move(layer), from);
}

int LayerGraphBuilder::flatten(const std::string& name, int from) {
  from = resolve(from);
  LayerSpec layer = new_layer(LayerKind::kFlatten, name);
  shape_from(layer, from);
  layer.out_c = layer.out_c * layer.out_h * layer.out_w;
  layer.out_h = 1;
  layer.out_w = 1;
  return append(std::move(layer), from);
}

int LayerGraphBuilder::linear(const std::string& name, int out_features, int from) {
  from = resolve(from);
  LayerSpec layer = new_layer(LayerKind::kLinear, name);
  shape_from(layer, from);
  if (layer.out_h != 1 || layer.out_w != 1) {
    throw internal_error("linear layer " + name + " needs a flattened input");
  }
  layer.in_channels = layer.out_c;
  layer.out_channels = out_features;
  layer.out_c = out_features;
  return append(std::move(layer), from);
}

int LayerGraphBuilder::dropout(const std::string& name, float probability, int from) {
  from = resolve(from);
  LayerSpec layer = new_layer(LayerKind::kDropout, name);
  shape_from(layer, from);
  layer.dropout = probability;
  return append(std::move(layer), from);
}

int LayerGraphBuilder::add(const std::string& name, int first, int second) {
  LayerSpec layer = new_layer(LayerKind::kAdd, name);
  shape_from(layer, first);
  const LayerSpec other = second < 0 ? LayerSpec{} : layers_.at(second);
  if (second >= 0 && (other.out_c != layer.out_c || other.out_h != layer.out_h || other.out_w != layer.out_w)) {
    throw internal_error("add " + name + " joins tensors of different shapes");
  }
  const int index = append(std::move(layer), first);
  layers_[index].inputs = {first, second};
  return index;
}

}  // namespace edgeloop
