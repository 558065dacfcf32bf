// Parity check helpers for export: the largest probability difference between two runs, and the
// built-in OpenCV DNN runner (cv::dnn::readNetFromONNX) that every export checks against even
// when no other engine is passed in. Called by model_exporter.cpp and tests. Thread-safe.
#pragma once

#include <filesystem>
#include <vector>

namespace edgeloop {

constexpr const char* kOpenCvDnnParityEngine = "opencv-dnn";

// max |a_i − b_i|; throws Error(kInternal) when the sizes differ (an engine returned the wrong shape).
double max_abs_difference(const std::vector<float>& expected, const std::vector<float>& actual, const std::string& engine);

// Probabilities [batch, classes] of `model_file` for an NHWC batch through OpenCV DNN. Throws
// Error(kUnsupported) with OpenCV's message when it cannot import the file.
std::vector<float> opencv_dnn_probabilities(const std::filesystem::path& model_file, const std::vector<float>& nhwc,
                                            int batch, int channels, int height, int width);

// [batch, H, W, C] → [batch, C, H, W].
std::vector<float> nhwc_to_nchw(const std::vector<float>& nhwc, int batch, int channels, int height, int width);

// Index of the largest value in each row of a [rows, columns] matrix.
std::vector<int> row_argmax(const std::vector<float>& values, int columns);

}  // namespace edgeloop
