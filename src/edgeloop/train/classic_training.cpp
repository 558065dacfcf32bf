#include "edgeloop/train/classic_training.h"

#include <chrono>

#include "edgeloop/core/stopwatch.h"
#include "edgeloop/train/trained_model_store.h"

namespace edgeloop {

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
  outcome.training_seconds = seconds_since(start);

  const std::vector<int64_t>& val = data.split(kSplitVal);
  const std::vector<float> probabilities = classic.predict_probabilities(classic_features(spec, data, val));
  int64_t correct = 0;
  for (size_t row = 0; row < val.size(); ++row) {
    const float* scores = probabilities.data() + row * data.classes();
    correct += (std::max_element(scores, scores + data.classes()) - scores) == data.labels[val[row]] ? 1 : 0;
  }
  outcome.val_accuracy = val.empty() ? 0 : static_cast<double>(correct) / val.size();

  StoredModel& model = outcome.model;
  model.kind = kModelKindClassic;
  model.arch = spec.to_string();
  describe_training_data(data, model);
  model.lineage.seed = options.seed;
  model.lineage.config = options.to_json();
  model.metrics = Json{{"val_accuracy", outcome.val_accuracy}, {"training_seconds", outcome.training_seconds}};
  model.diagnosis = Json::object();
  model.parameters = classic.parameter_count();
  model.mflops = classic.mflops();
  TrainedModelFiles files;
  files.id_salt = spec.to_string() + data.version.id;
  files.val_accuracy = outcome.val_accuracy;
  files.write_files = [&] { classic.save(model_classic_path(workspace, model.id)); };
  store_trained_model(workspace, registry, model, files);
  return outcome;
}

}  // namespace edgeloop
