// ClassicModel: the simple baselines tried before any network, through OpenCV's ml module: k
// nearest neighbours and multinomial-style logistic regression (one-vs-rest, mini-batch gradient
// descent), on raw pixels or HOG features of the preprocessed image. Trained by train/ (`edgeloop
// train --arch knn:hog`), stored as classic.yml beside model.json, run by eval/ and the device's
// classic engine. LibTorch-free. predict_probabilities is const but OpenCV's models are not
// documented thread-safe: use one ClassicModel per thread.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <opencv2/core.hpp>
#include <opencv2/ml.hpp>

namespace edgeloop {

struct ClassicSpec {
  std::string algorithm = "knn";   // knn, logreg
  std::string features = "raw";    // raw (pixels, 0..1) or hog
  int neighbours = 5;              // knn: k

  // "knn", "knn:hog", "logreg:raw", "knn:hog,k=3". Throws Error naming the accepted forms.
  static ClassicSpec parse(const std::string& text);
  std::string to_string() const;
};

// True for architecture texts that name a classic baseline (knn..., logreg...).
bool is_classic_arch(const std::string& text);

class ClassicModel {
 public:
  // features: [N, D] CV_32F, one row per sample (features_of); labels: [N] in 0..classes-1.
  static ClassicModel train(const ClassicSpec& spec, const cv::Mat& features, const std::vector<int>& labels, int classes);
  // [N, classes] row-major probabilities (kNN: neighbour votes; logreg: normalised sigmoid scores).
  std::vector<float> predict_probabilities(const cv::Mat& features) const;

  // Atomic write of the OpenCV model plus the spec; load throws Error(kCorrupt) naming the file.
  void save(const std::filesystem::path& path) const;
  static ClassicModel load(const std::filesystem::path& path);

  // One feature row for a preprocessed image (float HWC, 0..1, as Pipeline::apply gives).
  static cv::Mat features_of(const ClassicSpec& spec, const cv::Mat& image);

  const ClassicSpec& spec() const { return spec_; }
  int classes() const { return classes_; }
  int64_t parameter_count() const;   // stored numbers: kNN keeps its training set
  double mflops() const;             // per image, multiply-adds × 2

 private:
  ClassicSpec spec_;
  int classes_ = 0;
  int feature_size_ = 0;
  int64_t training_samples_ = 0;
  cv::Ptr<cv::ml::KNearest> nearest_;
  cv::Ptr<cv::ml::LogisticRegression> regression_;
};

}  // namespace edgeloop
