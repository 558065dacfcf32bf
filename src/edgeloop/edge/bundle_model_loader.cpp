#include "edgeloop/edge/bundle_model_loader.h"

#include <cmath>

#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/log.h"
#include "edgeloop/runtime/engine_ranking.h"

namespace edgeloop {
namespace {

constexpr uint8_t kSmokeGrayLevel = 128;       // the smoke input: a mid-gray image of the model's size
constexpr double kProbabilitySumTolerance = 1e-2;
constexpr const char* kXnnpackInt8Engine = "xnnpack-int8";   // runtime's name for XNNPACK on a QDQ file
constexpr const char* kAutoEngine = "auto";

void smoke_test(LoadedModel& model) {
  const InputShape shape = model.preprocess.output_shape();
  cv::Mat gray(shape.height, shape.width, shape.channels == 1 ? CV_8UC1 : CV_8UC3, cv::Scalar::all(kSmokeGrayLevel));
  InferenceResult result = model.infer_one(model.preprocess.apply(gray));
  const std::string where = model.bundle_directory.string();
  if (result.classes != static_cast<int>(model.labels.size())) {
    throw corrupt(where + ": the model gives " + std::to_string(result.classes) + " classes but bundle.json lists " +
                  std::to_string(model.labels.size()) + " labels: re-export the bundle");
  }
  double sum = 0;
  for (int index = 0; index < result.classes; ++index) {
    if (!std::isfinite(result.probabilities[index])) throw corrupt(where + ": the smoke inference gave NaN: re-export the bundle");
    sum += result.probabilities[index];
  }
  if (std::abs(sum - 1.0) > kProbabilitySumTolerance) {
    throw corrupt(where + ": the smoke inference's probabilities sum to " + std::to_string(sum) + ", not 1: re-export the bundle");
  }
}

std::unique_ptr<Engine> make_named_engine(const Bundle& bundle, const std::string& engine, int threads) {
  const auto int8 = bundle.int8_model();
  const bool wants_int8 = engine.ends_with("-int8") && engine != "opencv-int8";
  if (wants_int8 && !int8) {
    throw not_found(bundle.directory.string() + " has no model.int8.onnx for engine " + engine +
                    ": export with --int8 or choose an fp32 engine");
  }
  EngineOptions engine_options;
  engine_options.threads = threads;
  return make_engine(engine, wants_int8 ? *int8 : bundle.fp32_model(), engine_options);
}

// "auto": the engines in engine_preference() order, each one that cannot run here skipped with one
// log line; "xnnpack" runs the int8 file as "xnnpack-int8" when the bundle has one and int8 is preferred.
std::unique_ptr<Engine> make_bundle_engine(const Bundle& bundle, const ModelLoadOptions& options) {
  const bool has_int8 = bundle.int8_model().has_value();
  if (options.engine != kAutoEngine) {
    const bool upgrade = options.engine == "xnnpack" && options.prefer_int8 && has_int8;
    return make_named_engine(bundle, upgrade ? kXnnpackInt8Engine : options.engine, options.threads);
  }
  std::optional<EngineRanking> ranking;
  if (!bundle.engine_ranking.is_null()) ranking = EngineRanking::from_json(bundle.engine_ranking);
  const std::vector<std::string> order = engine_preference(ranking, has_int8, options.prefer_int8);
  for (size_t index = 0; index < order.size(); ++index) {
    try {
      auto engine = make_named_engine(bundle, order[index], options.threads);
      spdlog::info("edge: engine {} for {} ({})", engine->name(), bundle.model_id,
                   ranking && ranking->cpu == cpu_class() ? "fastest in the bundle's ranking on this CPU"
                                                          : "default order for " + cpu_class());
      return engine;
    } catch (const Error& error) {
      if (index + 1 == order.size()) throw;
      spdlog::warn("edge: engine {} skipped: {}", order[index], error.what());
    }
  }
  throw internal_error("no engine to try");
}

}  // namespace

std::shared_ptr<LoadedModel> load_model_from_bundle(const std::filesystem::path& bundle_directory,
                                                    const ModelLoadOptions& options) {
  Bundle bundle = load_bundle(bundle_directory);
  auto model = std::make_shared<LoadedModel>();
  model->model_id = bundle.model_id;
  model->bundle_directory = bundle_directory;
  model->labels = bundle.labels;
  model->preprocess = bundle.preprocess;
  if (!bundle.reference_statistics.is_null() && !bundle.reference_statistics.empty()) {
    model->reference = ReferenceStatistics::from_json(bundle.reference_statistics);
  }
  model->engine = make_bundle_engine(bundle, options);
  smoke_test(*model);
  return model;
}

BundleVerification verify_bundle_for_device(const std::filesystem::path& bundle_directory) {
  BundleVerification verification;
  verification.bundle = load_bundle(bundle_directory);
  load_model_from_bundle(bundle_directory, ModelLoadOptions{"xnnpack", /*prefer_int8=*/false, /*threads=*/1});
  verification.engines.push_back("xnnpack");
  if (verification.bundle.int8_model()) {
    load_model_from_bundle(bundle_directory, ModelLoadOptions{"xnnpack", /*prefer_int8=*/true, /*threads=*/1});
    verification.engines.push_back(kXnnpackInt8Engine);
  }
  return verification;
}

ModelLoader bundle_model_loader(const ModelLoadOptions& options) {
  return [options](const std::filesystem::path& directory) { return load_model_from_bundle(directory, options); };
}

}  // namespace edgeloop
