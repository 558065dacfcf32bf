// Test models for the engine tests: small ONNX files of every ladder family written by PyTorch's
// exporter (bench/runtime/make_test_models.py, Debian python3-torch), made once per version of
// that script into the build folder and shared by the test processes. Plus seeded random input.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace edgeloop::testing {

constexpr int kTestImageChannels = 1;
constexpr int kTestImageSize = 28;
constexpr int kTestClasses = 10;

// <family>.onnx, or <family>.int8.onnx (QDQ) when int8; families: linear, mlp, cnn-s, cnn-m,
// cnn-l, mobilenet, resnet. Input [N, 1, 28, 28]. Fails the test when the script fails.
std::filesystem::path test_model(const std::string& family, bool int8 = false);
std::vector<std::string> test_families();

// [batch, 28, 28, 1] values uniform in 0..1, the same for the same seed.
std::vector<float> random_images(int batch, unsigned seed);

}  // namespace edgeloop::testing
