// A real mosquitto broker for tests: a free loopback port, a tiny config file with on-disk
// persistence (so sessions and queued QoS 1 messages survive a restart), started as a child
// process and stopped (SIGTERM, then waited for) by the test. restart() keeps the port.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace edgeloop::testing {

class MosquittoBroker {
 public:
  explicit MosquittoBroker(const std::filesystem::path& directory);
  ~MosquittoBroker();
  void start();      // returns once the port accepts connections
  void stop();       // SIGTERM and wait (mosquitto saves its persistence file)
  void restart() { stop(); start(); }
  int port() const { return port_; }
  std::string uri() const { return "tcp://127.0.0.1:" + std::to_string(port_); }

 private:
  std::filesystem::path directory_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace edgeloop::testing
