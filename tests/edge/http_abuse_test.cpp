// The HTTP server under abuse, through real sockets on loopback: clients that trickle their
// header a byte at a time, crowd in from one address, or never finish their body must not take
// the probes or the API down, and are closed at their deadline.
#include <gtest/gtest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

#include <httplib.h>

#include "edge/loopback_port.h"
#include "edgeloop/edge/http_server.h"

namespace edgeloop {
namespace {

using namespace std::chrono_literals;

constexpr const char* kPartialHeader = "GET /v1/status HTTP/1.1\r\nHost: device\r\nX-Slow: ";

int connect_raw(int port) {
  const int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address = testing::loopback_address(port);
  if (::connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    ::close(socket_fd);
    return -1;
  }
  timeval timeout{5, 0};
  ::setsockopt(socket_fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
  return socket_fd;
}

void send_text(int socket_fd, const std::string& text) { ::send(socket_fd, text.data(), text.size(), MSG_NOSIGNAL); }

// What the server sent before closing (blocks up to the socket's 5 s receive timeout).
std::string read_until_closed(int socket_fd) {
  std::string received;
  char chunk[512];
  ssize_t got = 0;
  while ((got = ::recv(socket_fd, chunk, sizeof(chunk), 0)) > 0) received.append(chunk, static_cast<size_t>(got));
  return received;
}

bool still_open(int socket_fd) {
  char byte = 0;
  const ssize_t got = ::recv(socket_fd, &byte, 1, MSG_DONTWAIT);
  return got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK);
}

HttpHandlers status_handlers() {
  HttpHandlers handlers;
  handlers.status = [] { return Json{{"frames", 7}}; };
  handlers.ready = [] { return true; };
  handlers.update_config = [](const Json& patch) { return patch; };
  return handlers;
}

TEST(HttpAbuse, slow_clients_trickling_their_headers_leave_the_probes_and_the_api_answering) {
  constexpr int kSlowClients = 40;   // more than httplib's default worker count
  HttpOptions options;
  options.port = 0;
  options.threads = 2;
  HttpServer server(options, status_handlers());
  const int port = server.start();
  std::vector<int> slow;
  for (int client = 0; client < kSlowClients; ++client) {
    slow.push_back(connect_raw(port));
    send_text(slow.back(), kPartialHeader);
  }
  std::atomic<bool> trickling{true};
  std::thread trickler([&] {
    while (trickling) {
      for (int socket_fd : slow) send_text(socket_fd, "x");
      std::this_thread::sleep_for(100ms);
    }
  });
  std::this_thread::sleep_for(300ms);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(2, 0);
  client.set_connection_timeout(2, 0);
  for (int probe = 0; probe < 5; ++probe) {
    auto health = client.Get("/healthz");
    ASSERT_TRUE(health) << "probe " << probe << " got no answer";
    EXPECT_EQ(health->status, 200);
  }
  auto status = client.Get("/v1/status");
  ASSERT_TRUE(status);
  EXPECT_EQ(status->status, 200);
  EXPECT_EQ(Json::parse(status->body)["frames"], 7);
  trickling = false;
  trickler.join();
  for (int socket_fd : slow) ::close(socket_fd);
}

TEST(HttpAbuse, a_header_not_complete_by_the_deadline_is_answered_408_and_closed) {
  HttpOptions options;
  options.port = 0;
  options.header_timeout_seconds = 0.3;
  HttpServer server(options, status_handlers());
  const int socket_fd = connect_raw(server.start());
  send_text(socket_fd, kPartialHeader);
  EXPECT_EQ(read_until_closed(socket_fd).rfind("HTTP/1.1 408", 0), 0u);
  ::close(socket_fd);
}

TEST(HttpAbuse, a_crowding_client_loses_its_oldest_waiting_connections) {
  constexpr int kCap = 4;
  constexpr int kOpened = 6;
  HttpOptions options;
  options.port = 0;
  options.max_connections_per_client = kCap;
  HttpServer server(options, status_handlers());
  const int port = server.start();
  std::vector<int> sockets;
  for (int client = 0; client < kOpened; ++client) {
    sockets.push_back(connect_raw(port));
    send_text(sockets.back(), kPartialHeader);
    std::this_thread::sleep_for(50ms);   // admitted in this order
  }
  std::this_thread::sleep_for(300ms);
  for (int client = 0; client < kOpened - kCap; ++client) {
    EXPECT_EQ(read_until_closed(sockets[static_cast<size_t>(client)]).rfind("HTTP/1.1 408", 0), 0u) << "client " << client;
  }
  for (int client = kOpened - kCap; client < kOpened; ++client) EXPECT_TRUE(still_open(sockets[static_cast<size_t>(client)]));
  httplib::Client probe("127.0.0.1", port);
  EXPECT_EQ(probe.Get("/healthz")->status, 200);
  for (int socket_fd : sockets) ::close(socket_fd);
}

TEST(HttpAbuse, a_body_not_complete_by_the_deadline_is_dropped_and_the_worker_freed) {
  HttpOptions options;
  options.port = 0;
  options.threads = 1;
  options.body_timeout_seconds = 0.3;
  HttpServer server(options, status_handlers());
  const int port = server.start();
  const int socket_fd = connect_raw(port);
  send_text(socket_fd, "PUT /v1/config HTTP/1.1\r\nHost: device\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a\"");
  read_until_closed(socket_fd);   // returns once the server gives up on the body
  ::close(socket_fd);
  httplib::Client client("127.0.0.1", port);
  client.set_read_timeout(2, 0);
  auto answer = client.Put("/v1/config", R"({"b": 1})", "application/json");
  ASSERT_TRUE(answer);
  EXPECT_EQ(answer->status, 200);
}

}  // namespace
}  // namespace edgeloop
