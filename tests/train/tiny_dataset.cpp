#include "train/tiny_dataset.h"

#include <random>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/data/object_store.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop::testing {

namespace {
constexpr int kNoiseLevel = 40;      // uniform noise amplitude, gray levels
constexpr int kSquareLevel = 200;    // the class's bright square
}  // namespace

std::string make_tiny_dataset(const Workspace& workspace, const std::string& name, const TinyDatasetOptions& options) {
  ObjectStore objects(workspace);
  Registry registry = Registry::open(workspace.registry_path());
  DatasetStore store(registry);
  std::mt19937 random(options.seed);
  std::uniform_int_distribution<int> noise(0, kNoiseLevel);
  NewVersion version;
  version.dataset = name;
  version.change = "test data";
  std::vector<ObjectInfo> infos;
  for (int label = 0; label < options.classes; ++label) version.classes.push_back("class" + std::to_string(label));
  const int per_class = options.train_per_class + options.val_per_class + options.test_per_class;
  for (int label = 0; label < options.classes; ++label) {
    for (int item = 0; item < per_class; ++item) {
      cv::Mat image(options.size, options.size, CV_8UC1);
      for (int row = 0; row < options.size; ++row) {
        for (int column = 0; column < options.size; ++column) image.at<uint8_t>(row, column) = noise(random);
      }
      const int half = options.size / 2;
      if (!options.pure_noise) {
        const cv::Rect square((label % 2) * half + 1, ((label / 2) % 2) * half + 1, half - 2, half - 2);
        image(square) += cv::Scalar(kSquareLevel);
      } else {
        image.at<uint8_t>(0, 0) = static_cast<uint8_t>(item);   // distinct images
        image.at<uint8_t>(0, 1) = static_cast<uint8_t>(label);
      }
      std::vector<uint8_t> png;
      cv::imencode(".png", image, png);
      const PutResult put = objects.put(png);
      infos.push_back(ObjectInfo{put.hash, static_cast<int64_t>(png.size()), "png", options.size, options.size, 1});
      Sample sample;
      sample.object_hash = put.hash;
      sample.label = label;
      sample.split = item < options.train_per_class ? "train"
                     : item < options.train_per_class + options.val_per_class ? "val" : "test:holdout";
      sample.origin = "generated";
      version.samples.push_back(sample);
    }
  }
  DatasetVersion created;
  registry.in_transaction([&](SQLite::Database&) {
    store.add_objects(infos);
    created = store.add_version(version);
  });
  return created.reference();
}

}  // namespace edgeloop::testing
