#include "edgeloop/models/classic_model.h"

#include <algorithm>
#include <cmath>
#include <sstream>

#include <opencv2/imgproc.hpp>
#include <opencv2/objdetect.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr int kHogCellsAcross = 4;          // HOG cells per image side
constexpr int kMinimumHogCell = 4;          // pixels
constexpr int kHogBins = 9;
constexpr double kFullScale = 255.0;
constexpr double kLogisticLearningRate = 0.5;
constexpr int kLogisticIterations = 300;
constexpr int kLogisticMiniBatch = 256;
constexpr const char* kSpecKey = "edgeloop_classic_spec";
constexpr const char* kModelKey = "model";

cv::HOGDescriptor hog_for(int height, int width, int& side) {
  const int cell = std::max(kMinimumHogCell, std::min(height, width) / kHogCellsAcross);
  side = cell * kHogCellsAcross;
  return cv::HOGDescriptor(cv::Size(side, side), cv::Size(2 * cell, 2 * cell), cv::Size(cell, cell), cv::Size(cell, cell),
                           kHogBins);
}

}  // namespace

ClassicSpec ClassicSpec::parse(const std::string& text) {
  ClassicSpec spec;
  const size_t colon = text.find(':');
  spec.algorithm = text.substr(0, colon);
  if (spec.algorithm != "knn" && spec.algorithm != "logreg") {
    throw invalid_argument("unknown classic baseline `" + text + "`: use knn or logreg, optionally :hog or :raw (knn:hog,k=3)");
  }
  if (colon == std::string::npos) return spec;
  std::stringstream options(text.substr(colon + 1));
  std::string option;
  while (std::getline(options, option, ',')) {
    if (option == "raw" || option == "hog") {
      spec.features = option;
    } else if (option.rfind("k=", 0) == 0 && spec.algorithm == "knn") {
      spec.neighbours = std::atoi(option.c_str() + 2);
      if (spec.neighbours < 1) throw invalid_argument("classic baseline `" + text + "`: k must be >= 1");
    } else {
      throw invalid_argument("classic baseline `" + text + "`: unknown option `" + option + "`: use raw, hog or k=N (knn)");
    }
  }
  return spec;
}

std::string ClassicSpec::to_string() const {
  std::string text = algorithm + ":" + features;
  if (algorithm == "knn" && neighbours != ClassicSpec{}.neighbours) text += ",k=" + std::to_string(neighbours);
  return text;
}

bool is_classic_arch(const std::string& text) {
  const std::string family = text.substr(0, text.find(':'));
  return family == "knn" || family == "logreg";
}

cv::Mat ClassicModel::features_of(const ClassicSpec& spec, const cv::Mat& image) {
  if (spec.features == "raw") return image.reshape(1, 1).clone();
  cv::Mat gray;
  if (image.channels() == 1) {
    gray = image;
  } else {
    cv::cvtColor(image, gray, image.channels() == 3 ? cv::COLOR_RGB2GRAY : cv::COLOR_RGBA2GRAY);
  }
  cv::Mat bytes;
  gray.convertTo(bytes, CV_8U, kFullScale);
  int side = 0;
  cv::HOGDescriptor hog = hog_for(bytes.rows, bytes.cols, side);
  cv::Mat resized;
  cv::resize(bytes, resized, cv::Size(side, side), 0, 0, cv::INTER_AREA);
  std::vector<float> descriptor;
  hog.compute(resized, descriptor);
  return cv::Mat(descriptor, /*copyData=*/true).reshape(1, 1);
}

ClassicModel ClassicModel::train(const ClassicSpec& spec, const cv::Mat& features, const std::vector<int>& labels,
                                 int classes) {
  ClassicModel model;
  model.spec_ = spec;
  model.classes_ = classes;
  model.feature_size_ = features.cols;
  model.training_samples_ = features.rows;
  try {
    if (spec.algorithm == "knn") {
      cv::Mat responses(static_cast<int>(labels.size()), 1, CV_32F);
      for (size_t index = 0; index < labels.size(); ++index) responses.at<float>(static_cast<int>(index)) = float(labels[index]);
      model.nearest_ = cv::ml::KNearest::create();
      model.nearest_->setDefaultK(spec.neighbours);
      model.nearest_->setIsClassifier(true);
      model.nearest_->train(features, cv::ml::ROW_SAMPLE, responses);
    } else {
      cv::Mat responses(static_cast<int>(labels.size()), 1, CV_32F);
      for (size_t index = 0; index < labels.size(); ++index) responses.at<float>(static_cast<int>(index)) = float(labels[index]);
      model.regression_ = cv::ml::LogisticRegression::create();
      model.regression_->setLearningRate(kLogisticLearningRate);
      model.regression_->setIterations(kLogisticIterations);
      model.regression_->setRegularization(cv::ml::LogisticRegression::REG_L2);
      model.regression_->setTrainMethod(cv::ml::LogisticRegression::MINI_BATCH);
      model.regression_->setMiniBatchSize(kLogisticMiniBatch);
      model.regression_->train(features, cv::ml::ROW_SAMPLE, responses);
    }
  } catch (const cv::Exception& error) {
    throw invalid_argument("training the " + spec.to_string() + " baseline failed: " + error.what());
  }
  return model;
}

