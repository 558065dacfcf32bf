#include "edgeloop/runtime/benchmark_subject.h"

#include <algorithm>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/log.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/registry/registry.h"
#include "edgeloop/runtime/onnx_model.h"
#include "edgeloop/runtime/torch_engine.h"

namespace edgeloop {
namespace {

constexpr const char* kValidationSplit = "val";

// Class subfolders of images; a subfolder's label is its index in `labels` (or in the sorted
// subfolder names when `labels` is empty).
std::vector<LabeledImage> images_from_folder(const std::filesystem::path& folder, const std::vector<std::string>& labels,
                                             int limit) {
  if (!std::filesystem::is_directory(folder)) throw not_found(folder.string() + ": no such validation folder");
  std::vector<std::string> classes = labels;
  if (classes.empty()) {
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      if (entry.is_directory()) classes.push_back(entry.path().filename().string());
    }
    std::sort(classes.begin(), classes.end());
  }
  std::vector<std::vector<std::filesystem::path>> files(classes.size());
  size_t most = 0;
  for (size_t label = 0; label < classes.size(); ++label) {
    auto class_folder = folder / classes[label];
    if (!std::filesystem::is_directory(class_folder)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(class_folder)) {
      if (entry.is_regular_file()) files[label].push_back(entry.path());
    }
    std::sort(files[label].begin(), files[label].end());
    most = std::max(most, files[label].size());
  }
  // Classes interleaved, so that a limit keeps every class.
  std::vector<LabeledImage> images;
  for (size_t rank = 0; rank < most && int(images.size()) < limit; ++rank) {
    for (size_t label = 0; label < classes.size() && int(images.size()) < limit; ++label) {
      if (rank < files[label].size()) images.push_back({read_file(files[label][rank]), int(label)});
    }
  }
  if (images.empty()) throw not_found(folder.string() + ": no images in class subfolders named after the labels");
  return images;
}

std::vector<LabeledImage> images_from_dataset(const Workspace& workspace, const std::string& version_id, int limit) {
  Registry registry = Registry::open(workspace.registry_path());
  DatasetStore datasets(registry);
  ObjectStore objects(workspace);
  std::vector<LabeledImage> images;
  for (const Sample& sample : datasets.samples(version_id, kValidationSplit)) {
    if (int(images.size()) >= limit) break;
    if (sample.label < 0) continue;
    images.push_back({objects.read(sample.object_hash), sample.label});
  }
  return images;
}

void add_torch_engine(BenchmarkSubject& subject, const ArchSpec& spec, const std::filesystem::path& weights) {
  subject.extra_engines["torch"] = {weights, [spec, weights](const EngineOptions& options) {
                                      return std::unique_ptr<Engine>(new TorchEngine(spec, weights, options));
                                    }};
}

void add_validation(BenchmarkSubject& subject, const BenchmarkTargetOptions& options, const std::string& version_id) {
  if (!options.validation_folder.empty()) {
    subject.validation = images_from_folder(options.validation_folder, subject.labels, options.max_validation_images);
  } else if (options.workspace && !version_id.empty()) {
    try {
      subject.validation = images_from_dataset(*options.workspace, version_id, options.max_validation_images);
    } catch (const Error& error) {
      spdlog::warn("bench: no validation images from dataset version {}: {}", version_id, error.what());
    }
  }
}

}  // namespace

BenchmarkSubject resolve_benchmark_subject(const std::string& target, const BenchmarkTargetOptions& options) {
  namespace fs = std::filesystem;
  BenchmarkSubject subject;
  subject.name = target;
  fs::path path(target);
  if (fs::is_directory(path) && fs::exists(path / "bundle.json")) {
    Bundle bundle = load_bundle(path);
    subject.fp32_model = bundle.fp32_model();
    subject.int8_model = bundle.int8_model();
    subject.preprocess = bundle.preprocess;
    subject.labels = bundle.labels;
    if (auto weights = bundle.weights(); weights && !bundle.arch.empty()) {
      ArchSpec spec = ArchSpec::parse(bundle.arch);
      spec.input = bundle.input;
      spec.classes = int(bundle.labels.size());
      add_torch_engine(subject, spec, *weights);
    }
    add_validation(subject, options, bundle.lineage.value("dataset_version", ""));
    return subject;
  }
  if (fs::is_regular_file(path) && path.extension() == ".onnx") {
    OnnxModel model = OnnxModel::load(path);
    const auto& shape = model.input_shape();
    if (shape.size() != 4) throw unsupported(target + ": bench takes an image model with an [N, C, H, W] input");
    (model.has_op("QuantizeLinear") ? subject.int8_model : subject.fp32_model) = path;
    fs::path int8_sibling = path.parent_path() / (path.stem().string() + ".int8.onnx");   // x.onnx → x.int8.onnx
    if (!subject.int8_model && fs::exists(int8_sibling)) subject.int8_model = int8_sibling;
    subject.preprocess = Pipeline::default_for(InputShape{int(shape[1]), int(shape[2]), int(shape[3])});
    add_validation(subject, options, "");
    return subject;
  }
  if (options.workspace && fs::exists(model_json_path(*options.workspace, target))) {
    StoredModel model = load_stored_model(*options.workspace, target);
    subject.preprocess = Pipeline::from_json(model.preprocess);
    subject.labels = model.labels;
    if (model.kind == kModelKindClassic) {
      auto file = model_classic_path(*options.workspace, target);
      std::vector<int> shape = {model.input.channels, model.input.height, model.input.width};
      subject.extra_engines["classic"] = {file, [file, shape](const EngineOptions& engine_options) {
                                            EngineOptions with_shape = engine_options;
                                            with_shape.input_shape = shape;
                                            return make_engine("classic", file, with_shape);
                                          }};
    } else {
      add_torch_engine(subject, model.spec, model_weights_path(*options.workspace, target));
    }
    add_validation(subject, options, model.lineage.dataset_version);
    return subject;
  }
  throw not_found(target + ": not a bundle folder, an .onnx file or a model id in the workspace; run `edgeloop "
                  "export MODEL` for a bundle or `edgeloop models list` for ids");
}

}  // namespace edgeloop
