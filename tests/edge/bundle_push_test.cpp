// The rollout path end to end over real HTTP: deploy/device_push.h sends a bundle to a running
// EdgeDevice (edge/bundle_inbox.h receives it, the swapper puts it on probation). The bundles are
// real (hashes verified by load_bundle); the models behind them are the fake brightness engines,
// chosen by the bundle's metrics, so a "failing" bundle verifies and then fails on the stream.
#include <gtest/gtest.h>

#include <thread>

#include <httplib.h>

#include "edge/fakes.h"
#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/deploy/device_push.h"
#include "edgeloop/edge/edge_device.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

using testing::GeneratedSource;
using testing::make_brightness_model;

std::filesystem::path write_test_bundle(const std::filesystem::path& directory, const std::string& model_id,
                                        const std::string& behaviour) {
  Bundle bundle;
  bundle.directory = directory;
  std::filesystem::create_directories(directory);
  write_file_atomically(directory / kBundleFp32ModelName, std::string(5000, 'w') + model_id);
  write_file_atomically(directory / kBundleInt8ModelName, std::string(1500, 'q') + model_id);
  bundle.model_id = model_id;
  bundle.labels = {"dark", "bright"};
  bundle.metrics = {{"test_behaviour", behaviour}};
  bundle.files = {{kBundleFp32ModelName, {}}, {kBundleInt8ModelName, {}}};
  write_bundle_manifest(bundle);
  return directory;
}

// The real manifest and hash checks, then a fake engine: "failing" throws on every frame.
std::shared_ptr<LoadedModel> manifest_loader(const std::filesystem::path& directory) {
  const Bundle bundle = load_bundle(directory);
  auto model = make_brightness_model(bundle.model_id, std::chrono::microseconds(200));
  if (bundle.metrics.value("test_behaviour", "") == "failing") model->engine = std::make_unique<testing::FailingEngine>();
  return model;
}

class BundlePushTest : public ::testing::Test {
 protected:
  void SetUp() override {
    EdgeOptions options;
    options.bundle = write_test_bundle(temp_ / "model-a", "model-a", "good");
    options.bundle_store = temp_ / "store";
    options.http.port = 0;
    options.jsonl_stdout = false;
    options.swap.probation_frames = 30;
    // Both models run the same fake engine, so their latencies differ only by the machine's load
    // (a loaded CI runner measured 3 ms against 0.3 ms and rolled back); model_watch_test pins that rule.
    options.swap.max_latency_ratio = 0;
    device_ = std::make_unique<EdgeDevice>(
        options, manifest_loader, nullptr,
        std::make_unique<GeneratedSource>(-1, /*live=*/true, [](int64_t index) { return 40 + static_cast<int>(index % 180); }));
    runner_ = std::thread([this] { device_->run(); });
    while (device_->metrics().frames() < 60) std::this_thread::sleep_for(std::chrono::milliseconds(2));
    push_.url = "http://127.0.0.1:" + std::to_string(device_->http_port());
    push_.verdict_timeout_seconds = 30;
  }
  void TearDown() override {
    device_->stop();
    runner_.join();
  }
  testing::TempDir temp_;
  std::unique_ptr<EdgeDevice> device_;
  std::thread runner_;
  DevicePushOptions push_;
};

TEST_F(BundlePushTest, a_pushed_bundle_is_swapped_in_kept_in_the_store_and_confirmed_after_probation) {
  const DevicePushOutcome outcome = push_bundle_to_device(write_test_bundle(temp_ / "export-b", "model-b", "good"), push_);
  EXPECT_EQ(outcome.result, DevicePushResult::kConfirmed) << outcome.reason;
  EXPECT_EQ(outcome.serving_model_id, "model-b");
  EXPECT_EQ(outcome.verdict["verdict"], "passed");
  EXPECT_EQ(device_->models().current()->model_id, "model-b");
  EXPECT_EQ(load_bundle(temp_ / "store" / "model-b").model_id, "model-b");
  const Json status = device_->http_handlers().status();
  EXPECT_EQ(status["swap"]["model_id"], "model-b");
  EXPECT_EQ(status["swap"]["previous_model_id"], "model-a");
  ASSERT_EQ(status["swap"]["history"].size(), 2u);
  EXPECT_EQ(status["swap"]["history"][1]["event"], "model_confirmed");
}

