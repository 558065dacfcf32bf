// The RTSP path of the stream source against a real RTSP server on loopback (GStreamer's, from
// tests/edge/rtsp_server.py): frames arrive, a lost server is reported as a disconnect, and the
// source reconnects when it is back. Skipped when the GStreamer RTSP server is not installed.
#include <gtest/gtest.h>

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "edge/loopback_port.h"
#include "edgeloop/edge/frame_source.h"
#include "support/subprocess.h"

namespace edgeloop {
namespace {

using testing::free_loopback_port;
using testing::port_accepts;
using testing::run_shell;

constexpr const char* kSystemPython = "/usr/bin/python3";   // where Debian's python3-gi lives
constexpr auto kPatience = std::chrono::seconds(20);         // a deadline for waits, not a timing assertion
constexpr int kServedWidth = 64, kServedHeight = 48;        // rtsp_server.py's stream

bool gstreamer_rtsp_server_installed() {
  return run_shell(std::string(kSystemPython) +
                   " -c \"import gi; gi.require_version('GstRtspServer', '1.0'); from gi.repository import GstRtspServer\""
                   " 2>/dev/null").exit_status == 0;
}

class RtspServer {
 public:
  RtspServer() : port_(free_loopback_port()) {}
  ~RtspServer() { stop(); }
  bool start() {
    const std::string script = std::string(EDGELOOP_SOURCE_DIR) + "/tests/edge/rtsp_server.py";
    const std::string port = std::to_string(port_);
    pid_ = ::fork();
    if (pid_ == 0) {
      ::execl(kSystemPython, kSystemPython, script.c_str(), port.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    const auto deadline = std::chrono::steady_clock::now() + kPatience;
    while (!port_accepts(port_)) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return true;
  }
  void stop() {
    if (pid_ <= 0) return;
    ::kill(pid_, SIGKILL);   // as a crashed camera: no goodbye to the client
    int status = 0;
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
  }
  std::string url() const { return "rtsp://127.0.0.1:" + std::to_string(port_) + "/test"; }

 private:
  int port_;
  pid_t pid_ = -1;
};

// Reads until `wanted` or the deadline; the last result.
ReadResult read_until(FrameSource& source, ReadStatus wanted) {
  const auto deadline = std::chrono::steady_clock::now() + kPatience;
  ReadResult result;
  do {
    result = source.read();
  } while (result.status != wanted && std::chrono::steady_clock::now() < deadline);
  return result;
}

TEST(RtspSource, frames_arrive_a_lost_server_is_a_disconnect_and_the_source_reconnects) {
  if (!gstreamer_rtsp_server_installed()) {
    GTEST_SKIP() << "install gir1.2-gst-rtsp-server-1.0 and gstreamer1.0-plugins-good for the loopback RTSP server";
  }
  RtspServer server;
  ASSERT_TRUE(server.start()) << "the RTSP server did not listen";
  SourceOptions options;
  options.reconnect_initial_seconds = 0.05;
  options.reconnect_max_seconds = 0.2;
  auto source = open_frame_source(server.url(), options);
  EXPECT_TRUE(source->is_live());
  for (int64_t frame = 0; frame < 10; ++frame) {
    ReadResult result = source->read();
    ASSERT_EQ(result.status, ReadStatus::kFrame) << result.detail;
    EXPECT_EQ(result.frame.index, frame);
    EXPECT_EQ(result.frame.image.cols, kServedWidth);
    EXPECT_EQ(result.frame.image.rows, kServedHeight);
    EXPECT_EQ(result.frame.image.channels(), 3);
  }

  server.stop();
  const ReadResult lost = read_until(*source, ReadStatus::kDisconnected);
  EXPECT_EQ(lost.status, ReadStatus::kDisconnected);
  EXPECT_GE(source->disconnects(), 1);

  ASSERT_TRUE(server.start());
  const ReadResult back = read_until(*source, ReadStatus::kFrame);
  EXPECT_EQ(back.status, ReadStatus::kFrame) << back.detail;
}

}  // namespace
}  // namespace edgeloop