std::vector<float> ClassicModel::predict_probabilities(const cv::Mat& features) const {
  std::vector<float> probabilities(static_cast<size_t>(features.rows) * classes_, 0.0f);
  try {
    if (nearest_) {
      cv::Mat results, neighbour_labels;
      nearest_->findNearest(features, spec_.neighbours, results, neighbour_labels);
      for (int row = 0; row < features.rows; ++row) {
        for (int neighbour = 0; neighbour < neighbour_labels.cols; ++neighbour) {
          const int label = static_cast<int>(neighbour_labels.at<float>(row, neighbour));
          if (label >= 0 && label < classes_) probabilities[row * classes_ + label] += 1.0f / neighbour_labels.cols;
        }
      }
    } else {
      // One-vs-rest sigmoid scores from the learnt thetas ([classes or 1, 1 + D]), normalised.
      const cv::Mat thetas = regression_->get_learnt_thetas();
      cv::Mat with_bias;
      cv::hconcat(cv::Mat::ones(features.rows, 1, CV_32F), features, with_bias);
      cv::Mat scores = with_bias * thetas.t();
      for (int row = 0; row < features.rows; ++row) {
        double total = 0;
        std::vector<double> sigmoid(classes_, 0.0);
        if (thetas.rows == 1) {   // two classes: one theta for class 1
          const double positive = 1.0 / (1.0 + std::exp(-scores.at<float>(row, 0)));
          sigmoid = {1.0 - positive, positive};
        } else {
          for (int label = 0; label < classes_ && label < thetas.rows; ++label) {
            sigmoid[label] = 1.0 / (1.0 + std::exp(-scores.at<float>(row, label)));
          }
        }
        for (double value : sigmoid) total += value;
        for (int label = 0; label < classes_; ++label) {
          probabilities[row * classes_ + label] = static_cast<float>(total > 0 ? sigmoid[label] / total : 1.0 / classes_);
        }
      }
    }
  } catch (const cv::Exception& error) {
    throw invalid_argument("the " + spec_.to_string() + " baseline cannot predict: " + error.what());
  }
  return probabilities;
}

void ClassicModel::save(const std::filesystem::path& path) const {
  cv::FileStorage storage(".yml", cv::FileStorage::WRITE | cv::FileStorage::MEMORY);
  storage << kSpecKey << "{" << "text" << spec_.to_string() << "classes" << classes_ << "feature_size" << feature_size_
          << "training_samples" << static_cast<double>(training_samples_) << "}";
  storage << kModelKey << "{";
  if (nearest_) nearest_->write(storage);
  else regression_->write(storage);
  storage << "}";
  write_file_atomically(path, storage.releaseAndGetString());
}

ClassicModel ClassicModel::load(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  try {
    cv::FileStorage storage(text, cv::FileStorage::READ | cv::FileStorage::MEMORY);
    const cv::FileNode header = storage[kSpecKey];
    if (header.empty()) throw corrupt("classic model " + path.string() + " has no spec: retrain it");
    ClassicModel model;
    model.spec_ = ClassicSpec::parse(static_cast<std::string>(header["text"]));
    model.classes_ = static_cast<int>(header["classes"]);
    model.feature_size_ = static_cast<int>(header["feature_size"]);
    model.training_samples_ = static_cast<int64_t>(static_cast<double>(header["training_samples"]));
    const cv::FileNode node = storage[kModelKey];
    if (model.spec_.algorithm == "knn") {
      model.nearest_ = cv::ml::KNearest::create();
      model.nearest_->read(node);
    } else {
      model.regression_ = cv::ml::LogisticRegression::create();
      model.regression_->read(node);
    }
    return model;
  } catch (const cv::Exception& error) {
    throw corrupt("classic model " + path.string() + " cannot be read (" + error.what() + "): retrain it");
  }
}

int64_t ClassicModel::parameter_count() const {
  if (nearest_) return training_samples_ * (feature_size_ + 1);
  return static_cast<int64_t>(classes_) * (feature_size_ + 1);
}

double ClassicModel::mflops() const {
  constexpr double kFlopsPerMultiplyAdd = 2.0;
  constexpr double kMillion = 1e6;
  const double multiply_adds = nearest_ ? static_cast<double>(training_samples_) * feature_size_
                                        : static_cast<double>(classes_) * feature_size_;
  return multiply_adds * kFlopsPerMultiplyAdd / kMillion;
}

}  // namespace edgeloop
