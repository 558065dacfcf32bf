// Fuzz target: raw HTTP requests to the device's HTTP server (edge/http_server.h) on loopback:
// the connection gate's header wait, cpp-httplib's request parser, the routes, and the handlers
// that parse bodies, wired as EdgeDevice wires them (PUT /v1/config merges monitor settings,
// PUT/GET /v1/bundles go to a real BundleInbox, POST /v1/model publishes a pushed bundle,
// POST /v1/predict decodes the image). One connection per input: send, close the writing side,
// read the reply to its end. A reply that does not end within kReplySeconds of waiting is a hang
// (abort); time the process spent paused is not counted.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <mutex>

#include "edgeloop/edge/bundle_inbox.h"
#include "edgeloop/edge/edge_pipeline.h"
#include "edgeloop/edge/http_server.h"
#include "fuzz_support.h"

namespace {

using namespace edgeloop;

constexpr int kReplySeconds = 4;   // under libFuzzer's -timeout=5
constexpr int kSliceMilliseconds = 100;

struct Device {
  std::mutex mutex;
  MonitorSettings settings;
  BundleInbox inbox{fuzz::scratch_dir() / "bundles"};
  std::unique_ptr<HttpServer> server;
  int port = 0;
};

Device& device() {
  static Device* device = [] {
    auto* made = new Device;
    HttpHandlers handlers;
    handlers.status = [] { return Json{{"running", true}}; };
    handlers.ready = [] { return true; };
    handlers.metrics = [] { return std::string("edgeloop_frames_total 0\n"); };
    handlers.predict = [](const cv::Mat& image) { return Json{{"width", image.cols}, {"height", image.rows}}; };
    handlers.swap_model = [](const std::string& bundle, bool wait) { return Json{{"event", "model_swapped"}, {"bundle", bundle}}; };
    handlers.publish_bundle = [made](const std::string& bundle_id) { return made->inbox.publish(bundle_id).string(); };
    handlers.receive_bundle = [made](const std::string& bundle_id, const std::string& file, int64_t offset, const std::string& bytes) {
      return Json{{"size", made->inbox.receive(bundle_id, file, offset, bytes)}};
    };
    handlers.bundle_status = [made](const std::string& bundle_id) {
      Json files = Json::object();
      for (const auto& [name, sizes] : made->inbox.received(bundle_id)) files[name] = {{"received", sizes.first}, {"expected", sizes.second}};
      return Json{{"files", files}};
    };
    handlers.config = [made] {
      std::lock_guard lock(made->mutex);
      return to_json(made->settings);
    };
    handlers.update_config = [made](const Json& patch) {
      std::lock_guard lock(made->mutex);
      made->settings = merge_monitor_settings(made->settings, patch);
      return to_json(made->settings);
    };
    HttpOptions options;
    options.port = 0;
    options.threads = 2;
    options.header_timeout_seconds = 2.0;
    options.body_timeout_seconds = 2.0;
    made->server = std::make_unique<HttpServer>(options, handlers);
    made->port = made->server->start();
    return made;
  }();
  return *device;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const int port = device().port;
  const int connection = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  // libFuzzer's -timeout alarm (SIGALRM) interrupts system calls: a connect interrupted by it
  // goes on in the background (poll for it), a send or recv is retried.
  if (::connect(connection, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    int failure = errno;
    if (failure == EINTR) {
      pollfd polled{connection, POLLOUT, 0};
      while (::poll(&polled, 1, kReplySeconds * 1000) < 0 && errno == EINTR) {
      }
      socklen_t length = sizeof(failure);
      ::getsockopt(connection, SOL_SOCKET, SO_ERROR, &failure, &length);
    }
    if (failure != 0) {
      std::fprintf(stderr, "http_request_fuzz: connect to the server on port %d failed: %s\n", port, std::strerror(failure));
      std::abort();
    }
  }
  size_t sent = 0;
  while (sent < size) {
    const ssize_t count = ::send(connection, data + sent, size - sent, MSG_NOSIGNAL);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;   // the server may answer and close before reading everything
    sent += static_cast<size_t>(count);
  }
  ::shutdown(connection, SHUT_WR);
  // The wait is counted in slices of kSliceMilliseconds, each at most what it asked for: a slice
  // that took far longer was the process being paused (SIGSTOP while the machine measures
  // something else), not the server hanging, and counting it aborted on a 24 ms input.
  int64_t waited = 0;
  char reply[4096];
  for (;;) {
    if (waited >= kReplySeconds * 1000) {
      std::fprintf(stderr, "http_request_fuzz: no end of reply within %d s: the server hangs\n", kReplySeconds);
      std::abort();
    }
    pollfd polled{connection, POLLIN, 0};
    const auto started = std::chrono::steady_clock::now();
    const int ready = ::poll(&polled, 1, kSliceMilliseconds);
    waited += std::min<int64_t>(kSliceMilliseconds, std::chrono::duration_cast<std::chrono::milliseconds>(
                                                        std::chrono::steady_clock::now() - started).count());
    if (ready <= 0) continue;
    const ssize_t count = ::recv(connection, reply, sizeof(reply), 0);
    if (count < 0 && errno == EINTR) continue;
    if (count <= 0) break;
  }
  ::close(connection);
  return 0;
}
