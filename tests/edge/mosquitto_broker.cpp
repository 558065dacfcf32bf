#include "edge/mosquitto_broker.h"

#include <pwd.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include "edge/loopback_port.h"

namespace edgeloop::testing {
namespace {

constexpr const char* kMosquittoBinary = "/usr/sbin/mosquitto";
constexpr auto kStartTimeout = std::chrono::seconds(10);

}  // namespace

MosquittoBroker::MosquittoBroker(const std::filesystem::path& directory) : directory_(directory) {
  std::filesystem::create_directories(directory_ / "data");
  port_ = free_loopback_port();
  std::ofstream config(directory_ / "mosquitto.conf");
  config << "listener " << port_ << " 127.0.0.1\n"
         << "allow_anonymous true\n"
         // Run as whoever runs the test: as root, mosquitto would otherwise switch to the
         // `mosquitto` user, which cannot write its persistence file in this test's folder.
         << "user " << ::getpwuid(::getuid())->pw_name << "\n"
         << "persistence true\n"
         << "persistence_location " << (directory_ / "data").string() << "/\n"
         << "max_queued_messages 100000\n"
         << "log_dest file " << (directory_ / "mosquitto.log").string() << "\n";
}

MosquittoBroker::~MosquittoBroker() { stop(); }

void MosquittoBroker::start() {
  if (pid_ > 0) return;
  const std::string config = (directory_ / "mosquitto.conf").string();
  pid_ = ::fork();
  if (pid_ == 0) {
    ::execl(kMosquittoBinary, kMosquittoBinary, "-c", config.c_str(), static_cast<char*>(nullptr));
    ::_exit(127);
  }
  const auto deadline = std::chrono::steady_clock::now() + kStartTimeout;
  while (!port_accepts(port_)) {
    if (std::chrono::steady_clock::now() > deadline) throw std::runtime_error("mosquitto did not start; see " + (directory_ / "mosquitto.log").string());
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

void MosquittoBroker::stop() {
  if (pid_ <= 0) return;
  ::kill(pid_, SIGTERM);
  int status = 0;
  ::waitpid(pid_, &status, 0);
  pid_ = -1;
}

}  // namespace edgeloop::testing
