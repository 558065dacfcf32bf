#include "edgeloop/export/model_exporter.h"

#include <unistd.h>

#include <algorithm>
#include <limits>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/bundle/reference_statistics.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/filesystem_guard.h"
#include "edgeloop/core/leftover_files.h"
#include "edgeloop/core/number_format.h"
#include "edgeloop/core/publish_folder.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/export/int8_quantizer.h"
#include "edgeloop/export/onnx_reference_runner.h"
#include "edgeloop/export/onnx_writer.h"
#include "edgeloop/export/parity_check.h"
#include "edgeloop/models/layer_graph_module.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/models/weights_file.h"
#include "edgeloop/preprocess/image_features.h"
#include "edgeloop/registry/dataset_store.h"
#include "edgeloop/train/torch_threads.h"

namespace edgeloop {

Json ExportReport::to_json() const {
  Json parity_list = Json::array();
  for (const EngineParity& entry : parity) {
    parity_list.push_back({{"engine", entry.engine}, {"images", entry.images},
                           {"max_abs_difference", entry.max_abs_difference}, {"passed", entry.passed},
                           {"skipped", entry.skipped}});
  }
  Json result = {{"directory", directory.string()}, {"model_id", model_id}, {"parity", parity_list},
                 {"fp32_file_bytes", fp32_file_bytes}, {"fp32_weight_bytes", fp32_weight_bytes},
                 {"reference_images", reference_images}};
  if (has_int8) {
    result["int8"] = {{"file_bytes", int8_file_bytes},
                      {"weight_bytes", int8_weight_bytes},
                      {"weight_shrink", int8_weight_bytes > 0 ? static_cast<double>(fp32_weight_bytes) / int8_weight_bytes : 0.0},
                      {"evaluation_images", evaluation_images},
                      {"fp32_accuracy", fp32_accuracy},
                      {"int8_accuracy", int8_accuracy},
                      {"top1_agreement", int8_agreement}};
    Json engines = Json::array();
    for (const Int8EngineCheck& check : int8_engines) {
      engines.push_back({{"engine", check.engine}, {"images", check.images},
                         {"max_abs_difference_vs_reference", check.max_abs_difference},
                         {"agreement_with_reference", check.agreement}, {"accuracy", check.accuracy},
                         {"skipped", check.skipped}});
    }
    result["int8"]["engines"] = engines;
  }
  return result;
}

namespace {

// The images of one split as the device would see them: decoded stored files.
struct ImageSet {
  std::vector<std::string> hashes;
  std::vector<int> labels;
};

ImageSet pick_images(DatasetStore& datasets, const std::string& version_id, const std::string& split, int limit) {
  ImageSet result;
  for (const Sample& sample : datasets.samples(version_id, split)) {
    if (static_cast<int>(result.hashes.size()) >= limit) break;
    result.hashes.push_back(sample.object_hash);
    result.labels.push_back(sample.label);
  }
  return result;
}

// One batch of preprocessed images, NHWC float, plus the 8-bit form the drift features are measured on.
struct PreparedBatch {
  int size = 0;
  std::vector<float> nhwc;               // [size, H, W, C], through `pipeline.apply`
  std::vector<cv::Mat> prepared_uint8;   // pipeline.apply_uint8 per image
};

PreparedBatch prepare(const ObjectStore& objects, const Pipeline& pipeline, const std::vector<std::string>& hashes,
                      size_t first, size_t count) {
  PreparedBatch batch;
  for (size_t index = first; index < std::min(hashes.size(), first + count); ++index) {
    const cv::Mat decoded = objects.decode(hashes[index]);
    cv::Mat input = pipeline.apply(decoded);
    if (!input.isContinuous()) input = input.clone();
    batch.nhwc.insert(batch.nhwc.end(), input.ptr<float>(), input.ptr<float>() + input.total() * input.channels());
    batch.prepared_uint8.push_back(pipeline.apply_uint8(decoded));
    ++batch.size;
  }
  return batch;
}

// LibTorch through the training path: apply_uint8 then finish_uint8, as the tensor cache feeds it.
struct TorchOutputs {
  std::vector<float> probabilities;   // [batch, classes]
  std::vector<float> embedding;       // [batch, embedding size]
  int embedding_size = 0;
};

TorchOutputs torch_outputs(LayerGraphModuleImpl& module, const Pipeline& training_pipeline,
                           const std::vector<cv::Mat>& prepared_uint8, const InputShape& input) {
  std::vector<float> nhwc;
  for (const cv::Mat& prepared : prepared_uint8) {
    cv::Mat finished = training_pipeline.finish_uint8(prepared);
    if (!finished.isContinuous()) finished = finished.clone();
    nhwc.insert(nhwc.end(), finished.ptr<float>(), finished.ptr<float>() + finished.total() * finished.channels());
  }
  const int batch = static_cast<int>(prepared_uint8.size());
  std::vector<float> nchw = nhwc_to_nchw(nhwc, batch, input.channels, input.height, input.width);
  torch::NoGradGuard no_gradients;
  const torch::Tensor tensor = torch::from_blob(nchw.data(), {batch, input.channels, input.height, input.width}, torch::kFloat32);
  LayerGraphModuleImpl::Outputs outputs = module.forward_with_embedding(tensor);
  const torch::Tensor probabilities = torch::softmax(outputs.logits, 1).contiguous();
  const torch::Tensor embedding = outputs.embedding.reshape({batch, -1}).contiguous();
  TorchOutputs result;
  result.probabilities.assign(probabilities.data_ptr<float>(), probabilities.data_ptr<float>() + probabilities.numel());
  result.embedding.assign(embedding.data_ptr<float>(), embedding.data_ptr<float>() + embedding.numel());
  result.embedding_size = static_cast<int>(embedding.size(1));
  return result;
}

// Removes the staging folder unless the export finished (then it has been renamed away).
class StagingFolder {
 public:
  explicit StagingFolder(std::filesystem::path path) : path_(std::move(path)) {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
    std::filesystem::create_directories(path_);
  }
  ~StagingFolder() {
    std::error_code ignored;
    if (!released_) std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }
  void release() { released_ = true; }

