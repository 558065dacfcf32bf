#include "edge/mosquitto_broker.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

namespace edgeloop::testing {
namespace {

constexpr const char* kMosquittoBinary = "/usr/sbin/mosquitto";
constexpr auto kStartTimeout = std::chrono::seconds(10);

int free_loopback_port() {
  int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ::bind(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  ::getsockname(socket_fd, reinterpret_cast<sockaddr*>(&address), &length);
  ::close(socket_fd);
  return ntohs(address.sin_port);
}

bool port_accepts(int port) {
  int socket_fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(port);
  const bool connected = ::connect(socket_fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
  ::close(socket_fd);
  return connected;
}

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
