#include <gtest/gtest.h>

#include <sys/wait.h>
#include <unistd.h>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/leftover_files.h"
#include "edgeloop/edge/capture_store.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

constexpr int64_t kQuota = 10'000;   // bytes

int64_t folder_bytes(const std::filesystem::path& folder) {
  int64_t bytes = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) bytes += static_cast<int64_t>(entry.file_size());
  return bytes;
}

Json sidecar_for(const std::string& label) { return Json{{"label", label}, {"score", 0.3}, {"reason", "low_confidence"}}; }

TEST(CaptureStore, the_quota_is_never_exceeded_and_the_oldest_go_first) {
  testing::TempDir directory;
  CaptureStore store(directory / "captures", kQuota);
  const std::vector<uint8_t> image(1000, 7);
  for (int index = 0; index < 50; ++index) {
    char stem[16];
    std::snprintf(stem, sizeof(stem), "%05d", index);
    ASSERT_TRUE(store.save(stem, ".png", image, sidecar_for("shirt")).has_value());
    EXPECT_LE(folder_bytes(directory / "captures"), kQuota);
    EXPECT_EQ(store.stored_bytes(), folder_bytes(directory / "captures"));
  }
  EXPECT_GT(store.evicted(), 0);
  EXPECT_FALSE(std::filesystem::exists(directory / "captures" / "00000.png"));
  EXPECT_FALSE(std::filesystem::exists(directory / "captures" / "00000.json"));
  EXPECT_TRUE(std::filesystem::exists(directory / "captures" / "00049.png"));
  EXPECT_TRUE(std::filesystem::exists(directory / "captures" / "00049.json"));
}

TEST(CaptureStore, a_capture_larger_than_the_quota_is_refused_and_nothing_is_evicted) {
  testing::TempDir directory;
  CaptureStore store(directory / "captures", kQuota);
  store.save("00001", ".png", std::vector<uint8_t>(100, 1), sidecar_for("bag"));
  EXPECT_FALSE(store.save("00002", ".png", std::vector<uint8_t>(kQuota, 1), sidecar_for("bag")).has_value());
  EXPECT_EQ(store.stored_count(), 1);
}

TEST(CaptureStore, reopening_indexes_existing_captures_and_keeps_the_quota) {
  testing::TempDir directory;
  const std::vector<uint8_t> image(2000, 3);
  {
    CaptureStore store(directory / "captures", kQuota);
    store.save("00001", ".png", image, sidecar_for("bag"));
    store.save("00002", ".png", image, sidecar_for("shirt"));
  }
  write_file_atomically(directory / "captures" / "orphan.png", std::string("no sidecar"));
  CaptureStore reopened(directory / "captures", kQuota);
  EXPECT_EQ(reopened.stored_count(), 2);
  EXPECT_EQ(reopened.stored_for_label("bag"), 1);
  for (int index = 3; index < 10; ++index) reopened.save("0000" + std::to_string(index), ".png", image, sidecar_for("bag"));
  EXPECT_LE(folder_bytes(directory / "captures") - static_cast<int64_t>(std::string("no sidecar").size()), kQuota);
}

TEST(CaptureStore, what_a_device_killed_mid_save_left_is_swept_at_start) {
  testing::TempDir directory;
  const auto folder = directory / "captures";
  const std::string complete = capture_stem(1764770000123, 41), killed = capture_stem(1764770000140, 42);
  {
    CaptureStore store(folder, kQuota);
    store.save(complete, ".png", std::vector<uint8_t>(100, 1), sidecar_for("bag"));
  }
  // Killed between the image and its sidecar, and during the sidecar's atomic write.
  write_file_atomically(folder / (killed + ".png"), std::string("image"));
  const pid_t child = ::fork();
  if (child == 0) ::_exit(0);
  ::waitpid(child, nullptr, 0);   // a writer that is gone
  const auto temporary = temporary_path_for(folder / (killed + ".json"), child, 1);
  write_file_atomically(temporary, std::string("{\"lab"));
  write_file_atomically(folder / "notes.png", std::string("a file the user put here"));
  CaptureStore reopened(folder, kQuota);
  EXPECT_EQ(reopened.stored_count(), 1);
  EXPECT_TRUE(std::filesystem::exists(folder / (complete + ".png")));
  EXPECT_FALSE(std::filesystem::exists(folder / (killed + ".png")));
  EXPECT_FALSE(std::filesystem::exists(temporary));
  EXPECT_TRUE(std::filesystem::exists(folder / "notes.png"));
  EXPECT_TRUE(is_capture_stem(complete));
  EXPECT_FALSE(is_capture_stem("notes"));
  EXPECT_FALSE(is_capture_stem("1764770000123_000000041"));
}

TEST(CapturePolicy, per_class_quota_keeps_captures_balanced) {
  CaptureOptions options;
  options.low_confidence_below = 0.5;
  options.per_class_quota = 3;
  options.random_rate = 0.0;
  CapturePolicy policy(options);
  EXPECT_EQ(policy.decide({"bag", 0.2, false}, /*stored_for_label=*/2), "low_confidence");
  EXPECT_FALSE(policy.decide({"bag", 0.2, false}, 3).has_value());
  EXPECT_FALSE(policy.decide({"bag", 0.9, false}, 0).has_value());
}

TEST(CapturePolicy, max_per_minute_caps_captures_in_any_minute_of_capture_time) {
  CaptureOptions options;
  options.max_per_minute = 3;
  CapturePolicy policy(options);
  int captured = 0;
  // Every frame is low-confidence, one per second for 59 s: only 3 go.
  for (int second = 0; second < 60; ++second) captured += policy.decide({"bag", 0.1, false, 100.0 + second}, 0).has_value();
  EXPECT_EQ(captured, 3);
  // A minute after the first capture, room again.
  EXPECT_TRUE(policy.decide({"bag", 0.1, false, 160.5}, 0).has_value());
}

TEST(CapturePolicy, a_failed_camera_captures_nothing_whatever_the_reason) {
  CaptureOptions options;
  options.low_confidence_below = 0.5;
  options.random_rate = 1.0;
  CapturePolicy policy(options);
  EXPECT_TRUE(policy.decide({"bag", 0.2, true, 1.0, /*camera_failed=*/false}, 0).has_value());
  EXPECT_FALSE(policy.decide({"bag", 0.2, true, 2.0, /*camera_failed=*/true}, 0).has_value());
  EXPECT_FALSE(policy.decide({"bag", 0.9, false, 3.0, /*camera_failed=*/true}, 0).has_value());
}

TEST(CapturePolicy, drift_and_random_rates_capture_about_their_share) {
  CaptureOptions options;
  options.low_confidence_below = 0.0;
  options.drift_rate = 0.2;
  options.random_rate = 0.01;
  CapturePolicy policy(options);
  int drift = 0, random = 0;
  for (int frame = 0; frame < 10'000; ++frame) {
    drift += policy.decide({"bag", 0.9, true}, 0) == std::optional<std::string>("drift");
    random += policy.decide({"bag", 0.9, false}, 0) == std::optional<std::string>("random");
  }
  EXPECT_NEAR(drift, 2000, 200);
  EXPECT_NEAR(random, 100, 40);
}

}  // namespace
}  // namespace edgeloop
