#include "edgeloop/train/training_data.h"

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {
constexpr int kColorChannels = 3;
}  // namespace

int64_t TrainingData::steps_per_epoch(int batch) const {
  const int64_t images = static_cast<int64_t>(split(kSplitTrain).size());
  return (images + batch - 1) / batch;
}

const std::vector<int64_t>& TrainingData::split(const std::string& name) const {
  const auto found = splits.find(name);
  if (found == splits.end() || found->second.empty()) {
    std::string existing;
    for (const auto& [split_name, indices] : splits) existing += " " + split_name;
    throw not_found("dataset " + version.reference() + " has no labelled `" + name + "` samples (it has:" +
                    (existing.empty() ? std::string(" none") : existing) +
                    "): split it first with `edgeloop data split " + version.dataset + "`");
  }
  return found->second;
}

void describe_training_data(const TrainingData& data, StoredModel& model) {
  model.labels = data.version.classes;
  model.input = data.input();
  model.preprocess = data.pipeline.to_json();
  model.preprocess_hash = data.pipeline.hash();
  model.lineage.dataset = data.version.dataset;
  model.lineage.dataset_version = data.version.id;
  model.lineage.dataset_number = data.version.number;
}

TrainingData prepare_training_data(const Workspace& workspace, Registry& registry, const std::string& data_reference,
                                   const Json& pipeline_json, int threads, const ProgressCallback& progress) {
  DatasetStore store(registry);
  TrainingData data;
  data.version = store.resolve(data_reference);
  const std::vector<Sample> samples = store.samples(data.version.id);
  if (samples.empty()) throw not_found("dataset " + data.version.reference() + " has no samples: import some first");
  if (!pipeline_json.is_null() && !pipeline_json.empty()) {
    data.pipeline = Pipeline::from_json(pipeline_json);
  } else {
    const auto first = store.object(samples.front().object_hash);
    if (!first) throw corrupt("object " + samples.front().object_hash + " is in the dataset but not in the registry");
    const InputShape shape{first->channels == 1 ? 1 : kColorChannels, first->height, first->width};
    data.pipeline = Pipeline::default_for(shape);
  }
  std::vector<std::string> hashes;
  hashes.reserve(samples.size());
  for (const Sample& sample : samples) hashes.push_back(sample.object_hash);
  data.cache = build_tensor_cache(workspace, data.version.id, hashes, data.pipeline, threads, progress);
  data.labels.reserve(samples.size());
  for (size_t index = 0; index < samples.size(); ++index) {
    const Sample& sample = samples[index];
    data.labels.push_back(sample.label);
    if (sample.label < 0 || sample.split.empty()) continue;
    auto& indices = data.splits[sample.split];
    const int copies = sample.split == kSplitTrain ? std::max(1, sample.copies) : 1;
    for (int copy = 0; copy < copies; ++copy) indices.push_back(static_cast<int64_t>(index));
  }
  return data;
}

}  // namespace edgeloop
