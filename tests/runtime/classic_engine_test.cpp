// The classic engine runs a stored OpenCV ml baseline like a network: probabilities per class and
// the feature row as the embedding; it needs the input shape, which classic.yml does not hold.
#include <gtest/gtest.h>

#include <opencv2/core.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/models/classic_model.h"
#include "edgeloop/runtime/engine.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr int kSide = 8;
constexpr int kPerClass = 10;

// A dark (class 0) or bright (class 1) image with noise, float HWC 0..1.
cv::Mat image_of(int label, cv::RNG& random) {
  cv::Mat image(kSide, kSide, CV_32FC1);
  random.fill(image, cv::RNG::UNIFORM, label == 0 ? 0.0 : 0.6, label == 0 ? 0.4 : 1.0);
  return image;
}

TEST(ClassicEngine, classifies_like_the_stored_baseline_and_returns_its_features) {
  cv::RNG random(1);
  ClassicSpec spec = ClassicSpec::parse("knn");
  cv::Mat features;
  std::vector<int> labels;
  for (int index = 0; index < 2 * kPerClass; ++index) {
    features.push_back(ClassicModel::features_of(spec, image_of(index % 2, random)));
    labels.push_back(index % 2);
  }
  testing::TempDir folder;
  ClassicModel::train(spec, features, labels, 2).save(folder / "classic.yml");

  EngineOptions options;
  options.input_shape = {1, kSide, kSide};
  auto engine = make_engine("classic", folder / "classic.yml", options);
  EXPECT_EQ(engine->name(), "classic");
  cv::Mat dark = image_of(0, random), bright = image_of(1, random);
  std::vector<float> batch(dark.ptr<float>(), dark.ptr<float>() + dark.total());
  batch.insert(batch.end(), bright.ptr<float>(), bright.ptr<float>() + bright.total());
  InferenceResult result = engine->infer(batch.data(), 2);
  ASSERT_EQ(result.classes, 2);
  EXPECT_GT(result.probabilities[0], result.probabilities[1]);   // dark → class 0
  EXPECT_GT(result.probabilities[3], result.probabilities[2]);   // bright → class 1
  EXPECT_EQ(result.embedding_size, kSide * kSide);
}

TEST(ClassicEngine, refuses_to_load_without_the_input_shape) {
  testing::TempDir folder;
  try {
    make_engine("classic", folder / "classic.yml", EngineOptions{});
    FAIL() << "built a classic engine without an input shape";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
  }
}

}  // namespace
}  // namespace edgeloop
