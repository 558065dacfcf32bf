#include <gtest/gtest.h>

#include <random>

#include <opencv2/imgproc.hpp>

#include "edgeloop/monitor/camera_health.h"
#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr double kFramePeriod = 1.0 / 30.0;   // seconds

// frame + Gaussian noise of `sigma` gray levels, clipped to 8 bits.
cv::Mat add_noise(const cv::Mat& frame, double sigma) {
  cv::Mat noise(frame.size(), CV_16SC1), noisy;
  cv::randn(noise, 0, sigma);
  frame.convertTo(noisy, CV_16SC1);
  noisy += noise;
  noisy.convertTo(noisy, CV_8UC1);
  return noisy;
}

// A textured, moving scene: random blocks that shift one pixel per frame, with mild noise.
class Scene {
 public:
  Scene() : texture_(120, 160, CV_8UC1) {
    cv::Mat small(15, 20, CV_8UC1);
    cv::randu(small, 40, 215);
    cv::resize(small, texture_, texture_.size(), 0, 0, cv::INTER_NEAREST);
  }
  cv::Mat next() {
    cv::Mat frame;
    cv::Mat shift = (cv::Mat_<double>(2, 3) << 1, 0, static_cast<double>(step_++ % 8), 0, 1, 0);
    cv::warpAffine(texture_, frame, shift, texture_.size(), cv::INTER_NEAREST, cv::BORDER_REFLECT);
    return add_noise(frame, /*sigma=*/1.5);
  }

 private:
  cv::Mat texture_;
  int step_ = 0;
};

class CameraHealthTest : public ::testing::Test {
 protected:
  // Feeds `count` frames made by `make`, returns the last report.
  template <typename MakeFrame>
  HealthReport feed(int count, MakeFrame make, double period = kFramePeriod) {
    HealthReport report;
    for (int frame = 0; frame < count; ++frame) {
      report = health_.observe(measure_camera_frame(make(), previous_), time_);
      time_ += period;
    }
    return report;
  }
  HealthReport feed_clean(int count) { return feed(count, [&] { return scene_.next(); }); }

  Scene scene_;
  CameraHealth health_;
  cv::Mat previous_;
  double time_ = 0.0;
};

bool has_reason(const HealthReport& report, const std::string& reason) {
  return std::find(report.reasons.begin(), report.reasons.end(), reason) != report.reasons.end();
}

TEST_F(CameraHealthTest, a_clean_moving_scene_is_ok) {
  HealthReport report = feed_clean(100);
  EXPECT_EQ(report.state, HealthState::kOk) << report.to_json().dump();
  EXPECT_NEAR(report.fps, 30.0, 0.5);
}

TEST_F(CameraHealthTest, black_frames_fail) {
  feed_clean(60);
  HealthReport report = feed(5, [] { return cv::Mat(120, 160, CV_8UC1, cv::Scalar(2)); });
  EXPECT_EQ(report.state, HealthState::kFailed);
  EXPECT_TRUE(has_reason(report, "black"));
  EXPECT_EQ(feed_clean(5).state, HealthState::kOk);
}

TEST_F(CameraHealthTest, white_frames_fail) {
  feed_clean(60);
  HealthReport report = feed(5, [] { return cv::Mat(120, 160, CV_8UC1, cv::Scalar(252)); });
  EXPECT_TRUE(has_reason(report, "white"));
}

TEST_F(CameraHealthTest, clipped_frames_are_saturated_once_they_persist) {
  feed_clean(60);
  auto clipped = [&] {
    cv::Mat frame = scene_.next();
    frame(cv::Rect(0, 0, 80, 120)).setTo(255);
    return frame;
  };
  const int persist = CameraHealthOptions().degraded_persist_frames;
  EXPECT_EQ(feed(persist - 1, clipped).state, HealthState::kOk);
  HealthReport report = feed(1, clipped);
  EXPECT_EQ(report.state, HealthState::kDegraded);
  EXPECT_TRUE(has_reason(report, "saturated"));
}

TEST_F(CameraHealthTest, a_varied_stream_with_some_bright_objects_stays_ok) {
  // Like a shelf camera or Fashion-MNIST's test images in a row: now and then a few frames in a
  // row are mostly blown (a white shirt filling the view); that is the scene, not the camera.
  std::mt19937 random(7);
  std::bernoulli_distribution bright(0.3);
  int changes = 0;
  for (int frame = 0; frame < 2000; ++frame) {
    HealthReport report = feed(1, [&] {
      cv::Mat image = scene_.next();
      if (frame >= 60 && bright(random)) image(cv::Rect(0, 0, 96, 120)).setTo(255);
      return image;
    });
    changes += report.changed;
  }
  EXPECT_EQ(changes, 0);
  EXPECT_EQ(health_.report().state, HealthState::kOk) << health_.report().to_json().dump();
}