 private:
  std::filesystem::path path_;
  bool released_ = false;
};

class Exporter {
 public:
  Exporter(const Workspace& workspace, const std::string& model_id, const ExportOptions& options,
           const ProgressCallback& progress)
      : workspace_(workspace),
        options_(options),
        progress_(progress),
        model_(load_stored_model(workspace, model_id)),
        objects_(workspace) {}

  ExportReport run() {
    if (model_.kind != kModelKindTorch) {
      throw unsupported("model " + model_.id + " is a classic (" + model_.arch +
                        ") model; only neural models export to ONNX: pick a torch model (`edgeloop models list`)");
    }
    const std::filesystem::path output = options_.output_directory;
    if (output.empty()) throw invalid_argument("no output folder given: pass --out DIR");
    if (std::filesystem::exists(output) && !options_.overwrite) {
      throw already_exists(output.string() + " exists: pass --force to replace it or choose another --out");
    }
    set_torch_threads(options_.threads);
    report_.model_id = model_.id;
    const std::filesystem::path weights_file = model_weights_path(workspace_, model_.id);
    const WeightMap weights = read_weights_file(weights_file);
    module_ = load_module(model_.spec, weights_file);
    module_->eval();
    training_pipeline_ = Pipeline::from_json(model_.preprocess);

    std::filesystem::create_directories(std::filesystem::absolute(output).parent_path());
    sweep_leftovers_of(std::filesystem::absolute(output));  // what killed exports to this folder left
    StagingFolder staging(staging_path_for(std::filesystem::absolute(output), ::getpid()));
    Bundle bundle;
    bundle.directory = staging.path();

    step("write ONNX");
    OnnxWriterOptions writer_options;
    writer_options.model_id = model_.id;
    const onnx::ModelProto fp32 = build_onnx_model(model_.spec, weights, writer_options);
    check_onnx_model(fp32, kBundleFp32ModelName);
    save_onnx_model(fp32, bundle.fp32_model());
    bundle.files[kBundleFp32ModelName] = {};
    report_.fp32_weight_bytes = initializer_bytes(fp32);
    if (options_.include_weights) {
      copy_file_atomically(weights_file, staging.path() / kBundleWeightsName);
      bundle.files[kBundleWeightsName] = {};
    }

    // The bundle's own preprocessing, read back from its manifest as the device will read it.
    fill_manifest(bundle);
    write_bundle_manifest(bundle);
    const Pipeline bundle_pipeline = load_bundle(staging.path()).preprocess;

    Registry registry = Registry::open(workspace_.registry_path());
    DatasetStore datasets(registry);
    const std::string version_id = model_.lineage.dataset_version;
    ImageSet validation = pick_images(datasets, version_id, kSplitVal, std::max(options_.parity_images, evaluation_limit()));
    ImageSet training = pick_images(datasets, version_id, kSplitTrain,
                                    std::max(options_.reference_images, options_.calibration_images));
    if (training.hashes.empty()) {
      throw not_found("dataset version " + version_id + " of model " + model_.id +
                      " has no training images in this workspace: export needs them for drift statistics and int8");
    }
    const ImageSet& parity_set = validation.hashes.empty() ? training : validation;

    check_parity(bundle.fp32_model(), bundle_pipeline, parity_set);
    bundle.reference_statistics = reference_statistics(bundle_pipeline, training).to_json();
    if (options_.int8) write_int8(fp32, bundle, bundle_pipeline, training, validation);
    if (options_.rank_engines) {
      step("rank engines");
      if (!options_.engine_ranker) throw internal_error("ExportOptions::engine_ranker is unset but rank_engines is on");
      bundle.engine_ranking = options_.engine_ranker(bundle.fp32_model(), bundle.int8_model(), options_.ranking_threads);
    }

    fill_manifest(bundle);
    write_bundle_manifest(bundle);
    load_bundle(staging.path());   // verifies every hash once more before it goes live
    report_.fp32_file_bytes = bundle.files.at(kBundleFp32ModelName).bytes;
    if (report_.has_int8) report_.int8_file_bytes = bundle.files.at(kBundleInt8ModelName).bytes;

    step("publish bundle");
    publish_folder(staging.path(), std::filesystem::absolute(output));
    staging.release();
    report_.directory = output;
    return report_;
  }

