#include "edgeloop/preprocess/pipeline.h"

#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/preprocess/preprocess_ops.h"

namespace edgeloop {

namespace {

// Checks every op and fills its defaults; returns the state after the last op.
PreprocessState check_ops(std::vector<PreprocessOp>& ops) {
  PreprocessState state;
  for (size_t position = 0; position < ops.size(); ++position) {
    check_preprocess_op(ops[position].name, ops[position].parameters, state, static_cast<int>(position));
  }
  return state;
}

}  // namespace

Pipeline Pipeline::from_json(const Json& spec) {
  const Json* list = &spec;
  if (spec.is_object()) {
    if (!spec.contains("ops")) throw invalid_argument("preprocess spec has no `ops` list: write {\"ops\": [...]}");
    list = &spec["ops"];
  }
  if (!list->is_array() || list->empty()) {
    throw invalid_argument("preprocess spec `ops` must be a non-empty list of ops, starting with `decode`");
  }
  Pipeline pipeline;
  for (const auto& entry : *list) {
    if (!entry.is_object() || !entry.contains("op") || !entry["op"].is_string()) {
      throw invalid_argument("preprocess op " + std::to_string(pipeline.ops_.size() + 1) +
                             ": each op is a mapping with `op: <name>`");
    }
    PreprocessOp op{entry["op"], entry};
    op.parameters.erase("op");
    pipeline.ops_.push_back(std::move(op));
  }
  PreprocessState state = check_ops(pipeline.ops_);
  if (state.width == 0) {
    throw invalid_argument("preprocess spec has no `resize` op: add {op: resize, width: W, height: H} so the model "
                           "input has a fixed size");
  }
  if (!state.is_float) {
    // The model takes float input; an 8-bit-only spec gets the plain 0..1 scaling, written out.
    pipeline.ops_.push_back({"to_float", Json::object()});
    check_ops(pipeline.ops_);
  }
  return pipeline;
}

Pipeline Pipeline::from_file(const std::filesystem::path& yaml_or_json) {
  const Json spec = load_config_file(yaml_or_json);
  try {
    return from_json(spec);
  } catch (const Error& error) {
    throw Error(error.code(), yaml_or_json.string() + ": " + error.what());
  }
}

Pipeline Pipeline::default_for(const InputShape& shape) {
  return from_json(Json{{"ops",
                         {{{"op", "decode"}, {"color", shape.channels == 1 ? "gray" : "rgb"}},
                          {{"op", "resize"}, {"width", shape.width}, {"height", shape.height}},
                          {{"op", "to_float"}}}}});
}

Json Pipeline::to_json() const {
  Json list = Json::array();
  for (const auto& op : ops_) {
    Json entry = op.parameters;
    entry["op"] = op.name;
    list.push_back(entry);
  }
  return Json{{"ops", list}};
}

std::string Pipeline::hash() const { return sha256_hex(canonical_json(to_json())); }

InputShape Pipeline::output_shape() const {
  std::vector<PreprocessOp> copy = ops_;
  const PreprocessState state = check_ops(copy);
  return InputShape{state.channels, state.height, state.width};
}

cv::Mat Pipeline::apply(const cv::Mat& decoded) const { return finish_uint8(apply_uint8(decoded)); }

cv::Mat Pipeline::apply_uint8(const cv::Mat& decoded) const {
  if (decoded.empty()) throw invalid_argument("preprocess: the image is empty (it did not decode)");
  cv::Mat image = decoded;
  for (const auto& op : ops_) {
    if (is_float_stage_op(op.name)) break;
    image = apply_preprocess_op(op.name, op.parameters, image);
  }
  return image;
}

cv::Mat Pipeline::finish_uint8(const cv::Mat& prepared_uint8) const {
  if (prepared_uint8.empty()) throw invalid_argument("preprocess: the prepared image is empty");
  cv::Mat image = prepared_uint8;
  for (const auto& op : ops_) {
    if (is_float_stage_op(op.name)) image = apply_preprocess_op(op.name, op.parameters, image);
  }
  return image;
}

}  // namespace edgeloop
