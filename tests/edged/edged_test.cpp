// The edgeloop-edge binary end to end: a real bundle (random weights, fp32 + int8 ONNX), a folder
// of PNGs, the JSON lines on stdout, SIGTERM, and a refused tampered bundle.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "edged/random_bundle.h"
#include "edgeloop/bundle/bundle.h"
#include "edgeloop/core/config.h"
#include "edgeloop/runtime/engine_ranking.h"
#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr int kImages = 30;
const std::string kBinary = std::string(EDGELOOP_BINARY_DIR) + "/src/edged/edgeloop-edge";

class EdgedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<cv::Mat> images = testing::random_gray_images(200, 28, /*seed=*/3);
    testing::write_random_bundle(directory_ / "bundle", {}, images);
    std::filesystem::create_directories(directory_ / "images");
    for (int index = 0; index < kImages; ++index) {
      char name[32];
      std::snprintf(name, sizeof(name), "image_%03d.png", index);
      cv::imwrite((directory_ / "images" / name).string(), images[index]);
    }
  }
  std::string base_command() const {
    return kBinary + " --bundle " + testing::shell_quote((directory_ / "bundle").string()) + " --source " +
           testing::shell_quote((directory_ / "images").string()) + " --no-http -q";
  }
  testing::TempDir directory_;
};

std::vector<Json> json_lines(const std::string& text) {
  std::vector<Json> lines;
  std::istringstream input(text);
  std::string line;
  while (std::getline(input, line)) {
    if (!line.empty()) lines.push_back(Json::parse(line));
  }
  return lines;
}

TEST_F(EdgedTest, a_folder_source_gives_one_json_line_per_frame_and_exits_0) {
  testing::CommandOutput result = testing::run_shell(base_command());
  ASSERT_EQ(result.exit_status, 0) << result.output;
  std::vector<Json> lines = json_lines(result.output);
  ASSERT_EQ(lines.size(), static_cast<size_t>(kImages));
  for (int index = 0; index < kImages; ++index) {
    EXPECT_EQ(lines[index]["frame"], index);
    EXPECT_EQ(lines[index]["model_id"], "random-cnn-s");
    EXPECT_EQ(lines[index]["top_k"].size(), 3u);
    EXPECT_TRUE(lines[index]["label"].get<std::string>().starts_with("class_"));
    EXPECT_GE(lines[index]["latency_ms"]["infer"].get<double>(), 0.0);
  }
}

TEST_F(EdgedTest, the_fp32_engine_and_the_int8_engine_both_run) {
  EXPECT_EQ(json_lines(testing::run_shell(base_command() + " --fp32").output).size(), static_cast<size_t>(kImages));
  EXPECT_EQ(json_lines(testing::run_shell(base_command() + " --engine opencv").output).size(), static_cast<size_t>(kImages));
}

// Runs the bundle with its engine ranking replaced by `ranking` (bundle.json rewritten with its
// hashes); stdout and the log.
std::string run_with_ranking(const std::string& command, const std::filesystem::path& bundle_directory,
                             const EngineRanking& ranking) {
  Bundle bundle = load_bundle(bundle_directory);
  bundle.engine_ranking = ranking.to_json();
  write_bundle_manifest(bundle);
  testing::CommandOutput result = testing::run_shell(command + " -v 2>&1");
  EXPECT_EQ(result.exit_status, 0) << result.output;
  return result.output;
}

size_t count_lines_with(const std::string& text, const std::string& part) {
  std::istringstream input(text);
  size_t count = 0;
  for (std::string line; std::getline(input, line);) count += line.find(part) != std::string::npos;
  return count;
}

TEST_F(EdgedTest, auto_takes_the_fastest_engine_of_a_ranking_made_on_this_cpu_and_says_which) {
  EngineRanking ranking{cpu_class(), 1, {{"xnnpack", "model.onnx", 0.1}, {"onednn-int8", "model.int8.onnx", 0.2}}};
  const std::string output = run_with_ranking(base_command(), directory_ / "bundle", ranking);
  EXPECT_EQ(count_lines_with(output, "engine xnnpack for random-cnn-s"), 1u) << output;
}

