#include "edgeloop/models/arch_spec.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <sstream>

#include "edgeloop/core/error.h"
#include "edgeloop/models/architecture_families.h"

namespace edgeloop {

namespace {

constexpr double kMaxMultiplier = 16.0;   // a w= or d= beyond this is a typo, not a model
constexpr double kFlopsPerMultiplyAdd = 2.0;
constexpr double kMillion = 1e6;

double parse_multiplier(const std::string& text, const std::string& key, const std::string& whole) {
  double value = 0.0;
  const auto [end, status] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (status != std::errc() || end != text.data() + text.size() || !(value > 0.0) || value > kMaxMultiplier) {
    throw invalid_argument("architecture '" + whole + "': " + key + "=" + text +
                           " is not a multiplier: use a number in (0, 16], e.g. cnn-m:w=0.5,d=2");
  }
  return value;
}

std::string format_multiplier(double value) {
  std::ostringstream stream;
  stream << value;
  return stream.str();
}

}  // namespace

ArchSpec ArchSpec::parse(const std::string& text) {
  ArchSpec spec;
  const size_t colon = text.find(':');
  spec.family = text.substr(0, colon);
  const auto& families = known_families();
  if (std::find(families.begin(), families.end(), spec.family) == families.end()) {
    throw invalid_argument("unknown architecture '" + text +
                           "': use one of linear, mlp, cnn-s, cnn-m, cnn-l, mobilenet, resnet, cnn-ref "
                           "(optionally with :w=WIDTH,d=DEPTH)");
  }
  if (colon == std::string::npos) return spec;
  std::stringstream options(text.substr(colon + 1));
  std::string option;
  while (std::getline(options, option, ',')) {
    const size_t equals = option.find('=');
    const std::string key = option.substr(0, equals);
    if (equals == std::string::npos || (key != "w" && key != "d")) {
      throw invalid_argument("architecture '" + text + "': unknown option '" + option +
                             "': use w=WIDTH and/or d=DEPTH, e.g. cnn-m:w=0.5");
    }
    const double value = parse_multiplier(option.substr(equals + 1), key, text);
    (key == "w" ? spec.width : spec.depth) = value;
  }
  return spec;
}

std::string ArchSpec::to_string() const {
  std::string text = family;
  std::vector<std::string> options;
  if (width != 1.0) options.push_back("w=" + format_multiplier(width));
  if (depth != 1.0) options.push_back("d=" + format_multiplier(depth));
  for (size_t index = 0; index < options.size(); ++index) text += (index == 0 ? ":" : ",") + options[index];
  return text;
}

Json ArchSpec::to_json() const {
  return Json{{"family", family},
              {"width", width},
              {"depth", depth},
              {"input", {{"channels", input.channels}, {"height", input.height}, {"width", input.width}}},
              {"classes", classes}};
}

ArchSpec ArchSpec::from_json(const Json& json) {
  try {
    ArchSpec spec = parse(json.at("family").get<std::string>());
    spec.width = json.value("width", 1.0);
    spec.depth = json.value("depth", 1.0);
    const Json& input = json.at("input");
    spec.input.channels = input.at("channels").get<int>();
    spec.input.height = input.at("height").get<int>();
    spec.input.width = input.at("width").get<int>();
    spec.classes = json.at("classes").get<int>();
    return spec;
  } catch (const Json::exception& error) {
    throw invalid_argument(std::string("architecture JSON is incomplete (") + error.what() +
                           "): it needs family, width, depth, input {channels, height, width} and classes");
  }
}

std::vector<LayerSpec> ArchSpec::expand() const {
  if (classes < 1 || input.channels < 1 || input.height < 1 || input.width < 1) {
    throw invalid_argument("architecture " + to_string() + ": classes and input shape must be positive (got " +
                           std::to_string(classes) + " classes, " + std::to_string(input.channels) + "x" +
                           std::to_string(input.height) + "x" + std::to_string(input.width) + ")");
  }
  return expand_family(*this);
}

int64_t ArchSpec::parameter_count() const {
  int64_t count = 0;
  for (const LayerSpec& layer : expand()) {
    switch (layer.kind) {
      case LayerKind::kConv2d:
        count += static_cast<int64_t>(layer.out_channels) * (layer.in_channels / layer.groups) * layer.kernel *
                 layer.kernel;
        if (layer.bias) count += layer.out_channels;
        break;
      case LayerKind::kBatchNorm2d:
        count += 2 * static_cast<int64_t>(layer.in_channels);   // weight and bias; running stats are buffers
        break;
      case LayerKind::kLinear:
        count += static_cast<int64_t>(layer.in_channels) * layer.out_channels;
        if (layer.bias) count += layer.out_channels;
        break;
      default:
        break;
    }
  }
  return count;
}

double layer_flops(const LayerSpec& layer) {
  double multiply_adds = 0.0;
  if (layer.kind == LayerKind::kConv2d) {
    multiply_adds = static_cast<double>(layer.out_c) * layer.out_h * layer.out_w * (layer.in_channels / layer.groups) *
                    layer.kernel * layer.kernel;
  } else if (layer.kind == LayerKind::kLinear) {
    multiply_adds = static_cast<double>(layer.in_channels) * layer.out_channels;
  }
  return multiply_adds * kFlopsPerMultiplyAdd;
}

double ArchSpec::mflops() const {
  double flops = 0.0;
  for (const LayerSpec& layer : expand()) flops += layer_flops(layer);
  return flops / kMillion;
}

int ArchSpec::block_count() const {
  int blocks = 0;
  for (const LayerSpec& layer : expand()) blocks = std::max(blocks, layer.block + 1);
  return blocks;
}

std::vector<std::string> architecture_ladder() {
  return {"linear", "mlp", "cnn-s", "resnet", "mobilenet", "cnn-m", "cnn-l"};
}

int embedding_layer_index(const std::vector<LayerSpec>& layers) {
  if (layers.empty() || layers.back().inputs.empty()) throw internal_error("empty layer graph has no embedding");
  return layers.back().inputs.front();
}

}  // namespace edgeloop
