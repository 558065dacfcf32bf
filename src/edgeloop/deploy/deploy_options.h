// DeployOptions: what `edgeloop deploy` needs to describe one device's installation (the bundle,
// the image, the camera, the broker) and the thresholds the module twin carries. Filled by the CLI,
// read by deployment_manifest.h, dockerfile.h and compose_file.h. Plain values; thread-safe.
#pragma once

#include <filesystem>
#include <string>

#include "edgeloop/core/config.h"

namespace edgeloop {

// Where things live inside the module's container: the one place these paths are named.
constexpr const char* kContainerBundleDir = "/opt/edgeloop/bundle";
constexpr const char* kContainerCapturesDir = "/var/lib/edgeloop/captures";
constexpr const char* kContainerBinary = "/usr/local/bin/edgeloop-edge";
constexpr const char* kCapturesVolume = "edgeloop-captures";   // named Docker volume for captures

// The edge module's alarm and capture thresholds, sent as the module twin's desired properties
// (IoT Edge) or as environment (docker-compose), so they can be changed without a new image.
struct EdgeThresholds {
  double drift_score = 0.25;             // drift alarm above this score (0..1, see monitor/)
  int drift_window_frames = 300;         // frames in the sliding window the drift score is computed on
  double min_brightness = 20.0;          // camera alarm below this mean gray level (0..255)
  double max_brightness = 235.0;         // camera alarm above this mean gray level (0..255)
  double min_sharpness = 15.0;           // camera alarm below this variance of the Laplacian
  double frozen_seconds = 5.0;           // camera alarm when frames stay identical this long (seconds)
  double capture_confidence_below = 0.6; // capture frames whose top probability is below this (0..1)
  int capture_max_per_minute = 30;       // capture rate limit (frames per minute)

  Json to_json() const;
};

struct DeployOptions {
  std::filesystem::path bundle_directory;                  // the bundle to ship (required)
  std::string device = "edge-device-1";                    // IoT Edge device id, used in names and README
  std::string image = "localhost:5000/edgeloop-edge:latest"; // REG/NAME:TAG of the module image
  std::string camera = "/dev/video0";                      // camera device bound into the container
  std::string mqtt = "mosquitto:1883";                     // HOST:PORT of the broker the module publishes to
  std::filesystem::path out_directory = "deploy";          // where the files are written
  std::string module_name = "edgeloop";                    // IoT Edge module name (letters, digits, -, _)
  int http_port = 8080;                                    // the module's HTTP status port (container and host)
  std::string http_token;                                  // bearer token for that port; empty: a random one
  std::filesystem::path source_directory;                  // edgeloop source tree for the image build; empty: unknown
  EdgeThresholds thresholds;                               // desired properties of the module twin
};

// Checks the options before anything is written; throws Error(kInvalidArgument) naming the flag
// and the fix (a bad HOST:PORT, an image without a tag, a module name IoT Edge rejects).
void validate_deploy_options(const DeployOptions& options);

// 32 random hex characters, for http_token when none is given.
std::string random_http_token();

// Splits "HOST:PORT"; throws Error(kInvalidArgument) naming `flag` when it is not that form.
struct HostPort {
  std::string host;
  int port = 0;
};
HostPort parse_host_port(const std::string& text, const std::string& flag);

// "tcp://HOST:PORT" of --mqtt, as edgeloop-edge reads EDGELOOP_MQTT_BROKER.
std::string mqtt_broker_url(const DeployOptions& options);

}  // namespace edgeloop