TEST_F(CameraHealthTest, a_scene_with_a_dark_background_is_not_saturated) {
  // Like Fashion-MNIST: an object on black, 60% of the pixels crushed in every frame.
  HealthReport report = feed(60, [&] {
    cv::Mat frame = scene_.next();
    frame(cv::Rect(0, 0, 96, 120)).setTo(0);
    return frame;
  });
  EXPECT_EQ(report.state, HealthState::kOk) << report.to_json().dump();
}

TEST_F(CameraHealthTest, a_frozen_stream_fails_after_k_frames) {
  feed_clean(60);
  cv::Mat still = scene_.next();
  HealthReport before = feed(health_.options().frozen_frames - 1, [&] { return still; });
  EXPECT_FALSE(has_reason(before, "frozen"));
  HealthReport after = feed(2, [&] { return still; });
  EXPECT_TRUE(has_reason(after, "frozen"));
  EXPECT_EQ(after.state, HealthState::kFailed);
}

TEST_F(CameraHealthTest, with_frozen_seconds_a_stream_fails_after_that_long_not_after_k_frames) {
  CameraHealthOptions options;
  options.frozen_seconds = 2.0;   // 60 frames at 30 fps, twice frozen_frames
  health_.set_options(options);
  feed_clean(60);
  cv::Mat still = scene_.next();
  HealthReport before = feed(50, [&] { return still; });   // 1.7 s of the same frame
  EXPECT_FALSE(has_reason(before, "frozen"));
  HealthReport after = feed(12, [&] { return still; });
  EXPECT_TRUE(has_reason(after, "frozen"));
}

TEST_F(CameraHealthTest, sharpness_under_the_floor_is_blur_even_when_it_is_the_baseline) {
  auto soft = [&] {
    cv::Mat blurred;
    cv::GaussianBlur(scene_.next(), blurred, cv::Size(0, 0), 2.0);
    return blurred;
  };
  cv::Mat scratch;
  const double soft_sharpness = measure_camera_frame(soft(), scratch).sharpness;
  // Learned from soft frames, the baseline alone finds nothing...
  HealthReport baseline_only = feed(60, soft);
  EXPECT_FALSE(has_reason(baseline_only, "blur")) << baseline_only.to_json().dump();
  // ...a floor above their sharpness does.
  CameraHealthOptions options;
  options.min_sharpness = 2.0 * soft_sharpness;
  health_.set_options(options);
  HealthReport with_floor = feed(CameraHealthOptions().degraded_persist_frames, soft);
  EXPECT_TRUE(has_reason(with_floor, "blur")) << with_floor.to_json().dump();
}

TEST_F(CameraHealthTest, options_refuse_crossed_brightness_limits_and_negative_floors) {
  EXPECT_THROW(camera_health_options_from_json(Json{{"black_mean_max", 200}, {"white_mean_min", 100}}), std::exception);
  EXPECT_THROW(camera_health_options_from_json(Json{{"min_sharpness", -1}}), std::exception);
  EXPECT_THROW(camera_health_options_from_json(Json{{"frozen_seconds", -1}}), std::exception);
  EXPECT_EQ(camera_health_options_from_json(Json{{"frozen_seconds", 5}}).frozen_seconds, 5.0);
}

TEST_F(CameraHealthTest, a_negative_expected_fps_is_refused) {
  EXPECT_THROW(camera_health_options_from_json(Json{{"expected_fps", -5}}), Error);
  EXPECT_EQ(camera_health_options_from_json(Json{{"expected_fps", 0}}).expected_fps, 0.0);
}

TEST_F(CameraHealthTest, blur_is_degraded_against_the_baseline) {
  feed_clean(60);
  HealthReport report = feed(CameraHealthOptions().degraded_persist_frames, [&] {
    cv::Mat blurred;
    cv::GaussianBlur(scene_.next(), blurred, cv::Size(0, 0), 4.0);
    return blurred;
  });
  EXPECT_TRUE(has_reason(report, "blur")) << report.to_json().dump();
  EXPECT_EQ(report.state, HealthState::kDegraded);
}

TEST_F(CameraHealthTest, rising_noise_is_degraded) {
  feed_clean(60);
  HealthReport report = feed(CameraHealthOptions().degraded_persist_frames, [&] { return add_noise(scene_.next(), /*sigma=*/25.0); });
  EXPECT_TRUE(has_reason(report, "noise")) << report.to_json().dump();
}

TEST_F(CameraHealthTest, an_fps_drop_is_degraded) {
  feed_clean(60);
  HealthReport report = feed(40, [&] { return scene_.next(); }, /*period=*/kFramePeriod * 4);
  EXPECT_TRUE(has_reason(report, "fps_drop")) << report.to_json().dump();
}

TEST_F(CameraHealthTest, a_disconnect_fails_until_frames_return) {
  feed_clean(60);
  HealthReport report = health_.note_disconnect();
  EXPECT_TRUE(report.changed);
  EXPECT_EQ(report.state, HealthState::kFailed);
  EXPECT_TRUE(has_reason(report, "disconnected"));
  EXPECT_EQ(report.disconnects, 1);
  EXPECT_EQ(feed_clean(1).state, HealthState::kOk);
}

}  // namespace
}  // namespace edgeloop
