// edgeloop_label_test_server: serves the labelling page for a workspace the way `edgeloop label`
// does (LabellingSession + LabelServer on loopback), without linking the whole toolkit, so the
// browser test can start, SIGKILL and restart it cheaply. Stops on SIGTERM.
// Usage: edgeloop_label_test_server WORKSPACE DATASET CLASSES PORT LABELLER
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <thread>

#include "edgeloop/label/label_server.h"

namespace {
std::atomic<bool> stopping{false};
}

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s WORKSPACE DATASET CLASSES PORT LABELLER\n", argv[0]);
    return 2;
  }
  try {
    const edgeloop::Workspace workspace = edgeloop::Workspace::open(std::filesystem::path(argv[1]));
    edgeloop::Registry registry = edgeloop::Registry::open(workspace.registry_path());
    edgeloop::LabelOptions options;
    options.dataset = argv[2];
    options.classes_from = argv[3];
    options.labeller = argv[5];
    edgeloop::LabellingSession session(registry, options);
    edgeloop::LabelServer server(session, edgeloop::ObjectStore(workspace), edgeloop::LabelServerOptions{"127.0.0.1", std::atoi(argv[4]), ""});
    server.start();
    std::signal(SIGTERM, [](int) { stopping = true; });
    while (!stopping) std::this_thread::sleep_for(std::chrono::milliseconds(50));
    server.stop();
  } catch (const std::exception& error) {
    std::fprintf(stderr, "label test server: %s\n", error.what());
    return 1;
  }
  return 0;
}
