#include <gtest/gtest.h>

#include <random>

#include "edgeloop/core/error.h"
#include "edgeloop/models/classic_model.h"
#include "support/temp_dir.h"

namespace edgeloop {

namespace {
// Two classes of 8×8 images: bright left half (a vertical edge) or bright top half (a horizontal edge), plus noise.
void make_images(int per_class, cv::Mat& raw_images, std::vector<cv::Mat>& images, std::vector<int>& labels) {
  std::mt19937 random(3);
  std::uniform_real_distribution<float> noise(0.0f, 0.3f);
  for (int label = 0; label < 2; ++label) {
    for (int item = 0; item < per_class; ++item) {
      cv::Mat image(8, 8, CV_32FC1);
      for (int row = 0; row < 8; ++row) {
        for (int column = 0; column < 8; ++column) {
          image.at<float>(row, column) = noise(random) + ((label == 0 ? column : row) < 4 ? 0.6f : 0.0f);
        }
      }
      images.push_back(image);
      labels.push_back(label);
    }
  }
  raw_images.release();
}

cv::Mat feature_rows(const ClassicSpec& spec, const std::vector<cv::Mat>& images) {
  cv::Mat rows;
  for (const auto& image : images) rows.push_back(ClassicModel::features_of(spec, image));
  return rows;
}
}  // namespace

TEST(ClassicModel, baselines_learn_separable_classes_and_survive_save_and_load) {
  testing::TempDir dir;
  cv::Mat unused;
  std::vector<cv::Mat> images;
  std::vector<int> labels;
  make_images(20, unused, images, labels);
  for (const std::string& text : {"knn:raw", "knn:hog,k=3", "logreg:raw", "logreg:hog"}) {
    const ClassicSpec spec = ClassicSpec::parse(text);
    const cv::Mat features = feature_rows(spec, images);
    const ClassicModel model = ClassicModel::train(spec, features, labels, 2);
    const std::vector<float> before = model.predict_probabilities(features);
    int correct = 0;
    for (size_t row = 0; row < labels.size(); ++row) correct += (before[row * 2 + 1] > before[row * 2]) == (labels[row] == 1);
    EXPECT_GE(correct, 36) << text;
    model.save(dir / "classic.yml");
    const ClassicModel loaded = ClassicModel::load(dir / "classic.yml");
    EXPECT_EQ(loaded.spec().to_string(), spec.to_string());
    const std::vector<float> after = loaded.predict_probabilities(features);
    ASSERT_EQ(after.size(), before.size());
    for (size_t index = 0; index < after.size(); ++index) EXPECT_NEAR(after[index], before[index], 1e-5) << text;
  }
}

TEST(ClassicModel, unknown_baseline_names_the_accepted_ones) {
  try {
    ClassicSpec::parse("svm:sift");
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("knn"), std::string::npos);
  }
  EXPECT_TRUE(is_classic_arch("knn:hog"));
  EXPECT_FALSE(is_classic_arch("cnn-s"));
}

}  // namespace edgeloop