 private:
  void step(const std::string& stage, int64_t done = 0, int64_t total = 0) const {
    if (progress_) progress_(Progress{stage, done, total, ""});
  }

  void fill_manifest(Bundle& bundle) const {
    bundle.model_id = model_.id;
    bundle.arch = model_.arch;
    bundle.labels = model_.labels;
    bundle.input = model_.spec.input;
    bundle.preprocess = training_pipeline_;
    bundle.lineage = model_.lineage.to_json();
    bundle.lineage["model_id"] = model_.id;
    bundle.lineage["model_created_at"] = model_.created_at;
    bundle.metrics = model_.metrics;
    bundle.metrics["export"] = report_.to_json();
    bundle.metrics["export"].erase("directory");
    bundle.created_at = utc_timestamp();
  }

  const InputShape& input() const { return model_.spec.input; }

  // Validation images behind the int8 accuracy figures; 0 in the options means the whole split.
  int evaluation_limit() const {
    return options_.int8_evaluation_images > 0 ? options_.int8_evaluation_images : std::numeric_limits<int>::max();
  }

  ParityEngine make_parity_engine(const std::string& name) const {
    if (!options_.engine_factory) {
      throw internal_error("ExportOptions::engine_factory is unset but engine " + name + " is to be checked");
    }
    return options_.engine_factory(name, options_.threads, options_.batch_size);
  }

