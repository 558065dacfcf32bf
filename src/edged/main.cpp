// edgeloop-edge: the device module. Parses flags over the YAML config and EDGELOOP_* variables,
// builds an EdgeDevice, runs it until the source ends or SIGTERM/SIGINT (flush, exit 0); SIGHUP
// reloads the bundle. Per-frame JSON lines go to stdout, logs and the final summary to stderr.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <thread>

#include <CLI/CLI.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/core/log.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/edge/bundle_model_loader.h"
#include "edgeloop/edge/edge_device.h"

namespace {

// Signals reach a watcher thread through a self-pipe: the handler only writes the signal number
// (async-signal-safe), whichever thread it interrupts. Masks are not enough here: libraries such
// as OpenBLAS start threads before main runs, and those would take SIGTERM's default action.
int signal_pipe[2] = {-1, -1};
constexpr char kQuitWatcher = 0;   // written by main to end the watcher

void forward_signal(int signal_number) {
  const char byte = static_cast<char>(signal_number);
  [[maybe_unused]] ssize_t written = ::write(signal_pipe[1], &byte, 1);
}

void install_signal_forwarding() {
  if (::pipe2(signal_pipe, O_CLOEXEC) != 0) throw edgeloop::io_error("cannot create the signal pipe");
  struct sigaction action {};
  action.sa_handler = forward_signal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signal_number : {SIGINT, SIGTERM, SIGHUP}) ::sigaction(signal_number, &action, nullptr);
}

char wait_for_signal() {
  char byte = kQuitWatcher;
  while (::read(signal_pipe[0], &byte, 1) < 0 && errno == EINTR) {
  }
  return byte;
}

// Ends and joins the signal watcher when main leaves its scope, by an error included.
struct WatcherStop {
  std::thread& watcher;
  void stop() {
    if (!watcher.joinable()) return;
    forward_signal(kQuitWatcher);
    watcher.join();
  }
  ~WatcherStop() { stop(); }
};

// Command-line values; each overrides the config only when given.
struct Flags {
  std::string config_file;
  std::optional<std::string> bundle, source, engine, device_id, corrupt, jsonl_file, mqtt_broker, http_bind, capture_dir;
  std::optional<int> threads, http_port;
  std::optional<double> fps;
  bool loop = false, no_stdout = false, all_topics = false, no_http = false, fp32 = false, verbose = false, quiet = false;
};

