// `bundle verify` and the device agree on a real bundle (random weights, fp32 and int8 ONNX):
// whatever the device refuses at load, verification refuses too, with the same one line; and the
// device binary refuses hostile bundles and settings with one line instead of crashing.
#include <gtest/gtest.h>

#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include <httplib.h>

#include "edged/random_bundle.h"
#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/edge/bundle_model_loader.h"
#include "edgeloop/edge/edge_device.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr int kFrames = 5;
const std::string kBinary = std::string(EDGELOOP_BINARY_DIR) + "/src/edged/edgeloop-edge";

class BundleVerificationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    images_ = testing::random_gray_images(40, 28, /*seed=*/5);
    testing::write_random_bundle(bundle_dir(), {}, images_);
    std::filesystem::create_directories(images_dir());
    for (int index = 0; index < kFrames; ++index) {
      cv::imwrite((images_dir() / ("image_" + std::to_string(index) + ".png")).string(), images_[static_cast<size_t>(index)]);
    }
  }
  std::filesystem::path images_dir() const { return directory_ / "images"; }
  std::filesystem::path bundle_dir() const { return directory_ / "bundle"; }

  // The message verification throws, after checking that the device's loader throws the same.
  std::string refusal() {
    std::string device_message;
    try {
      load_model_from_bundle(bundle_dir(), ModelLoadOptions{});
    } catch (const Error& error) {
      device_message = error.what();
    }
    try {
      verify_bundle_for_device(bundle_dir());
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kCorrupt) << error.what();
      if (!device_message.empty()) EXPECT_EQ(device_message, error.what());
      return error.what();
    }
    ADD_FAILURE() << "verification passed";
    return "";
  }

  // Rewrites bundle.json after `edit`, with every hash recomputed (as a hostile exporter would).
  template <typename Edit>
  void rewrite_manifest(Edit edit) {
    Bundle bundle = load_bundle(bundle_dir());
    edit(bundle);
    write_bundle_manifest(bundle);
  }

  testing::TempDir directory_;
  std::vector<cv::Mat> images_;
};

TEST_F(BundleVerificationTest, a_good_bundle_passes_on_both_engines) {
  const BundleVerification verification = verify_bundle_for_device(bundle_dir());
  EXPECT_EQ(verification.engines, (std::vector<std::string>{"xnnpack", "xnnpack-int8"}));
  EXPECT_EQ(verification.bundle.labels.size(), 10u);
}

TEST_F(BundleVerificationTest, a_label_count_unlike_the_models_output_is_refused) {
  rewrite_manifest([](Bundle& bundle) { bundle.labels.resize(3); });
  EXPECT_NE(refusal().find("gives 10 classes but bundle.json lists 3 labels"), std::string::npos);
}

TEST_F(BundleVerificationTest, a_garbage_int8_model_is_refused_even_when_fp32_is_good) {
  rewrite_manifest([this](Bundle&) {
    write_file_atomically(bundle_dir() / kBundleInt8ModelName, std::string_view("not an onnx model at all"));
  });
  try {
    verify_bundle_for_device(bundle_dir());
    FAIL() << "verification passed";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("model.int8.onnx"), std::string::npos) << error.what();
  }
}

TEST_F(BundleVerificationTest, reference_statistics_that_do_not_add_up_are_refused) {
  rewrite_manifest([](Bundle& bundle) { bundle.reference_statistics["features"][0]["count"] = 999999; });
  EXPECT_NE(refusal().find("reference statistics"), std::string::npos);
}

TEST_F(BundleVerificationTest, a_preprocessing_resize_beyond_the_cap_is_refused_by_verify_and_by_the_device) {
  // Written by hand, hashes recomputed: Pipeline refuses to build such a spec.
  Json manifest = load_json_file_limited(bundle_dir() / kBundleManifestName);
  for (Json& op : manifest["preprocess"]["ops"]) {
    if (op["op"] == "resize") op["width"] = op["height"] = 60000;
  }
  manifest.erase("manifest_sha256");
  manifest["manifest_sha256"] = sha256_hex(canonical_json(manifest));
  write_file_atomically(bundle_dir() / kBundleManifestName, manifest.dump(2));
  EXPECT_NE(refusal().find("from 1 to 4096"), std::string::npos);
  const testing::CommandOutput device = testing::run_shell(
      kBinary + " --bundle " + testing::shell_quote(bundle_dir().string()) + " --source " +
      testing::shell_quote(images_dir().string()) + " --no-http -q 2>&1 >/dev/null");
  EXPECT_EQ(device.exit_status, static_cast<int>(ErrorCode::kCorrupt)) << device.output;
  EXPECT_NE(device.output.find("from 1 to 4096"), std::string::npos) << device.output;
  EXPECT_EQ(std::count(device.output.begin(), device.output.end(), '\n'), 1) << device.output;
}

TEST_F(BundleVerificationTest, a_thread_count_beyond_the_cores_runs_on_the_cores) {
  const testing::CommandOutput device = testing::run_shell(
      "timeout 60 " + kBinary + " --bundle " + testing::shell_quote(bundle_dir().string()) + " --source " +
      testing::shell_quote(images_dir().string()) + " --threads 100000 --no-http -q");
  EXPECT_EQ(device.exit_status, 0);
  EXPECT_EQ(std::count(device.output.begin(), device.output.end(), '\n'), kFrames) << device.output;
}

TEST_F(BundleVerificationTest, a_swap_to_a_bundle_json_of_random_bytes_is_a_422_and_the_model_stays) {
  std::filesystem::create_directories(directory_ / "noise");
  std::string noise;
  for (int index = 0; index < 2048; ++index) noise.push_back(static_cast<char>((index * 7919 + 13) % 256));
  write_file_atomically(directory_ / "noise" / kBundleManifestName, noise);
  EdgeOptions options;
  options.bundle = bundle_dir();
  options.source = images_dir().string();
  options.source_options.loop = true;
  options.source_options.fps = 50;
  options.jsonl_stdout = false;
  options.http.port = 0;
  EdgeDevice device(options, bundle_model_loader({}), nullptr);
  std::thread runner([&] { device.run(); });
  for (int attempt = 0; attempt < 500 && device.http_port() <= 0; ++attempt) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  httplib::Client client("127.0.0.1", device.http_port());
  const Json body{{"bundle", (directory_ / "noise").string()}};
  auto response = client.Post("/v1/model?wait=1", body.dump(), "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 422) << response->body;
  EXPECT_NE(Json::parse(response->body).dump().find("not valid JSON"), std::string::npos) << response->body;
  EXPECT_EQ(device.models().current()->model_id, "random-cnn-s");
  device.stop();
  runner.join();
}

}  // namespace
}  // namespace edgeloop