  // Every engine against LibTorch on raw validation files; throws, writing nothing, past the tolerance.
  void check_parity(const std::filesystem::path& model_file, const Pipeline& bundle_pipeline, const ImageSet& images) {
    std::vector<ParityEngine> engines = {{kOpenCvDnnParityEngine, [this](const std::filesystem::path& file,
                                                                         const std::vector<float>& nhwc, int batch) {
                                            return opencv_dnn_probabilities(file, nhwc, batch, input().channels,
                                                                            input().height, input().width);
                                          }}};
    for (const std::string& name : options_.engine_names) {
      engines.push_back(make_parity_engine(name));
    }
    engines.insert(engines.end(), options_.engines.begin(), options_.engines.end());
    for (const ParityEngine& engine : engines) report_.parity.push_back(EngineParity{engine.name});
    const size_t count = std::min<size_t>(images.hashes.size(), options_.parity_images);
    for (size_t first = 0; first < count; first += options_.batch_size) {
      step("parity", static_cast<int64_t>(first), static_cast<int64_t>(count));
      const PreparedBatch batch = prepare(objects_, bundle_pipeline, images.hashes, first,
                                          std::min<size_t>(options_.batch_size, count - first));
      const TorchOutputs expected = torch_outputs(*module_, training_pipeline_, batch.prepared_uint8, input());
      for (size_t index = 0; index < engines.size(); ++index) {
        EngineParity& parity = report_.parity[index];
        if (!parity.skipped.empty()) continue;
        try {
          const std::vector<float> actual = engines[index].run(model_file, batch.nhwc, batch.size);
          parity.max_abs_difference = std::max(parity.max_abs_difference,
                                               max_abs_difference(expected.probabilities, actual, engines[index].name));
          parity.images += batch.size;
        } catch (const Error& failure) {
          if (failure.code() != ErrorCode::kUnsupported) throw;
          parity.skipped = failure.what();   // the engine cannot map an op: recorded, the others still decide
        }
      }
    }
    for (EngineParity& parity : report_.parity) {
      parity.passed = parity.skipped.empty() && parity.images > 0 && parity.max_abs_difference <= options_.parity_tolerance;
      if (parity.skipped.empty() && !parity.passed) {
        throw internal_error("parity failed: " + parity.engine + " differs from LibTorch by " +
                             format_significant(parity.max_abs_difference) + " in probability (limit " +
                             format_significant(options_.parity_tolerance) + ") over " + std::to_string(parity.images) +
                             " validation images; no bundle written. Please report this with the model's arch (" +
                             model_.arch + ")");
      }
    }
  }

  ReferenceStatistics reference_statistics(const Pipeline& bundle_pipeline, const ImageSet& training) {
    const size_t count = std::min<size_t>(training.hashes.size(), options_.reference_images);
    std::unique_ptr<ReferenceStatisticsBuilder> builder;
    for (size_t first = 0; first < count; first += options_.batch_size) {
      step("reference statistics", static_cast<int64_t>(first), static_cast<int64_t>(count));
      const PreparedBatch batch = prepare(objects_, bundle_pipeline, training.hashes, first,
                                          std::min<size_t>(options_.batch_size, count - first));
      const TorchOutputs outputs = torch_outputs(*module_, training_pipeline_, batch.prepared_uint8, input());
      if (!builder) builder = std::make_unique<ReferenceStatisticsBuilder>(outputs.embedding_size);
      const int classes = static_cast<int>(outputs.probabilities.size()) / batch.size;
      for (int image = 0; image < batch.size; ++image) {
        const float* row = outputs.probabilities.data() + static_cast<size_t>(image) * classes;
        const double confidence = *std::max_element(row, row + classes);
        builder->add(compute_image_features(batch.prepared_uint8[image]), confidence,
                     std::span<const float>(outputs.embedding.data() + static_cast<size_t>(image) * outputs.embedding_size,
                                            outputs.embedding_size));
      }
    }
    report_.reference_images = static_cast<int>(count);
    return builder->finish("train split of " + model_.lineage.dataset + "@" + std::to_string(model_.lineage.dataset_number) +
                           " (" + std::to_string(count) + " images)");
  }

