#include "edgeloop/models/stored_model.h"

#include <unistd.h>

#include <atomic>
#include <chrono>
#include <ctime>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"

namespace edgeloop {

namespace {
constexpr const char* kModelJson = "model.json";
constexpr const char* kWeightsFile = "weights.safetensors";
constexpr const char* kClassicFile = "classic.yml";
constexpr size_t kIdHexDigits = 12;
}  // namespace

Json ModelLineage::to_json() const {
  return Json{{"dataset", dataset},         {"dataset_version", dataset_version}, {"dataset_number", dataset_number},
              {"run_id", run_id},           {"parent_model", parent_model},       {"code_commit", code_commit},
              {"seed", seed},               {"config", config}};
}

ModelLineage ModelLineage::from_json(const Json& json) {
  ModelLineage lineage;
  lineage.dataset = json.value("dataset", "");
  lineage.dataset_version = json.value("dataset_version", "");
  lineage.dataset_number = json.value("dataset_number", 0);
  lineage.run_id = json.value("run_id", "");
  lineage.parent_model = json.value("parent_model", "");
  lineage.code_commit = json.value("code_commit", "unknown");
  lineage.seed = json.value("seed", uint64_t{0});
  lineage.config = json.value("config", Json::object());
  return lineage;
}

Json StoredModel::to_json() const {
  Json json{{"format_version", kStoredModelFormatVersion},
            {"id", id},
            {"kind", kind},
            {"arch", arch},
            {"labels", labels},
            {"input", {{"channels", input.channels}, {"height", input.height}, {"width", input.width}}},
            {"preprocess", preprocess},
            {"preprocess_hash", preprocess_hash},
            {"lineage", lineage.to_json()},
            {"metrics", metrics},
            {"diagnosis", diagnosis},
            {"parameters", parameters},
            {"mflops", mflops},
            {"created_at", created_at}};
  if (kind == kModelKindTorch) json["arch_spec"] = spec.to_json();
  return json;
}

StoredModel StoredModel::from_json(const Json& json) {
  const int format = json.value("format_version", 0);
  if (format != kStoredModelFormatVersion) {
    throw corrupt("model.json has format version " + std::to_string(format) + ", this edgeloop reads " +
                  std::to_string(kStoredModelFormatVersion) + ": upgrade edgeloop or retrain the model");
  }
  StoredModel model;
  model.id = json.at("id").get<std::string>();
  model.kind = json.at("kind").get<std::string>();
  model.arch = json.at("arch").get<std::string>();
  if (model.kind == kModelKindTorch) model.spec = ArchSpec::from_json(json.at("arch_spec"));
  model.labels = json.at("labels").get<std::vector<std::string>>();
  const Json& input = json.at("input");
  model.input = InputShape{input.at("channels").get<int>(), input.at("height").get<int>(), input.at("width").get<int>()};
  model.preprocess = json.value("preprocess", Json::object());
  model.preprocess_hash = json.value("preprocess_hash", "");
  model.lineage = ModelLineage::from_json(json.value("lineage", Json::object()));
  model.metrics = json.value("metrics", Json::object());
  model.diagnosis = json.value("diagnosis", Json::object());
  model.parameters = json.value("parameters", int64_t{0});
  model.mflops = json.value("mflops", 0.0);
  model.created_at = json.value("created_at", "");
  return model;
}

std::filesystem::path model_json_path(const Workspace& workspace, const std::string& model_id) {
  return workspace.model_dir(model_id) / kModelJson;
}
std::filesystem::path model_weights_path(const Workspace& workspace, const std::string& model_id) {
  return workspace.model_dir(model_id) / kWeightsFile;
}
std::filesystem::path model_classic_path(const Workspace& workspace, const std::string& model_id) {
  return workspace.model_dir(model_id) / kClassicFile;
}

void write_stored_model(const Workspace& workspace, const StoredModel& model) {
  std::error_code error;
  std::filesystem::create_directories(workspace.model_dir(model.id), error);
  if (error) throw io_error("cannot create " + workspace.model_dir(model.id).string() + ": " + error.message());
  write_file_atomically(model_json_path(workspace, model.id), model.to_json().dump(2) + "\n");
}

StoredModel load_stored_model(const Workspace& workspace, const std::string& model_id) {
  const auto path = model_json_path(workspace, model_id);
  if (!std::filesystem::exists(path)) {
    throw not_found("model " + model_id + " has no " + path.string() + ": list models with `edgeloop models list --trained`");
  }
  try {
    return StoredModel::from_json(Json::parse(read_file(path)));
  } catch (const Json::exception& error) {
    throw corrupt(path.string() + " is damaged (" + error.what() + "): retrain the model");
  } catch (const Error& error) {
    if (error.code() == ErrorCode::kCorrupt) throw corrupt(path.string() + ": " + error.what());
    throw;
  }
}

std::string new_record_id(const std::string& prefix, const std::string& salt) {
  static std::atomic<uint64_t> counter{0};
  const auto now = std::chrono::system_clock::now().time_since_epoch().count();
  const std::string seed = std::to_string(now) + "/" + std::to_string(::getpid()) + "/" +
                           std::to_string(counter++) + "/" + salt;
  return prefix + sha256_hex(seed).substr(0, kIdHexDigits);
}

}  // namespace edgeloop
