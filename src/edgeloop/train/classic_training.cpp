#include "edgeloop/train/classic_training.h"

#include <chrono>

#include "edgeloop/registry/model_store.h"

namespace edgeloop {

namespace {
constexpr const char* kModelPrefix = "m-";
}  // namespace

cv::Mat classic_features(const ClassicSpec& spec, const TrainingData& data, const std::vector<int64_t>& indices) {
  cv::Mat features;
  const InputShape shape = data.input();
  for (size_t row_index = 0; row_index < indices.size(); ++row_index) {
    const int64_t index = indices[row_index];
    const cv::Mat cached(shape.height, shape.width, CV_8UC(shape.channels), const_cast<uint8_t*>(data.cache->image(index)));
    const cv::Mat row = ClassicModel::features_of(spec, data.pipeline.finish_uint8(cached.clone()));
    if (features.empty()) features.create(static_cast<int>(indices.size()), row.cols, CV_32F);
    row.convertTo(features.row(static_cast<int>(row_index)), CV_32F);
  }
  return features;
}

ClassicOutcome train_classic_model(const Workspace& workspace, Registry& registry, const TrainOptions& options,
                                   const TrainingData& data) {
  const ClassicSpec spec = ClassicSpec::parse(options.arch);
  const auto start = std::chrono::steady_clock::now();
  const std::vector<int64_t>& train = data.split(kSplitTrain);
  std::vector<int> train_labels;
  for (int64_t index : train) train_labels.push_back(data.labels[index]);
  const ClassicModel classic = ClassicModel::train(spec, classic_features(spec, data, train), train_labels, data.classes());
  ClassicOutcome outcome;
  outcome.training_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();

  const std::vector<int64_t>& val = data.split(kSplitVal);
  const std::vector<float> probabilities = classic.predict_probabilities(classic_features(spec, data, val));
  int64_t correct = 0;
  for (size_t row = 0; row < val.size(); ++row) {
    const float* scores = probabilities.data() + row * data.classes();
    correct += (std::max_element(scores, scores + data.classes()) - scores) == data.labels[val[row]] ? 1 : 0;
  }
  outcome.val_accuracy = val.empty() ? 0 : static_cast<double>(correct) / val.size();

  StoredModel& model = outcome.model;
  model.id = new_record_id(kModelPrefix, spec.to_string() + data.version.id);
  model.kind = kModelKindClassic;
  model.arch = spec.to_string();
  describe_training_data(data, model);
  model.lineage.seed = options.seed;
  model.lineage.config = options.to_json();
  model.metrics = Json{{"val_accuracy", outcome.val_accuracy}, {"training_seconds", outcome.training_seconds}};
  model.diagnosis = Json::object();
  model.parameters = classic.parameter_count();
  model.mflops = classic.mflops();
  model.created_at = utc_timestamp();
  std::filesystem::create_directories(workspace.model_dir(model.id));
  classic.save(model_classic_path(workspace, model.id));
  write_stored_model(workspace, model);
  const ModelRecord record{model.id, "", data.version.id, model.kind, model.arch, model.parameters, model.mflops,
                           outcome.val_accuracy,
                           std::filesystem::relative(workspace.model_dir(model.id), workspace.state_dir()).string(),
                           model.created_at};
  registry.in_transaction([&](SQLite::Database&) { ModelStore(registry).add_model(record); });
  return outcome;
}

}  // namespace edgeloop
