#include <gtest/gtest.h>

#include <regex>
#include <sstream>

#include <httplib.h>
#include <opencv2/imgcodecs.hpp>

#include "edge/fakes.h"
#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/edge/edge_device.h"
#include "support/hostile_images.h"
#include "support/largest_mat_allocation.h"
#include "support/temp_dir.h"
#include "support/subprocess.h"

namespace edgeloop {
namespace {

using testing::GeneratedSource;
using testing::make_brightness_model;

constexpr int kFrames = 40;

// Fake bundles: a directory named "bad*" is refused, anything else loads a brightness model named after it.
std::shared_ptr<LoadedModel> fake_loader(const std::filesystem::path& directory) {
  if (directory.filename().string().starts_with("bad")) throw corrupt(directory.string() + "/model.onnx: sha256 mismatch: re-export");
  return make_brightness_model(directory.filename().string());
}

EdgeOptions local_options() {
  EdgeOptions options;
  options.bundle = "/bundles/model-a";
  options.http.port = 0;
  options.jsonl_stdout = false;
  return options;
}

std::string png_of_gray(int level) {
  std::vector<uint8_t> bytes;
  cv::imencode(".png", cv::Mat(16, 16, CV_8UC1, cv::Scalar(level)), bytes);
  return std::string(bytes.begin(), bytes.end());
}

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    device_ = std::make_unique<EdgeDevice>(local_options(), fake_loader, nullptr,
                                           std::make_unique<GeneratedSource>(kFrames, false, [](int64_t) { return 200; }));
    device_->run();
    client_ = std::make_unique<httplib::Client>("127.0.0.1", device_->http_port());
  }
  std::unique_ptr<EdgeDevice> device_;
  std::unique_ptr<httplib::Client> client_;
};

TEST_F(HttpServerTest, probes_answer) {
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_EQ(client_->Get("/readyz")->status, 200);
}

TEST_F(HttpServerTest, metrics_are_valid_prometheus_text_with_the_frame_count) {
  auto response = client_->Get("/metrics");
  ASSERT_EQ(response->status, 200);
  const std::regex sample(R"(^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="[^"]*"(,[a-zA-Z_][a-zA-Z0-9_]*="[^"]*")*\})? [-+0-9.eEinfInfNa]+$)");
  std::istringstream lines(response->body);
  std::string line;
  std::map<std::string, std::string> values;
  int samples = 0;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    EXPECT_TRUE(std::regex_match(line, sample)) << line;
    values[line.substr(0, line.rfind(' '))] = line.substr(line.rfind(' ') + 1);
    ++samples;
  }
  EXPECT_GT(samples, 20);
  EXPECT_EQ(values["edgeloop_frames_total"], std::to_string(kFrames));
  EXPECT_EQ(values["edgeloop_stage_latency_seconds_count{stage=\"infer\"}"], std::to_string(kFrames));
  EXPECT_EQ(values["edgeloop_stage_latency_seconds_bucket{stage=\"total\",le=\"+Inf\"}"], std::to_string(kFrames));
  EXPECT_EQ(values["edgeloop_camera_health_state"], "0");
}

TEST_F(HttpServerTest, metrics_pass_promtool_check_metrics) {
  // promtool (Debian's prometheus package, scripts/install-deps.sh) lints what a Prometheus server
  // scrapes: every metric has HELP and TYPE, counters end in _total, names and values parse.
  auto response = client_->Get("/metrics");
  ASSERT_EQ(response->status, 200);
  testing::TempDir folder;
  write_file_atomically(folder / "metrics.txt", response->body);
  const auto checked = testing::run_shell("promtool check metrics < " + testing::shell_quote((folder / "metrics.txt").string()) +
                                          " 2>&1");
  EXPECT_EQ(checked.exit_status, 0) << checked.output;
  EXPECT_EQ(checked.output, "") << response->body;
  EXPECT_NE(response->body.find("# HELP edgeloop_model_info "), std::string::npos);
}

TEST_F(HttpServerTest, status_reports_frames_model_and_engine) {
  auto response = client_->Get("/v1/status");
  ASSERT_EQ(response->status, 200);
  Json status = Json::parse(response->body);
  EXPECT_EQ(status["frames"], kFrames);
  EXPECT_EQ(status["model_id"], "model-a");
  EXPECT_EQ(status["engine"], "fake-brightness");
}

