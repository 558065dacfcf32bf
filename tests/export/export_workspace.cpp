#include "export/export_workspace.h"

#include <random>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/data/object_store.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/models/weights_file.h"

namespace edgeloop::testing {
namespace {

constexpr int kSide = 28;
constexpr float kLearningRate = 3e-3f;
constexpr int kTrainBatch = 32;
constexpr int kBatchNormWarmupBatches = 3;

// Class 0: horizontal stripes, 1: vertical stripes, 2: a bright square; random phase and noise.
cv::Mat synthetic_image(int label, std::mt19937& generator) {
  std::uniform_int_distribution<int> phase(0, 5), noise(-40, 40), corner(2, 14);
  cv::Mat image(kSide, kSide, CV_8UC1);
  const int offset = phase(generator), left = corner(generator), top = corner(generator);
  for (int row = 0; row < kSide; ++row) {
    for (int column = 0; column < kSide; ++column) {
      int value = 60;
      if (label == 0) value = ((row + offset) / 3) % 2 ? 200 : 60;
      if (label == 1) value = ((column + offset) / 3) % 2 ? 200 : 60;
      if (label == 2) value = (row >= top && row < top + 10 && column >= left && column < left + 10) ? 220 : 50;
      image.at<uint8_t>(row, column) = cv::saturate_cast<uint8_t>(value + noise(generator));
    }
  }
  return image;
}

}  // namespace

ExportWorkspace::ExportWorkspace(int train_images, int val_images) : workspace_(Workspace::init(dir_ / "ws")) {
  Registry registry = Registry::open(workspace_.registry_path());
  ObjectStore objects(workspace_);
  DatasetStore datasets(registry);
  std::mt19937 generator(11);
  NewVersion version;
  version.dataset = "stripes";
  version.change = "made by the export tests";
  version.classes = {"horizontal", "vertical", "square"};
  std::vector<ObjectInfo> infos;
  for (int index = 0; index < train_images + val_images; ++index) {
    const int label = index % kExportTestClasses;
    std::vector<uint8_t> png;
    cv::imencode(".png", synthetic_image(label, generator), png);
    const PutResult put = objects.put(png, FileSync::kDeferred);
    infos.push_back(ObjectInfo{put.hash, static_cast<int64_t>(png.size()), "png", kSide, kSide, 1});
    Sample sample;
    sample.object_hash = put.hash;
    sample.label = label;
    sample.split = index < train_images ? kSplitTrain : kSplitVal;
    sample.origin = "synthetic#" + std::to_string(index);
    version.samples.push_back(sample);
  }
  objects.sync();
  registry.in_transaction([&](SQLite::Database&) {
    datasets.add_objects(infos);
    version_ = datasets.add_version(version);
  });
}

torch::Tensor ExportWorkspace::batch_of(const std::string& split, int first, int count, torch::Tensor* labels) const {
  Registry registry = Registry::open(workspace_.registry_path());
  DatasetStore datasets(registry);
  ObjectStore objects(workspace_);
  const Pipeline pipeline = Pipeline::default_for(InputShape{1, kSide, kSide});
  const std::vector<Sample> samples = datasets.samples(version_.id, split);
  std::vector<float> values;
  std::vector<int64_t> label_values;
  for (int index = first; index < std::min<int>(first + count, static_cast<int>(samples.size())); ++index) {
    cv::Mat input = pipeline.apply(objects.decode(samples[index].object_hash));
    values.insert(values.end(), input.ptr<float>(), input.ptr<float>() + input.total());
    label_values.push_back(samples[index].label);
  }
  const int64_t batch = static_cast<int64_t>(label_values.size());
  if (labels) *labels = torch::tensor(label_values, torch::kLong);
  return torch::from_blob(values.data(), {batch, 1, kSide, kSide}, torch::kFloat32).clone();
}

LayerGraphModule ExportWorkspace::make_module(const std::string& family) const {
  ArchSpec spec = ArchSpec::parse(family);
  spec.input = InputShape{1, kSide, kSide};
  spec.classes = kExportTestClasses;
  torch::manual_seed(3);
  LayerGraphModule module(spec);
  module->train();
  torch::NoGradGuard no_gradients;
  for (int batch = 0; batch < kBatchNormWarmupBatches; ++batch) module->forward(batch_of(kSplitTrain, batch * kTrainBatch, kTrainBatch, nullptr));
  module->eval();
  return module;
}

double ExportWorkspace::train(LayerGraphModuleImpl& module, int steps) const {
  torch::Tensor labels;
  const torch::Tensor images = batch_of(kSplitTrain, 0, 1 << 20, &labels);
  torch::optim::Adam optimizer(module.parameters(), torch::optim::AdamOptions(kLearningRate));
  module.train();
  const int64_t count = images.size(0);
  for (int step = 0; step < steps; ++step) {
    const int64_t first = (static_cast<int64_t>(step) * kTrainBatch) % std::max<int64_t>(count - kTrainBatch, 1);
    optimizer.zero_grad();
    torch::Tensor loss = torch::nn::functional::cross_entropy(module.forward(images.narrow(0, first, kTrainBatch)),
                                                              labels.narrow(0, first, kTrainBatch));
    loss.backward();
    optimizer.step();
  }
  module.eval();
  torch::NoGradGuard no_gradients;
  torch::Tensor val_labels;
  const torch::Tensor val = batch_of(kSplitVal, 0, 1 << 20, &val_labels);
  return module.forward(val).argmax(1).eq(val_labels).to(torch::kFloat32).mean().item<double>();
}

std::string ExportWorkspace::store(LayerGraphModuleImpl& module, const std::string& family, const std::string& id) const {
  StoredModel model;
  model.id = id;
  model.arch = family;
  model.spec = module.spec();
  model.labels = version_.classes;
  model.input = model.spec.input;
  const Pipeline pipeline = Pipeline::default_for(model.input);
  model.preprocess = pipeline.to_json();
  model.preprocess_hash = pipeline.hash();
  model.lineage.dataset = version_.dataset;
  model.lineage.dataset_version = version_.id;
  model.lineage.dataset_number = version_.number;
  model.created_at = utc_timestamp();
  std::filesystem::create_directories(workspace_.model_dir(id));
  save_module_weights(module, model_weights_path(workspace_, id));
  write_stored_model(workspace_, model);
  return id;
}

}  // namespace edgeloop::testing