TEST_F(BundlePushTest, a_model_that_fails_on_the_stream_is_rolled_back_by_the_device_and_the_push_says_why) {
  const DevicePushOutcome outcome = push_bundle_to_device(write_test_bundle(temp_ / "export-f", "model-f", "failing"), push_);
  EXPECT_EQ(outcome.result, DevicePushResult::kRolledBack);
  EXPECT_EQ(outcome.serving_model_id, "model-a");
  EXPECT_NE(outcome.reason.find("engine errors"), std::string::npos) << outcome.reason;
  EXPECT_EQ(device_->models().current()->model_id, "model-a");
  const int64_t frames = device_->metrics().frames();
  while (device_->metrics().frames() < frames + 20) std::this_thread::sleep_for(std::chrono::milliseconds(2));
  EXPECT_EQ(device_->models().current()->model_id, "model-a");
}

TEST_F(BundlePushTest, a_bundle_the_device_refuses_leaves_the_old_model_serving_and_says_why) {
  const std::filesystem::path bundle = write_test_bundle(temp_ / "export-t", "model-t", "good");
  // Verified here, changed on the way: the device's copy of model.onnx then fails its hash.
  httplib::Client client("127.0.0.1", device_->http_port());
  const std::string manifest = read_file(bundle / kBundleManifestName);
  ASSERT_EQ(client.Put("/v1/bundles/model-t/bundle.json?offset=0", manifest, "application/octet-stream")->status, 200);
  std::string model = read_file(bundle / kBundleFp32ModelName);
  model[0] = 'X';
  ASSERT_EQ(client.Put("/v1/bundles/model-t/model.onnx?offset=0", model, "application/octet-stream")->status, 200);
  ASSERT_EQ(client.Put("/v1/bundles/model-t/model.int8.onnx?offset=0", read_file(bundle / kBundleInt8ModelName),
                       "application/octet-stream")->status, 200);
  auto response = client.Post("/v1/model?wait=1", R"({"bundle_id": "model-t"})", "application/json");
  ASSERT_EQ(response->status, 422) << response->body;
  EXPECT_NE(response->body.find("sha256"), std::string::npos) << response->body;
  EXPECT_EQ(device_->models().current()->model_id, "model-a");
}

TEST_F(BundlePushTest, a_push_cut_midway_resumes_where_the_device_copy_ends) {
  const std::filesystem::path bundle = write_test_bundle(temp_ / "export-r", "model-r", "good");
  httplib::Client client("127.0.0.1", device_->http_port());
  const std::string manifest = read_file(bundle / kBundleManifestName);
  const std::string model = read_file(bundle / kBundleFp32ModelName);
  ASSERT_EQ(client.Put("/v1/bundles/model-r/bundle.json?offset=0", manifest, "application/octet-stream")->status, 200);
  ASSERT_EQ(client.Put("/v1/bundles/model-r/model.onnx?offset=0", model.substr(0, 4000), "application/octet-stream")->status, 200);
  const DevicePushOutcome outcome = push_bundle_to_device(bundle, push_);
  EXPECT_EQ(outcome.result, DevicePushResult::kConfirmed) << outcome.reason;
  const int64_t total = static_cast<int64_t>(model.size() + read_file(bundle / kBundleInt8ModelName).size());
  EXPECT_EQ(outcome.bytes_sent, total - 4000);   // the manifest and 4000 bytes were already there
  EXPECT_EQ(device_->models().current()->model_id, "model-r");
}

TEST_F(BundlePushTest, an_unreachable_device_is_one_line_naming_the_url) {
  DevicePushOptions options = push_;
  options.url = "http://127.0.0.1:1";
  options.retries = 0;
  try {
    push_bundle_to_device(write_test_bundle(temp_ / "export-u", "model-u", "good"), options);
    FAIL() << "no error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kIo);
    EXPECT_NE(std::string(error.what()).find("http://127.0.0.1:1"), std::string::npos) << error.what();
  }
}

}  // namespace
}  // namespace edgeloop
