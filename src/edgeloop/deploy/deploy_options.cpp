#include "edgeloop/deploy/deploy_options.h"

#include <charconv>
#include <random>
#include <algorithm>
#include <cctype>

#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"

namespace edgeloop {

namespace {
constexpr int kMaxPort = 65535;
}  // namespace

Json EdgeThresholds::to_json() const {
  return Json{{"drift_score", drift_score},
              {"drift_window_frames", drift_window_frames},
              {"min_brightness", min_brightness},
              {"max_brightness", max_brightness},
              {"min_sharpness", min_sharpness},
              {"frozen_seconds", frozen_seconds},
              {"capture_confidence_below", capture_confidence_below},
              {"capture_max_per_minute", capture_max_per_minute}};
}

std::string random_http_token() {
  constexpr size_t kTokenCharacters = 32;
  std::random_device device;
  std::string seed;
  for (int word = 0; word < 8; ++word) seed += std::to_string(device());
  return sha256_hex(seed).substr(0, kTokenCharacters);
}

HostPort parse_host_port(const std::string& text, const std::string& flag) {
  const auto colon = text.rfind(':');
  HostPort result;
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    throw invalid_argument(flag + " '" + text + "' is not HOST:PORT: write it like mosquitto:1883");
  }
  result.host = text.substr(0, colon);
  const std::string port_text = text.substr(colon + 1);
  const auto [end, status] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), result.port);
  if (status != std::errc() || end != port_text.data() + port_text.size() || result.port <= 0 ||
      result.port > kMaxPort) {
    throw invalid_argument(flag + " '" + text + "': the port must be a number from 1 to 65535");
  }
  return result;
}

void validate_deploy_options(const DeployOptions& options) {
  if (options.bundle_directory.empty()) throw invalid_argument("--bundle is required: name a bundle directory");
  // IoT Edge module names: letters, digits, '-' and '_' (no '$', which marks system modules).
  constexpr size_t kMaxModuleName = 64;
  const std::string& name = options.module_name;
  const bool name_ok = !name.empty() && name.size() <= kMaxModuleName && std::isalpha(static_cast<unsigned char>(name[0])) &&
                       std::all_of(name.begin(), name.end(), [](char character) {
                         return std::isalnum(static_cast<unsigned char>(character)) || character == '-' || character == '_';
                       });
  if (!name_ok) {
    throw invalid_argument("module name '" + options.module_name +
                           "' is not valid for IoT Edge: use letters, digits, '-' or '_', starting with a letter");
  }
  // REG/NAME:TAG: a registry, a '/', a lower-case name, a ':' and a tag after the last '/'.
  const auto last_slash = options.image.rfind('/');
  const auto tag_colon = options.image.rfind(':');
  const bool lower_case = std::none_of(options.image.begin(), options.image.end(),
                                       [](char character) { return std::isupper(static_cast<unsigned char>(character)) != 0; });
  const bool has_space = options.image.find_first_of(" \t") != std::string::npos;
  if (last_slash == std::string::npos || last_slash == 0 || tag_colon == std::string::npos || tag_colon < last_slash ||
      tag_colon == last_slash + 1 || tag_colon + 1 == options.image.size() || !lower_case || has_space) {
    throw invalid_argument("--image '" + options.image +
                           "' is not REG/NAME:TAG in lower case: write it like myregistry.azurecr.io/edgeloop-edge:1.0");
  }
  if (options.camera.empty() || options.camera.front() != '/') {
    throw invalid_argument("--camera '" + options.camera + "' must be a device path like /dev/video0");
  }
  if (options.device.empty()) throw invalid_argument("--device must name the IoT Edge device");
  parse_host_port(options.mqtt, "--mqtt");
  if (options.http_port <= 0 || options.http_port > kMaxPort) {
    throw invalid_argument("--http-port must be from 1 to 65535");
  }
}

std::string mqtt_broker_url(const DeployOptions& options) {
  const HostPort broker = parse_host_port(options.mqtt, "--mqtt");
  return "tcp://" + broker.host + ":" + std::to_string(broker.port);
}

}  // namespace edgeloop
