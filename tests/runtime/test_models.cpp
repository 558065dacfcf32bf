#include "runtime/test_models.h"

#include <gtest/gtest.h>

#include <unistd.h>

#include <fstream>
#include <random>

#include "edgeloop/core/hash.h"
#include "support/subprocess.h"

namespace edgeloop::testing {

std::vector<std::string> test_families() { return {"linear", "mlp", "cnn-s", "cnn-m", "cnn-l", "mobilenet", "resnet"}; }

std::filesystem::path test_model(const std::string& family, bool int8) {
  namespace fs = std::filesystem;
  fs::path script = fs::path(EDGELOOP_SOURCE_DIR) / "bench/runtime/make_test_models.py";
  fs::path folder = fs::path(EDGELOOP_BINARY_DIR) / "tests/runtime/models" / sha256_file(script).substr(0, 16);
  if (!fs::exists(folder / "done")) {
    fs::path staging = folder.string() + ".tmp" + std::to_string(::getpid());
    CommandOutput made = run_shell("/usr/bin/python3 " + script.string() + " --int8 --out " + staging.string() +
                                   " 2>&1");
    EXPECT_EQ(made.exit_status, 0) << made.output;
    std::ofstream(staging / "done") << "ok\n";
    std::error_code ignored;
    fs::rename(staging, folder, ignored);   // another test process may have won the race
    fs::remove_all(staging, ignored);
  }
  return folder / (family + (int8 ? ".int8.onnx" : ".onnx"));
}

std::vector<float> random_images(int batch, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  std::vector<float> values(size_t(batch) * kTestImageSize * kTestImageSize * kTestImageChannels);
  for (float& value : values) value = uniform(generator);
  return values;
}

}  // namespace edgeloop::testing
