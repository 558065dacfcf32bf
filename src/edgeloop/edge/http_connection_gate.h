// ConnectionGate: the HTTP server's defence against slow and crowding clients. Each accepted
// socket waits here, on one poll thread and no worker thread, until its request header has fully
// arrived. A socket whose header is not complete within the header deadline is answered 408 and
// closed; when one client address has more than max_waiting_per_client sockets waiting, its
// oldest waiting socket is closed (so a crowd of trickling connections cannot starve newer ones,
// probes included); beyond max_waiting sockets in all, the oldest waiting one goes. A socket
// whose header is complete is handed, with the bytes read so far, to `dispatch`. Used by
// HttpServer only. Thread-safe: admit() from any thread; dispatch runs on the gate's thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <thread>

namespace edgeloop {

struct GateLimits {
  double header_timeout_seconds = 5.0;   // a whole request header must arrive within this
  int max_waiting_per_client = 64;       // sockets of one address waiting for their header
  int max_waiting = 1024;                // sockets waiting in all
  size_t max_header_bytes = 64 * 1024;   // beyond this the request goes on (the server answers 431/400)
};

// A socket whose request header has arrived: `received` holds the bytes read so far (the header
// and perhaps the start of the body). The receiver owns and closes `socket`.
struct ArrivedRequest {
  int socket = -1;
  std::string received;
  std::string peer;   // the client's address
};

class ConnectionGate {
 public:
  using Dispatch = std::function<void(ArrivedRequest request)>;
  ConnectionGate(const GateLimits& limits, Dispatch dispatch);
  ~ConnectionGate();   // closes every waiting socket and joins the thread
  ConnectionGate(const ConnectionGate&) = delete;
  ConnectionGate& operator=(const ConnectionGate&) = delete;

  void admit(int socket);    // takes ownership of an accepted socket
  size_t waiting() const;    // sockets whose header has not arrived yet (tests)
  int64_t timed_out() const; // sockets closed at the header deadline or for crowding (tests, metrics)

 private:
  struct Waiting {
    int socket = -1;
    std::string received;
    std::string peer;
    std::chrono::steady_clock::time_point deadline;
  };
  void run();
  void take_admitted();                              // gate thread: admitted_ → waiting_, crowding policy
  void close_waiting(size_t index, bool answer_408); // gate thread

  GateLimits limits_;
  Dispatch dispatch_;
  mutable std::mutex mutex_;
  std::deque<Waiting> admitted_;   // admitted, not yet polled by the gate thread
  std::deque<Waiting> waiting_;    // gate thread only; oldest first. Its size is mirrored in waiting_count_
  size_t waiting_count_ = 0;
  int64_t timed_out_ = 0;
  int wake_pipe_[2] = {-1, -1};
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace edgeloop