  void write_int8(const onnx::ModelProto& fp32, Bundle& bundle, const Pipeline& bundle_pipeline, const ImageSet& training,
                  const ImageSet& validation) {
    const size_t calibration_count = std::min<size_t>(training.hashes.size(), options_.calibration_images);
    std::vector<NamedTensor> calibration;
    for (size_t first = 0; first < calibration_count; first += options_.batch_size) {
      const PreparedBatch batch = prepare(objects_, bundle_pipeline, training.hashes, first,
                                          std::min<size_t>(options_.batch_size, calibration_count - first));
      calibration.push_back(NamedTensor{{batch.size, input().channels, input().height, input().width},
                                        nhwc_to_nchw(batch.nhwc, batch.size, input().channels, input().height, input().width)});
    }
    const onnx::ModelProto int8 = quantize_to_qdq(fp32, calibrate_activation_ranges(fp32, calibration, progress_));
    check_onnx_model(int8, kBundleInt8ModelName);
    save_onnx_model(int8, bundle.directory / kBundleInt8ModelName);
    bundle.files[kBundleInt8ModelName] = {};
    report_.has_int8 = true;
    report_.int8_weight_bytes = initializer_bytes(int8);

    // Accuracy on validation images: LibTorch fp32 vs the QDQ model (reference runner, which
    // ONNX Runtime matches; see tests/export/int8_quantizer_test.cpp).
    const OnnxReferenceRunner int8_runner(int8);
    const size_t count = std::min<size_t>(validation.hashes.size(), evaluation_limit());
    int fp32_correct = 0, int8_correct = 0, agreeing = 0;
    std::vector<ParityEngine> int8_engines;
    std::vector<int> engine_correct(options_.int8_engine_names.size()), engine_agreeing(options_.int8_engine_names.size());
    for (const std::string& name : options_.int8_engine_names) {
      int8_engines.push_back(make_parity_engine(name));
      report_.int8_engines.push_back(Int8EngineCheck{name});
    }
    for (size_t first = 0; first < count; first += options_.batch_size) {
      step("int8 accuracy", static_cast<int64_t>(first), static_cast<int64_t>(count));
      const PreparedBatch batch = prepare(objects_, bundle_pipeline, validation.hashes, first,
                                          std::min<size_t>(options_.batch_size, count - first));
      const TorchOutputs expected = torch_outputs(*module_, training_pipeline_, batch.prepared_uint8, input());
      const NamedTensor images{{batch.size, input().channels, input().height, input().width},
                               nhwc_to_nchw(batch.nhwc, batch.size, input().channels, input().height, input().width)};
      const std::vector<float> quantized = int8_runner.run(images).at(kOnnxProbabilitiesName).values;
      const int classes = static_cast<int>(expected.probabilities.size()) / batch.size;
      const std::vector<int> fp32_top = row_argmax(expected.probabilities, classes);
      const std::vector<int> int8_top = row_argmax(quantized, classes);
      for (int image = 0; image < batch.size; ++image) {
        const int label = validation.labels[first + image];
        fp32_correct += fp32_top[image] == label;
        int8_correct += int8_top[image] == label;
        agreeing += fp32_top[image] == int8_top[image];
      }
      for (size_t engine = 0; engine < int8_engines.size(); ++engine) {
        Int8EngineCheck& check = report_.int8_engines[engine];
        if (!check.skipped.empty()) continue;
        try {
          const std::vector<float> probabilities =
              int8_engines[engine].run(bundle.directory / kBundleInt8ModelName, batch.nhwc, batch.size);
          check.max_abs_difference = std::max(check.max_abs_difference, max_abs_difference(quantized, probabilities, check.engine));
          const std::vector<int> engine_top = row_argmax(probabilities, classes);
          for (int image = 0; image < batch.size; ++image) {
            engine_correct[engine] += engine_top[image] == validation.labels[first + image];
            engine_agreeing[engine] += engine_top[image] == int8_top[image];
          }
          check.images += batch.size;
        } catch (const Error& failure) {
          if (failure.code() != ErrorCode::kUnsupported && failure.code() != ErrorCode::kInvalidArgument) throw;
          check.skipped = failure.what();
        }
      }
    }
    for (size_t engine = 0; engine < report_.int8_engines.size(); ++engine) {
      Int8EngineCheck& check = report_.int8_engines[engine];
      if (check.images == 0) continue;
      check.accuracy = static_cast<double>(engine_correct[engine]) / check.images;
      check.agreement = static_cast<double>(engine_agreeing[engine]) / check.images;
    }
    report_.evaluation_images = static_cast<int>(count);
    if (count > 0) {
      report_.fp32_accuracy = static_cast<double>(fp32_correct) / count;
      report_.int8_accuracy = static_cast<double>(int8_correct) / count;
      report_.int8_agreement = static_cast<double>(agreeing) / count;
    }
  }

  const Workspace& workspace_;
  const ExportOptions& options_;
  const ProgressCallback& progress_;
  StoredModel model_;
  ObjectStore objects_;
  LayerGraphModule module_{nullptr};
  Pipeline training_pipeline_ = Pipeline::default_for(InputShape{});
  ExportReport report_;
};

}  // namespace

ExportReport export_model(const Workspace& workspace, const std::string& model_id, const ExportOptions& options,
                          const ProgressCallback& progress) {
  return guard_filesystem([&] { return Exporter(workspace, model_id, options, progress).run(); });
}

}  // namespace edgeloop
