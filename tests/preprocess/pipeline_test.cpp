#include <gtest/gtest.h>

#include <opencv2/imgproc.hpp>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/error.h"
#include "edgeloop/preprocess/pipeline.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

cv::Mat random_bgr(int rows, int columns, int seed) {
  cv::Mat image(rows, columns, CV_8UC3);
  cv::RNG random(seed);
  random.fill(image, cv::RNG::UNIFORM, 0, 256);
  return image;
}

TEST(Pipeline, default_for_gray_makes_float_input_of_the_shape_scaled_to_unit_range) {
  const Pipeline pipeline = Pipeline::default_for({1, 28, 28});
  cv::Mat white(40, 30, CV_8UC3, cv::Scalar::all(255));
  const cv::Mat input = pipeline.apply(white);
  EXPECT_EQ(input.type(), CV_32FC1);
  EXPECT_EQ(input.rows, 28);
  EXPECT_EQ(input.cols, 28);
  EXPECT_NEAR(cv::mean(input)[0], 1.0, 1e-6);
  EXPECT_EQ(pipeline.output_shape().channels, 1);
}

TEST(Pipeline, apply_equals_finish_of_apply_uint8) {
  const Pipeline pipeline = Pipeline::from_json(Json::parse(R"({"ops": [
    {"op": "decode", "color": "rgb"}, {"op": "resize", "width": 16, "height": 12, "mode": "letterbox"},
    {"op": "equalize_histogram"}, {"op": "denoise", "method": "gaussian", "kernel": 3},
    {"op": "to_float"}, {"op": "normalize", "mean": [0.5, 0.4, 0.3], "std": 0.25}]})"));
  const cv::Mat image = random_bgr(50, 37, 7);
  const cv::Mat direct = pipeline.apply(image);
  const cv::Mat staged = pipeline.finish_uint8(pipeline.apply_uint8(image));
  ASSERT_EQ(direct.type(), CV_32FC3);
  EXPECT_EQ(cv::norm(direct, staged, cv::NORM_INF), 0.0);
  EXPECT_EQ(pipeline.apply_uint8(image).type(), CV_8UC3);
}

TEST(Pipeline, decode_rgb_swaps_opencv_bgr_order) {
  const Pipeline pipeline = Pipeline::from_json(
      Json::parse(R"({"ops": [{"op": "decode", "color": "rgb"}, {"op": "resize", "width": 2, "height": 2}]})"));
  cv::Mat blue(2, 2, CV_8UC3, cv::Scalar(255, 0, 0));  // BGR: pure blue
  const cv::Mat input = pipeline.apply(blue);
  const cv::Vec3f pixel = input.at<cv::Vec3f>(0, 0);
  EXPECT_FLOAT_EQ(pixel[0], 0.0f);
  EXPECT_FLOAT_EQ(pixel[2], 1.0f);
}

TEST(Pipeline, letterbox_keeps_aspect_and_pads_with_the_pad_value) {
  const Pipeline pipeline = Pipeline::from_json(Json::parse(
      R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 20, "height": 20, "mode": "letterbox", "pad": 0}]})"));
  cv::Mat wide(10, 20, CV_8UC1, cv::Scalar(200));
  const cv::Mat prepared = pipeline.apply_uint8(wide);
  ASSERT_EQ(prepared.size(), cv::Size(20, 20));
  EXPECT_EQ(prepared.at<uint8_t>(0, 10), 0);     // padding above
  EXPECT_EQ(prepared.at<uint8_t>(10, 10), 200);  // the image in the middle
  EXPECT_EQ(prepared.at<uint8_t>(19, 10), 0);    // padding below
}

TEST(Pipeline, center_crop_fills_the_output_and_cuts_the_long_side) {
  const Pipeline pipeline = Pipeline::from_json(Json::parse(
      R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 10, "height": 10, "mode": "center_crop", "interpolation": "nearest"}]})"));
  cv::Mat wide(10, 30, CV_8UC1, cv::Scalar(0));
  wide(cv::Rect(10, 0, 10, 10)).setTo(255);  // only the middle third is white
  const cv::Mat prepared = pipeline.apply_uint8(wide);
  ASSERT_EQ(prepared.size(), cv::Size(10, 10));
  EXPECT_EQ(cv::countNonZero(prepared), 100);
}

TEST(Pipeline, hsv_conversion_matches_known_values) {
  const Pipeline pipeline = Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode", "color": "rgb"},
    {"op": "resize", "width": 1, "height": 1}, {"op": "color_space", "to": "hsv"}, {"op": "to_float", "scale": 1}]})"));
  cv::Mat red(1, 1, CV_8UC3, cv::Scalar(0, 0, 255));  // BGR red
  const cv::Vec3f hsv = pipeline.apply(red).at<cv::Vec3f>(0, 0);
  EXPECT_FLOAT_EQ(hsv[0], 0.0f);    // hue 0 (OpenCV 8-bit hue is 0..180)
  EXPECT_FLOAT_EQ(hsv[1], 255.0f);  // full saturation
  EXPECT_FLOAT_EQ(hsv[2], 255.0f);  // full value
}

