#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <thread>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/edge/frame_source.h"
#include "support/hostile_images.h"
#include "support/temp_dir.h"

namespace edgeloop {
namespace {

const std::string kSampleVideo = "/usr/share/doc/opencv-doc/examples/data/vtest.avi";
const std::string kSampleVideoMegamind = "/usr/share/doc/opencv-doc/examples/data/Megamind.avi";

// Writes `count` 32×24 gray PNGs whose gray level is 10 * their number, named out of order.
void write_images(const std::filesystem::path& folder, int count) {
  std::filesystem::create_directories(folder);
  for (int number = count - 1; number >= 0; --number) {
    cv::imwrite((folder / ("image_" + std::to_string(number) + ".png")).string(),
                cv::Mat(24, 32, CV_8UC1, cv::Scalar(10 * number)));
  }
}

std::vector<Frame> read_all(FrameSource& source, int limit = 10000) {
  std::vector<Frame> frames;
  for (int read = 0; read < limit; ++read) {
    ReadResult result = source.read();
    if (result.status == ReadStatus::kEnd) break;
    if (result.status == ReadStatus::kFrame) frames.push_back(result.frame);
  }
  return frames;
}

TEST(FrameSource, folder_yields_images_in_sorted_order_and_ends) {
  testing::TempDir directory;
  write_images(directory / "images", 5);
  auto source = open_frame_source((directory / "images").string(), {});
  EXPECT_FALSE(source->is_live());
  std::vector<Frame> frames = read_all(*source);
  ASSERT_EQ(frames.size(), 5u);
  for (int index = 0; index < 5; ++index) {
    EXPECT_EQ(frames[index].index, index);
    EXPECT_EQ(frames[index].image.at<uint8_t>(0, 0), 10 * index);
    EXPECT_EQ(frames[index].origin.filename(), "image_" + std::to_string(index) + ".png");
  }
}

TEST(FrameSource, folder_skips_an_undecodable_file_and_goes_on) {
  testing::TempDir directory;
  write_images(directory / "images", 2);
  std::ofstream(directory / "images" / "image_05.png") << "not a png";
  auto source = open_frame_source((directory / "images").string(), {});
  int skipped = 0, frames = 0;
  for (ReadResult result = source->read(); result.status != ReadStatus::kEnd; result = source->read()) {
    skipped += result.status == ReadStatus::kSkipped;
    frames += result.status == ReadStatus::kFrame;
  }
  EXPECT_EQ(skipped, 1);
  EXPECT_EQ(frames, 2);
}

// A DICOM file named .png went to GDCM through cv::imdecode and aborted the device; a header
// claiming 7000×7000 in a small file cost a 49 MB allocation. Both are skipped with the reason.
TEST(FrameSource, folder_skips_a_dicom_file_and_an_implausible_header_with_their_reasons) {
  testing::TempDir directory;
  write_images(directory / "images", 2);
  const std::vector<uint8_t> dicom = testing::dicom_like_bytes();
  std::ofstream(directory / "images" / "image_03.png", std::ios::binary).write(reinterpret_cast<const char*>(dicom.data()), dicom.size());
  const std::vector<uint8_t> claiming = testing::png_claiming_size(7000, 7000);
  std::ofstream(directory / "images" / "image_04.png", std::ios::binary)
      .write(reinterpret_cast<const char*>(claiming.data()), claiming.size());
  auto source = open_frame_source((directory / "images").string(), {});
  std::vector<std::string> details;
  int frames = 0;
  for (ReadResult result = source->read(); result.status != ReadStatus::kEnd; result = source->read()) {
    if (result.status == ReadStatus::kSkipped) details.push_back(result.detail);
    frames += result.status == ReadStatus::kFrame;
  }
  EXPECT_EQ(frames, 2);
  ASSERT_EQ(details.size(), 2u);
  EXPECT_NE(details[0].find("image_03.png: not an image"), std::string::npos) << details[0];
  EXPECT_NE(details[1].find("image_04.png: truncated or corrupt png"), std::string::npos) << details[1];
}

TEST(FrameSource, folder_paced_by_fps_and_looping) {
  testing::TempDir directory;
  write_images(directory / "images", 3);
  ManualClock clock;
  auto source = open_frame_source((directory / "images").string(), SourceOptions{.fps = 10.0, .loop = true}, clock);
  std::vector<Frame> frames = read_all(*source, 7);
  ASSERT_EQ(frames.size(), 7u);
  EXPECT_EQ(frames[6].image.at<uint8_t>(0, 0), 0);   // wrapped around twice
  EXPECT_NEAR(frames[6].capture_seconds - frames[0].capture_seconds, 0.6, 1e-3);
}

TEST(FrameSource, an_empty_or_missing_source_names_itself) {
  testing::TempDir directory;
  std::filesystem::create_directories(directory / "empty");
  try {
    open_frame_source((directory / "empty").string(), {});
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("empty"), std::string::npos);
  }
  EXPECT_THROW(open_frame_source((directory / "missing.avi").string(), {}), Error);
}

// OpenCV's CAP_ANY read a file that FFmpeg refused as an image through cv::imread: a DICOM file
// named .mp4 went to GDCM, whose assert aborted the device. It is refused as a video.
TEST(FrameSource, a_dicom_file_named_as_a_video_is_refused_without_reaching_gdcm) {
  testing::TempDir directory;
  const std::vector<uint8_t> dicom = testing::dicom_like_bytes();
  std::ofstream(directory / "clip.mp4", std::ios::binary).write(reinterpret_cast<const char*>(dicom.data()), dicom.size());
  try {
    open_frame_source((directory / "clip.mp4").string(), {});
    FAIL();
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("clip.mp4 cannot be opened"), std::string::npos) << error.what();
  }
}

