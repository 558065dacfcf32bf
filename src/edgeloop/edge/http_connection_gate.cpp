#include "edgeloop/edge/http_connection_gate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <map>
#include <vector>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr int kPollSliceMilliseconds = 200;   // longest sleep; deadlines are checked at least this often
constexpr size_t kReadChunkBytes = 4096;
constexpr const char* kHeaderEnd = "\r\n\r\n";
constexpr const char* kRequestTimeout =
    "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n";

std::string peer_address(int socket) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  if (::getpeername(socket, reinterpret_cast<sockaddr*>(&address), &length) != 0) return "?";
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&address)->sin_addr, text, sizeof(text));
  } else if (address.ss_family == AF_INET6) {
    ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&address)->sin6_addr, text, sizeof(text));
  }
  return text;
}

}  // namespace

ConnectionGate::ConnectionGate(const GateLimits& limits, Dispatch dispatch)
    : limits_(limits), dispatch_(std::move(dispatch)) {
  if (::pipe2(wake_pipe_, O_CLOEXEC | O_NONBLOCK) != 0) throw io_error("http: cannot create the connection gate's pipe");
  thread_ = std::thread([this] { run(); });
}

ConnectionGate::~ConnectionGate() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const char byte = 0;
  [[maybe_unused]] ssize_t written = ::write(wake_pipe_[1], &byte, 1);
  thread_.join();
  for (const Waiting& connection : admitted_) ::close(connection.socket);
  for (const Waiting& connection : waiting_) ::close(connection.socket);
  ::close(wake_pipe_[0]);
  ::close(wake_pipe_[1]);
}

void ConnectionGate::admit(int socket) {
  Waiting connection;
  connection.socket = socket;
  connection.peer = peer_address(socket);
  connection.deadline = std::chrono::steady_clock::now() +
                        std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                            std::chrono::duration<double>(limits_.header_timeout_seconds));
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      ::close(socket);
      return;
    }
    admitted_.push_back(std::move(connection));
  }
  const char byte = 1;
  [[maybe_unused]] ssize_t written = ::write(wake_pipe_[1], &byte, 1);
}

size_t ConnectionGate::waiting() const {
  std::lock_guard lock(mutex_);
  return waiting_count_ + admitted_.size();
}

int64_t ConnectionGate::timed_out() const {
  std::lock_guard lock(mutex_);
  return timed_out_;
}

void ConnectionGate::close_waiting(size_t index, bool answer_408) {
  const int socket = waiting_[index].socket;
  if (answer_408) {
    // Best effort: a client that does not read gets no answer, only the close.
    (void)::send(socket, kRequestTimeout, std::char_traits<char>::length(kRequestTimeout), MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  ::shutdown(socket, SHUT_RDWR);
  ::close(socket);
  waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(index));
  std::lock_guard lock(mutex_);
  ++timed_out_;
}

void ConnectionGate::take_admitted() {
  std::deque<Waiting> arrived;
  {
    std::lock_guard lock(mutex_);
    arrived.swap(admitted_);
  }
  for (Waiting& connection : arrived) {
    const std::string peer = connection.peer;
    waiting_.push_back(std::move(connection));
    int of_peer = 0;
    for (const Waiting& other : waiting_) of_peer += other.peer == peer;
    if (of_peer > limits_.max_waiting_per_client) {
      const auto oldest = std::find_if(waiting_.begin(), waiting_.end(), [&](const Waiting& other) { return other.peer == peer; });
      close_waiting(static_cast<size_t>(oldest - waiting_.begin()), /*answer_408=*/true);
    }
    if (waiting_.size() > static_cast<size_t>(limits_.max_waiting)) close_waiting(0, /*answer_408=*/true);
  }
}

void ConnectionGate::run() {
  std::vector<pollfd> polled;
  char chunk[kReadChunkBytes];
  while (true) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
    }
    take_admitted();
    {
      std::lock_guard lock(mutex_);
      waiting_count_ = waiting_.size();
    }
    polled.assign(1, pollfd{wake_pipe_[0], POLLIN, 0});
    for (const Waiting& connection : waiting_) polled.push_back(pollfd{connection.socket, POLLIN, 0});
    ::poll(polled.data(), polled.size(), kPollSliceMilliseconds);
    if (polled[0].revents & POLLIN) {
      while (::read(wake_pipe_[0], chunk, sizeof(chunk)) > 0) {
      }
    }
    // Walk from the back so that erasing keeps the earlier indices (and polled's) valid.
    const auto now = std::chrono::steady_clock::now();
    for (size_t index = waiting_.size(); index-- > 0;) {
      Waiting& connection = waiting_[index];
      const short events = polled[index + 1].revents;
      if (events & (POLLIN | POLLHUP | POLLERR)) {
        const ssize_t received = ::recv(connection.socket, chunk, sizeof(chunk), MSG_DONTWAIT);
        if (received == 0 || (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
          ::close(connection.socket);   // the client went away
          waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(index));
          continue;
        }
        if (received > 0) {
          const size_t searched_from = connection.received.size() >= 3 ? connection.received.size() - 3 : 0;
          connection.received.append(chunk, static_cast<size_t>(received));
          if (connection.received.find(kHeaderEnd, searched_from) != std::string::npos ||
              connection.received.size() >= limits_.max_header_bytes) {
            ArrivedRequest request{connection.socket, std::move(connection.received), std::move(connection.peer)};
            waiting_.erase(waiting_.begin() + static_cast<std::ptrdiff_t>(index));
            dispatch_(std::move(request));
            continue;
          }
        }
      }
      if (now >= connection.deadline) close_waiting(index, /*answer_408=*/true);
    }
  }
}

}  // namespace edgeloop