// httplib brotli-compresses text and JSON at quality 11 whenever the client accepts it (browsers
// always do, curl --compressed too): CPU and encoder memory a small device should not spend.
TEST_F(HttpServerTest, answers_uncompressed_even_when_the_client_accepts_brotli) {
  const httplib::Headers accepts_compression{{"Accept-Encoding", "gzip, deflate, br"}};
  for (const std::string path : {"/healthz", "/metrics", "/v1/status", "/v1/config"}) {
    auto response = client_->Get(path, accepts_compression);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 200) << path;
    EXPECT_FALSE(response->has_header("Content-Encoding")) << path << ": " << response->get_header_value("Content-Encoding");
  }
}

TEST_F(HttpServerTest, predict_classifies_one_image_and_rejects_garbage) {
  auto response = client_->Post("/v1/predict", png_of_gray(250), "image/png");
  ASSERT_EQ(response->status, 200) << response->body;
  Json prediction = Json::parse(response->body);
  EXPECT_EQ(prediction["label"], "bright");
  EXPECT_EQ(prediction["model_id"], "model-a");
  auto garbage = client_->Post("/v1/predict", "not an image", "image/png");
  EXPECT_EQ(garbage->status, 400);
  EXPECT_NE(Json::parse(garbage->body)["error"].get<std::string>().find("POST /v1/predict body: not an image"), std::string::npos);
}

std::string as_body(const std::vector<uint8_t>& bytes) { return std::string(bytes.begin(), bytes.end()); }

// Debian's OpenCV 4.6 decodes DICOM through GDCM, and a body with "DICM" at offset 128 aborted the
// whole device. It is refused before cv::imdecode sees it, and the device keeps serving.
TEST_F(HttpServerTest, a_dicom_body_is_refused_and_the_device_keeps_serving) {
  auto refused = client_->Post("/v1/predict", as_body(testing::dicom_like_bytes()), "application/dicom");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  const std::string error = Json::parse(refused->body)["error"].get<std::string>();
  EXPECT_NE(error.find("POST /v1/predict body: not an image (no PNG, JPEG, BMP, TIFF or WebP header)"), std::string::npos) << error;
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_EQ(client_->Post("/v1/predict", png_of_gray(250), "image/png")->status, 200);
}

TEST_F(HttpServerTest, an_image_over_the_pixel_cap_or_larger_than_its_file_is_refused_without_allocating) {
  constexpr size_t kSmallAllocationBytes = 1 << 20;   // the device's frames are 16×16
  testing::LargestMatAllocation largest;
  auto too_large = client_->Post("/v1/predict", as_body(testing::png_claiming_size(65535, 65535)), "image/png");
  ASSERT_TRUE(too_large);
  EXPECT_EQ(too_large->status, 413);
  const std::string limit_error = Json::parse(too_large->body)["error"].get<std::string>();
  EXPECT_NE(limit_error.find("65535x65535 (4294.8 MP), over the 50.0 MP limit"), std::string::npos) << limit_error;
  auto implausible = client_->Post("/v1/predict", as_body(testing::png_claiming_size(7000, 7000)), "image/png");
  ASSERT_TRUE(implausible);
  EXPECT_EQ(implausible->status, 400);
  const std::string size_error = Json::parse(implausible->body)["error"].get<std::string>();
  EXPECT_NE(size_error.find("truncated or corrupt png (its header declares 7000x7000"), std::string::npos) << size_error;
  EXPECT_LT(largest.bytes(), kSmallAllocationBytes);
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
}

TEST_F(HttpServerTest, a_body_over_the_limit_is_refused) {
  std::string huge(static_cast<size_t>(HttpOptions{}.max_body_bytes) + 1, 'x');
  auto response = client_->Post("/v1/predict", huge, "image/png");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 413);
}

TEST_F(HttpServerTest, config_updates_apply_and_bad_ones_are_refused) {
  auto good = client_->Put("/v1/config", R"({"drift": {"window_frames": 400}})", "application/json");
  ASSERT_EQ(good->status, 200) << good->body;
  EXPECT_EQ(Json::parse(client_->Get("/v1/config")->body)["drift"]["window_frames"], 400);
  EXPECT_EQ(client_->Put("/v1/config", R"({"drift": {"family_alpha": 5}})", "application/json")->status, 400);
  EXPECT_EQ(client_->Put("/v1/config", "{not json", "application/json")->status, 400);
}