TEST_F(EdgedTest, auto_skips_an_engine_missing_here_with_one_line_and_takes_the_next) {
  EngineRanking ranking{cpu_class(), 1, {{"tpu-int8", "model.int8.onnx", 0.01}, {"onednn", "model.onnx", 0.2}}};
  const std::string output = run_with_ranking(base_command(), directory_ / "bundle", ranking);
  EXPECT_EQ(count_lines_with(output, "engine tpu-int8 skipped"), 1u) << output;
  EXPECT_EQ(count_lines_with(output, "engine onednn for random-cnn-s"), 1u) << output;
}

TEST_F(EdgedTest, a_bundle_ranked_on_another_cpu_runs_with_this_cpus_default_order) {
  EngineRanking ranking{"another-cpu", 1, {{"xnnpack", "model.onnx", 0.1}}};
  const std::string output = run_with_ranking(base_command(), directory_ / "bundle", ranking);
  const std::string expected = engine_preference(std::nullopt, /*has_int8=*/true, /*prefer_int8=*/true).front();
  EXPECT_EQ(count_lines_with(output, "engine " + expected + " for random-cnn-s"), 1u) << output;
}

TEST_F(EdgedTest, sighup_reloads_the_bundle_and_sigterm_flushes_and_exits_0) {
  const std::string output = (directory_ / "out.jsonl").string();
  const std::string bundle = (directory_ / "bundle").string();
  const std::string images = (directory_ / "images").string();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::freopen(output.c_str(), "w", stdout);
    ::execl(kBinary.c_str(), kBinary.c_str(), "--bundle", bundle.c_str(), "--source", images.c_str(), "--loop", "--fps",
            "200", "--no-http", "--all-topics", "-q", static_cast<char*>(nullptr));
    ::_exit(127);
  }
  // Signals are handled once frames flow (before that, SIGHUP's default action would end it).
  for (int attempt = 0; attempt < 500 && (!std::filesystem::exists(output) || std::filesystem::file_size(output) == 0); ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  ::kill(pid, SIGHUP);
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  ::kill(pid, SIGTERM);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status)) << "signal " << WTERMSIG(status);
  EXPECT_EQ(WEXITSTATUS(status), 0);
  std::ifstream file(output);
  std::stringstream text;
  text << file.rdbuf();
  std::vector<Json> lines = json_lines(text.str());   // every line whole: the output was flushed
  int frames = 0, reloads = 0, stopped = 0;
  for (const Json& line : lines) {
    frames += !line.contains("topic");
    reloads += line.value("event", "") == "model_swapped" && line.value("origin", "") == "sighup";
    stopped += line.value("event", "") == "stopped";
  }
  EXPECT_GT(frames, kImages);   // looped at least once
  EXPECT_EQ(reloads, 1);
  EXPECT_EQ(stopped, 1);
}

TEST_F(EdgedTest, a_tampered_bundle_is_refused_with_one_line_naming_the_file) {
  std::ofstream(directory_ / "bundle" / "model.onnx", std::ios::app) << "x";
  testing::CommandOutput result = testing::run_shell(base_command() + " 2>&1");
  EXPECT_NE(result.exit_status, 0);
  EXPECT_NE(result.output.find("model.onnx"), std::string::npos) << result.output;
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
}

TEST_F(EdgedTest, environment_variables_override_the_yaml_config) {
  std::ofstream(directory_ / "edge.yaml") << "source: /does/not/exist\nhttp:\n  enabled: false\n";
  const std::string command = "EDGELOOP_SOURCE=" + testing::shell_quote((directory_ / "images").string()) + " " + kBinary +
                              " --config " + testing::shell_quote((directory_ / "edge.yaml").string()) +
                              " --bundle " + testing::shell_quote((directory_ / "bundle").string()) + " -q";
  testing::CommandOutput result = testing::run_shell(command);
  ASSERT_EQ(result.exit_status, 0) << result.output;
  EXPECT_EQ(json_lines(result.output).size(), static_cast<size_t>(kImages));
}

}  // namespace
}  // namespace edgeloop