TEST(FrameSource, video_files_from_opencv_samples_decode) {
  for (const std::string& video : {kSampleVideo, kSampleVideoMegamind}) {
    auto source = open_frame_source(video, {});
    EXPECT_FALSE(source->is_live());
    std::vector<Frame> frames = read_all(*source, 20);
    ASSERT_EQ(frames.size(), 20u) << video;
    EXPECT_EQ(frames[0].image.type(), CV_8UC3);
    EXPECT_GT(frames[0].image.cols, 100);
  }
}

TEST(FrameSource, a_live_source_reports_a_disconnect_and_reconnects) {
  // A short video treated as a camera: its end is a lost stream, and the reconnect reopens it.
  ManualClock clock;
  auto source = open_frame_source(kSampleVideoMegamind, SourceOptions{.treat_as_live = true}, clock);
  EXPECT_TRUE(source->is_live());
  int frames_before = 0;
  ReadResult result = source->read();
  while (result.status == ReadStatus::kFrame) {
    ++frames_before;
    result = source->read();
  }
  EXPECT_GT(frames_before, 100);
  EXPECT_EQ(result.status, ReadStatus::kDisconnected);
  EXPECT_EQ(source->disconnects(), 1);
  const double before_reconnect = clock.now_seconds();
  EXPECT_EQ(source->read().status, ReadStatus::kFrame);
  EXPECT_GE(clock.now_seconds() - before_reconnect, 0.5);   // waited the initial backoff
}