TEST_F(HttpServerTest, a_config_nested_sixty_thousand_deep_is_refused_and_the_device_keeps_serving) {
  constexpr int kHostileDepth = 60000;
  std::string body;
  for (int level = 0; level < kHostileDepth; ++level) body += "{\"a\":";
  body += "1" + std::string(kHostileDepth, '}');
  auto refused = client_->Put("/v1/config", body, "application/json");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 400);
  EXPECT_NE(Json::parse(refused->body)["error"].get<std::string>().find("nested deeper than"), std::string::npos);
  auto deep_arrays = client_->Post("/v1/model", std::string(kHostileDepth, '[') + std::string(kHostileDepth, ']'), "application/json");
  ASSERT_TRUE(deep_arrays);
  EXPECT_EQ(deep_arrays->status, 400);
  EXPECT_EQ(client_->Get("/healthz")->status, 200);
  EXPECT_EQ(client_->Put("/v1/config", R"({"drift": {"window_frames": 300}})", "application/json")->status, 200);
}

TEST_F(HttpServerTest, an_error_echoing_invalid_utf8_is_still_a_json_reply) {
  auto response = client_->Put("/v1/config", std::string("\xff\xfe\x89PNG\x01"), "application/json");
  ASSERT_TRUE(response);
  EXPECT_EQ(response->status, 400);
  EXPECT_NE(Json::parse(response->body)["error"].get<std::string>().find("not valid JSON"), std::string::npos);
}

TEST_F(HttpServerTest, module_twin_keys_are_accepted_as_config) {
  // The flat keys of the module twin's desired properties, as `edgeloop deploy` writes them.
  auto response = client_->Put("/v1/config", R"({"min_brightness": 30, "capture_confidence_below": 0.4})", "application/json");
  ASSERT_EQ(response->status, 200) << response->body;
  const Json config = Json::parse(client_->Get("/v1/config")->body);
  EXPECT_EQ(config["health"]["black_mean_max"], 30);
  EXPECT_EQ(config["capture"]["low_confidence_below"], 0.4);
  EXPECT_EQ(client_->Put("/v1/config", R"({"min_brightness": "dark"})", "application/json")->status, 400);
  EXPECT_EQ(Json::parse(client_->Get("/v1/config")->body)["health"]["black_mean_max"], 30);
}

TEST_F(HttpServerTest, model_swap_succeeds_or_is_refused_with_the_reason) {
  auto refused = client_->Post("/v1/model?wait=1", R"({"bundle": "/bundles/bad-b"})", "application/json");
  ASSERT_EQ(refused->status, 422) << refused->body;
  EXPECT_NE(Json::parse(refused->body)["reason"].get<std::string>().find("sha256"), std::string::npos);
  EXPECT_EQ(device_->models().current()->model_id, "model-a");
  auto swapped = client_->Post("/v1/model?wait=1", R"({"bundle": "/bundles/model-c"})", "application/json");
  ASSERT_EQ(swapped->status, 200) << swapped->body;
  EXPECT_EQ(device_->models().current()->model_id, "model-c");
  EXPECT_EQ(client_->Post("/v1/model", R"({"path": 1})", "application/json")->status, 400);
}

TEST(HttpServer, binding_beyond_loopback_needs_a_token_and_then_requires_it) {
  HttpOptions open;
  open.bind = "0.0.0.0";
  EXPECT_THROW(HttpServer(open, HttpHandlers{}), Error);
  HttpOptions guarded = open;
  guarded.port = 0;
  guarded.token = "s3cret";
  HttpHandlers handlers;
  handlers.metrics = [] { return std::string("edgeloop_frames_total 0\n"); };
  HttpServer server(guarded, handlers);
  const int port = server.start();
  httplib::Client client("127.0.0.1", port);
  EXPECT_EQ(client.Get("/healthz")->status, 200);
  EXPECT_EQ(client.Get("/metrics")->status, 401);
  EXPECT_EQ(client.Get("/metrics", {{"Authorization", "Bearer wrong"}})->status, 401);
  EXPECT_EQ(client.Get("/metrics", {{"Authorization", "Bearer s3cret"}})->status, 200);
}

}  // namespace
}  // namespace edgeloop