edgeloop::Json merged_config(const Flags& flags) {
  using edgeloop::Json;
  Json config = flags.config_file.empty() ? Json::object() : edgeloop::load_config_file(flags.config_file);
  if (config.is_null()) config = Json::object();
  edgeloop::apply_environment_overrides(config, edgeloop::process_environment);
  auto set = [&config](const char* pointer, const auto& value) {
    if (value) config[Json::json_pointer(pointer)] = *value;
  };
  set("/bundle", flags.bundle);
  set("/source", flags.source);
  set("/engine", flags.engine);
  set("/device_id", flags.device_id);
  set("/threads", flags.threads);
  set("/source_options/fps", flags.fps);
  set("/source_options/corruption", flags.corrupt);
  set("/jsonl/file", flags.jsonl_file);
  set("/mqtt/broker", flags.mqtt_broker);
  set("/http/bind", flags.http_bind);
  set("/http/port", flags.http_port);
  set("/capture/directory", flags.capture_dir);
  if (flags.loop) config["/source_options/loop"_json_pointer] = true;
  if (flags.no_stdout) config["/jsonl/stdout"_json_pointer] = false;
  if (flags.all_topics) config["/jsonl/all_topics"_json_pointer] = true;
  if (flags.no_http) config["/http/enabled"_json_pointer] = false;
  if (flags.fp32) config["/prefer_int8"_json_pointer] = false;
  return config;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"edgeloop-edge: run a bundle on a camera or video stream, watch for drift and camera faults"};
  Flags flags;
  app.add_option("--config", flags.config_file, "YAML settings (EDGELOOP_* variables and flags override it)");
  app.add_option("--bundle", flags.bundle, "Bundle directory (bundle.json, model.onnx, ...)");
  app.add_option("--source", flags.source,
                 "Folder, video file, image pack (`edgeloop data export`), /dev/videoN, camera index, rtsp:// or "
                 "http:// URL, or sim:PATH");
  app.add_option("--engine", flags.engine, "Engine: auto (default: the fastest here, from the bundle's ranking), onednn, onednn-int8, xnnpack, "
                 "xnnpack-int8, opencv, opencv-int8");
  app.add_flag("--fp32", flags.fp32, "Run model.onnx even when the bundle has model.int8.onnx");
  app.add_option("--threads", flags.threads, "Inference threads (default 1; 0 = all cores)");
  app.add_option("--fps", flags.fps, "Pace folder, file and sim sources to this rate");
  app.add_flag("--loop", flags.loop, "Restart a folder or video file at its end");
  app.add_option("--corrupt", flags.corrupt, "sim: corruption KIND[:STRENGTH][@FRAME], e.g. noise:30@500");
  app.add_option("--device-id", flags.device_id, "Device name in MQTT topics (edgeloop/<device>/...)");
  app.add_option("--jsonl", flags.jsonl_file, "Also append the JSON lines to this file");
  app.add_flag("--no-stdout", flags.no_stdout, "No JSON lines on stdout");
  app.add_flag("--all-topics", flags.all_topics, "JSON lines for health, drift, captures and status too");
  app.add_option("--mqtt", flags.mqtt_broker, "MQTT broker, e.g. tcp://localhost:1883 (default: off)");
  app.add_option("--http-bind", flags.http_bind, "HTTP address (default 127.0.0.1; others need http.token)");
  app.add_option("--http-port", flags.http_port, "HTTP port (default 8080)");
  app.add_flag("--no-http", flags.no_http, "No HTTP server");
  app.add_option("--capture-dir", flags.capture_dir, "Save frames for retraining here (default: off)");
  app.add_flag("-v,--verbose", flags.verbose, "Debug logging on stderr");
  app.add_flag("-q,--quiet", flags.quiet, "Warnings and errors only on stderr");
  CLI11_PARSE(app, argc, argv);
  edgeloop::set_log_level(flags.verbose ? edgeloop::LogLevel::kVerbose
                                        : flags.quiet ? edgeloop::LogLevel::kQuiet : edgeloop::LogLevel::kNormal);

  try {
    install_signal_forwarding();
    edgeloop::EdgeOptions options = edgeloop::edge_options_from_json(merged_config(flags));
    edgeloop::set_compute_threads(options.threads);
    edgeloop::ModelLoadOptions load{options.engine, options.prefer_int8, options.threads};
    // The watcher runs from before the model loads, so SIGTERM during a long load ends the
    // process at once (nothing has been written yet); once the device exists it stops it cleanly.
    std::atomic<edgeloop::EdgeDevice*> running{nullptr};
    std::thread watcher([&] {
      while (true) {
        const char received = wait_for_signal();
        if (received == kQuitWatcher) return;
        edgeloop::EdgeDevice* device = running.load();
        if (received == SIGHUP) {
          if (device) device->reload_model();
          continue;
        }
        if (!device) std::_Exit(0);
        device->stop();
        return;
      }
    });
    WatcherStop stop_watcher{watcher};
    edgeloop::EdgeDevice device(options, edgeloop::bundle_model_loader(load), &std::cout);
    running = &device;
    edgeloop::PipelineSummary summary = device.run();
    running = nullptr;
    stop_watcher.stop();
    std::cout.flush();
    std::cerr << summary.to_json().dump() << "\n";
    return 0;
  } catch (const edgeloop::Error& error) {
    std::cerr << "edgeloop-edge: " << error.what() << "\n";
    return error.exit_status();
  }
}
