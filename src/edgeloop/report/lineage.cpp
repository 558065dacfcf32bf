#include "edgeloop/report/lineage.h"

#include <sstream>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/error.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/run_store.h"

namespace edgeloop {

namespace {

namespace fs = std::filesystem;

constexpr int kMaxParentModels = 20;   // fine-tuning chains longer than this are cut (and a cycle would be)

Json model_json(const ModelRecord& model) {
  return Json{{"id", model.id},
              {"kind", model.kind},
              {"arch", model.arch},
              {"parameters", model.parameters},
              {"mflops", model.mflops},
              {"val_accuracy", model.val_accuracy ? Json(*model.val_accuracy) : Json(nullptr)},
              {"path", model.path},
              {"created_at", model.created_at}};
}

Json run_json(const RunRecord& run) {
  return Json{{"id", run.id},         {"arch", run.arch},         {"status", run.status},
              {"code_commit", run.code_commit}, {"seed", run.seed}, {"config", run.config},
              {"preprocess_hash", run.preprocess_hash}, {"diagnosis", run.diagnosis},
              {"started_at", run.started_at},   {"finished_at", run.finished_at}};
}

Json version_json(DatasetStore& datasets, const DatasetVersion& version, const LineageOptions& options) {
  Json imports = Json::array();
  for (const ImportRecord& record : datasets.imports(version.id)) {
    Json rejects = Json::array();
    for (size_t index = 0; index < record.rejects.size() && index < static_cast<size_t>(options.max_rejects_listed); ++index) {
      rejects.push_back({{"path", record.rejects[index].first}, {"reason", record.rejects[index].second}});
    }
    imports.push_back({{"source", record.source},
                       {"format", record.format},
                       {"imported", record.imported},
                       {"duplicates", record.duplicates},
                       {"rejects_total", record.rejects.size()},
                       {"rejects", rejects}});
  }
  return Json{{"id", version.id},           {"reference", version.reference()}, {"change", version.change},
              {"created_at", version.created_at}, {"classes", version.classes}, {"imports", imports}};
}

// The model's parent fine-tuning chain, read from each stored model's run config when present.
std::string parent_of(RunStore& runs, const ModelRecord& model) {
  if (model.run_id.empty()) return "";
  const auto run = runs.find_run(model.run_id);
  if (!run) return "";
  for (const char* key : {"from", "parent_model", "from_model"}) {
    if (run->config.contains(key) && run->config[key].is_string()) return run->config[key].get<std::string>();
  }
  return "";
}

void line(std::ostringstream& text, int depth, const std::string& content) {
  text << std::string(depth * 2, ' ') << (depth > 0 ? "└ " : "") << content << "\n";
}

std::string text_or(const Json& value, const char* key, const std::string& fallback = "-") {
  if (!value.contains(key) || value[key].is_null()) return fallback;
  return value[key].is_string() ? value[key].get<std::string>() : value[key].dump();
}

}  // namespace

Json build_lineage(Registry& registry, const std::string& target, const LineageOptions& options) {
  Json lineage = Json::object();
  std::string model_id = target;
  if (fs::is_directory(target)) {
    if (!fs::exists(fs::path(target) / "bundle.json")) {
      throw not_found(target + " has no bundle.json: pass a bundle folder written by `edgeloop export`, or a model id");
    }
    const Bundle bundle = load_bundle(target);   // verifies every file's sha256
    model_id = bundle.model_id;
    lineage["bundle"] = {{"directory", fs::absolute(bundle.directory).string()},
                         {"model_id", bundle.model_id},
                         {"arch", bundle.arch},
                         {"created_at", bundle.created_at},
                         {"verified", true},
                         {"lineage", bundle.lineage},
                         {"metrics", bundle.metrics}};
    Json files = Json::object();
    for (const auto& [name, file] : bundle.files) files[name] = {{"sha256", file.sha256}, {"bytes", file.bytes}};
    lineage["bundle"]["files"] = files;
  }
  ModelStore models(registry);
  RunStore runs(registry);
  DatasetStore datasets(registry);
  const ModelRecord model = models.resolve(model_id);
  lineage["model"] = model_json(model);

  Json parents = Json::array();
  std::string parent = parent_of(runs, model);
  for (int depth = 0; !parent.empty() && depth < kMaxParentModels; ++depth) {
    std::optional<ModelRecord> record;
    try {
      record = models.resolve(parent);   // the run config keeps --from as typed: maybe a prefix
    } catch (const Error&) {
    }
    if (!record) {
      parents.push_back({{"id", parent}, {"missing", true}});
      break;
    }
    parents.push_back(model_json(*record));
    parent = parent_of(runs, *record);
  }
  lineage["model"]["parents"] = parents;

  if (!model.run_id.empty()) {
    if (const auto run = runs.find_run(model.run_id)) lineage["run"] = run_json(*run);
  }
  Json versions = Json::array();
  std::string version_id = model.version_id;
  for (int depth = 0; !version_id.empty() && depth < options.max_parent_versions; ++depth) {
    const auto version = datasets.find_version(version_id);
    if (!version) {
      versions.push_back({{"id", version_id}, {"missing", true}});
      break;
    }
    versions.push_back(version_json(datasets, *version, options));
    version_id = version->parent_id;
  }
  lineage["dataset_versions"] = versions;

  Json uses = Json::array();
  for (const EvaluationRecord& evaluation : models.evaluations(model.id)) {
    if (evaluation.split.rfind(kSplitTestPrefix, 0) != 0) continue;
    uses.push_back({{"dataset", evaluation.dataset},
                    {"split", evaluation.split},
                    {"accuracy", evaluation.accuracy},
                    {"created_at", evaluation.created_at},
                    {"forced", evaluation.forced},
                    {"earlier_models", evaluation.earlier_models}});
  }
  lineage["test_set_uses"] = uses;
  return lineage;
}

std::string lineage_to_text(const Json& lineage) {
  std::ostringstream text;
  int depth = 0;
  if (lineage.contains("bundle")) {
    const Json& bundle = lineage["bundle"];
    line(text, depth++, "bundle " + text_or(bundle, "directory") + " (verified, " + std::to_string(bundle["files"].size()) +
                            " files)");
  }
  const Json& model = lineage["model"];
  line(text, depth++, "model " + text_or(model, "id") + "  " + text_or(model, "kind") + " " + text_or(model, "arch") +
                          ", val accuracy " + text_or(model, "val_accuracy") + ", created " + text_or(model, "created_at"));
  for (const Json& parent : model["parents"]) {
    line(text, depth, "fine-tuned from " + text_or(parent, "id") + " " + text_or(parent, "arch", ""));
  }
  if (lineage.contains("run")) {
    const Json& run = lineage["run"];
    line(text, depth++, "run " + text_or(run, "id") + "  " + text_or(run, "status") + ", commit " + text_or(run, "code_commit") +
                            ", seed " + text_or(run, "seed"));
    line(text, depth + 1, "config " + run["config"].dump());
    if (run["diagnosis"].is_object() && run["diagnosis"].contains("verdict")) {
      line(text, depth + 1, "diagnosis " + text_or(run["diagnosis"], "verdict"));
    }
  }
  for (const Json& version : lineage["dataset_versions"]) {
    line(text, depth++, "dataset " + text_or(version, "reference", text_or(version, "id")) + "  " + text_or(version, "change", "") +
                            " (" + text_or(version, "id").substr(0, 12) + ")");
    for (const Json& import : version.value("imports", Json::array())) {
      line(text, depth + 1, "import " + text_or(import, "source") + " (" + text_or(import, "format") + "): " +
                                text_or(import, "imported") + " imported, " + text_or(import, "duplicates") + " duplicates, " +
                                text_or(import, "rejects_total") + " rejected");
      for (const Json& reject : import["rejects"]) {
        line(text, depth + 3, "rejected " + text_or(reject, "path") + ": " + text_or(reject, "reason"));
      }
    }
  }
  const Json& uses = lineage["test_set_uses"];
  text << "test-set uses: " << (uses.empty() ? "none" : std::to_string(uses.size())) << "\n";
  for (const Json& use : uses) {
    const int earlier = use.value("earlier_models", 0);
    text << "  " << text_or(use, "dataset") << " " << text_or(use, "split") << "  accuracy " << text_or(use, "accuracy")
         << "  " << text_or(use, "created_at") << (use.value("forced", false) ? "  forced" : "")
         << (earlier > 0 ? "  reused (" + std::to_string(earlier) + " earlier models)" : "  fresh") << "\n";
  }
  return text.str();
}

}  // namespace edgeloop