TEST(Pipeline, normalize_subtracts_mean_and_divides_by_std) {
  const Pipeline pipeline = Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"},
    {"op": "resize", "width": 1, "height": 1}, {"op": "to_float"}, {"op": "normalize", "mean": 0.5, "std": 0.25}]})"));
  cv::Mat white(1, 1, CV_8UC1, cv::Scalar(255));
  EXPECT_NEAR(pipeline.apply(white).at<float>(0, 0), 2.0f, 1e-6);
}

TEST(Pipeline, brightness_contrast_saturates_at_255) {
  const Pipeline pipeline = Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"},
    {"op": "resize", "width": 1, "height": 1}, {"op": "brightness_contrast", "alpha": 2, "beta": 10}]})"));
  EXPECT_EQ(pipeline.apply_uint8(cv::Mat(1, 1, CV_8UC1, cv::Scalar(100))).at<uint8_t>(0, 0), 210);
  EXPECT_EQ(pipeline.apply_uint8(cv::Mat(1, 1, CV_8UC1, cv::Scalar(200))).at<uint8_t>(0, 0), 255);
}

TEST(Pipeline, yaml_file_and_its_json_round_trip_to_the_same_hash) {
  testing::TempDir dir;
  write_file_atomically(dir / "pre.yaml", std::string_view(
      "ops:\n  - op: decode\n    color: gray\n  - op: resize\n    width: 28\n    height: 28\n  - op: to_float\n"));
  const Pipeline from_yaml = Pipeline::from_file(dir / "pre.yaml");
  const Pipeline from_json = Pipeline::from_json(from_yaml.to_json());
  EXPECT_EQ(from_yaml.hash(), from_json.hash());
  EXPECT_EQ(from_yaml.hash(), Pipeline::default_for({1, 28, 28}).hash());  // defaults are written out
  EXPECT_EQ(from_yaml.hash().size(), 64u);
}

TEST(Pipeline, hash_changes_when_a_parameter_changes) {
  const Pipeline small = Pipeline::default_for({1, 28, 28});
  const Pipeline large = Pipeline::default_for({1, 32, 32});
  EXPECT_NE(small.hash(), large.hash());
}

TEST(Pipeline, unknown_op_is_refused_with_the_list_of_ops) {
  try {
    Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"}, {"op": "sharpen"}]})"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidArgument);
    EXPECT_NE(std::string(error.what()).find("unknown op `sharpen`"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("equalize_histogram"), std::string::npos);
  }
}

TEST(Pipeline, bad_specs_are_refused) {
  EXPECT_THROW(Pipeline::from_json(Json::parse(R"({"ops": [{"op": "resize", "width": 2, "height": 2}]})")), Error);
  EXPECT_THROW(Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"}]})")), Error);  // no resize
  EXPECT_THROW(Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 0, "height": 2}]})")), Error);
  EXPECT_THROW(Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 2, "height": 2},
    {"op": "to_float"}, {"op": "denoise"}]})")), Error);  // 8-bit op after to_float
  EXPECT_THROW(Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 2, "height": 2},
    {"op": "to_float"}, {"op": "normalize", "mean": [1, 2], "std": 1}]})")), Error);  // 2 means for 1 channel
  EXPECT_THROW(Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 2, "height": 2},
    {"op": "denoise", "kernel": 4}]})")), Error);
}

TEST(Pipeline, a_resize_beyond_the_side_cap_is_refused_before_any_allocation) {
  try {
    Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 60000, "height": 60000}]})"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("from 1 to 4096"), std::string::npos) << error.what();
  }
  EXPECT_THROW(Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 2, "height": 10000000000}]})")),
               Error);
  EXPECT_NO_THROW(Pipeline::from_json(Json::parse(R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 4096, "height": 8}]})")));
}

TEST(Pipeline, every_op_runs_on_gray_and_colour_input) {
  for (const char* color : {"gray", "rgb"}) {
    Json spec = Json::parse(R"({"ops": [{"op": "decode"}, {"op": "resize", "width": 24, "height": 24, "mode": "center_crop"},
      {"op": "brightness_contrast", "alpha": 1.2, "beta": -5}, {"op": "equalize_histogram", "clip_limit": 2.0},
      {"op": "denoise", "method": "bilateral", "kernel": 5}, {"op": "color_space", "to": "lab"}, {"op": "to_float"}]})");
    spec["ops"][0]["color"] = color;
    const Pipeline pipeline = Pipeline::from_json(spec);
    for (const cv::Mat& image : {random_bgr(31, 45, 3), cv::Mat(31, 45, CV_8UC1, cv::Scalar(90))}) {
      const cv::Mat input = pipeline.apply(image);
      EXPECT_EQ(input.type(), CV_32FC3);
      EXPECT_EQ(input.size(), cv::Size(24, 24));
    }
  }
}

}  // namespace
}  // namespace edgeloop