// Serves the opencv-doc sample folder over HTTP with python's http.server, as a camera's stream.
class SampleHttpServer {
 public:
  SampleHttpServer() {
    port_ = 20000 + ::getpid() % 20000;
    pid_ = ::fork();
    if (pid_ == 0) {
      ::freopen("/dev/null", "w", stderr);
      const std::string port = std::to_string(port_);
      ::execlp("python3", "python3", "-m", "http.server", port.c_str(), "--bind", "127.0.0.1", "--directory",
               "/usr/share/doc/opencv-doc/examples/data", static_cast<char*>(nullptr));
      ::_exit(127);
    }
    // Ready once the port accepts a connection (at most kStartSeconds).
    constexpr int kStartSeconds = 10;
    for (int attempt = 0; attempt < kStartSeconds * 50; ++attempt) {
      int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in address{};
      address.sin_family = AF_INET;
      address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      address.sin_port = htons(port_);
      const bool ready = ::connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
      ::close(socket_fd);
      if (ready) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  ~SampleHttpServer() {
    ::kill(pid_, SIGTERM);
    ::waitpid(pid_, nullptr, 0);
  }
  std::string url(const std::string& file) const { return "http://127.0.0.1:" + std::to_string(port_) + "/" + file; }

 private:
  pid_t pid_ = -1;
  int port_ = 0;
};

TEST(FrameSource, an_http_stream_url_is_live_and_reconnects_when_it_ends) {
  SampleHttpServer server;
  ManualClock clock;
  auto source = open_frame_source(server.url("Megamind.avi"), {}, clock);
  EXPECT_TRUE(source->is_live());
  int frames = 0;
  ReadResult result = source->read();
  for (; result.status == ReadStatus::kFrame; result = source->read()) ++frames;
  EXPECT_GT(frames, 100);
  EXPECT_EQ(result.status, ReadStatus::kDisconnected);
  EXPECT_EQ(source->read().status, ReadStatus::kFrame);   // reconnected after the backoff
  EXPECT_EQ(source->disconnects(), 1);
}

TEST(FrameSource, sim_injects_corruption_from_the_given_frame) {
  testing::TempDir directory;
  write_images(directory / "images", 6);
  SourceOptions options;
  options.corruption = parse_frame_corruption("black@3");
  auto source = open_frame_source("sim:" + (directory / "images").string(), options);
  std::vector<Frame> frames = read_all(*source);
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(frames[2].image.at<uint8_t>(0, 0), 20);
  EXPECT_EQ(cv::countNonZero(frames[4].image), 0);
}

TEST(FrameSource, a_corrupted_sim_frame_is_no_longer_its_file_so_a_capture_keeps_what_the_model_saw) {
  testing::TempDir directory;
  write_images(directory / "images", 4);
  SourceOptions options;
  options.corruption = parse_frame_corruption("contrast:0.35@2");
  std::vector<Frame> frames = read_all(*open_frame_source("sim:" + (directory / "images").string(), options));
  ASSERT_EQ(frames.size(), 4u);
  EXPECT_FALSE(frames[1].origin.empty());   // clean: the file's bytes are the frame
  EXPECT_TRUE(frames[2].origin.empty());
  EXPECT_TRUE(frames[3].origin.empty());
}

TEST(FrameSource, sim_frozen_repeats_the_last_clean_frame) {
  testing::TempDir directory;
  write_images(directory / "images", 6);
  SourceOptions options;
  options.corruption = parse_frame_corruption("frozen@2");
  std::vector<Frame> frames = read_all(*open_frame_source("sim:" + (directory / "images").string(), options));
  ASSERT_EQ(frames.size(), 6u);
  EXPECT_EQ(frames[5].image.at<uint8_t>(0, 0), 10);
}

TEST(FrameCorruption, parses_kind_strength_and_onset_and_rejects_unknown_kinds) {
  FrameCorruption corruption = parse_frame_corruption("noise:12.5@40");
  EXPECT_EQ(corruption.kind, CorruptionKind::kNoise);
  EXPECT_DOUBLE_EQ(corruption.strength, 12.5);
  EXPECT_EQ(corruption.from_frame, 40);
  EXPECT_THROW(parse_frame_corruption("fog:2"), Error);
  cv::Mat gray(10, 10, CV_8UC1, cv::Scalar(100));
  EXPECT_EQ(apply_frame_corruption(gray, parse_frame_corruption("brightness:1.5"), 0).at<uint8_t>(0, 0), 150);
  EXPECT_EQ(apply_frame_corruption(gray, parse_frame_corruption("brightness:1.5@5"), 4).at<uint8_t>(0, 0), 100);
}

}  // namespace
}  // namespace edgeloop
