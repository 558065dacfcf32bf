#include "edgeloop/deploy/compose_file.h"

#include <sstream>

#include "edgeloop/deploy/dockerfile.h"

namespace edgeloop {

std::string build_compose_file(const DeployOptions& options) {
  std::ostringstream file;
  file << "# Runs the edgeloop module of device '" << options.device << "' without IoT Edge, written by `edgeloop deploy`.\n"
       << "# Build context: the edgeloop source tree (EDGELOOP_SOURCE, default ..); the bundle: ./bundle.\n"
       << "#   EDGELOOP_SOURCE=/path/to/edgeloop docker compose up --build\n"
       << "services:\n"
       << "  mosquitto:\n"
       << "    image: " << kMosquittoImage << "\n"
       << "    restart: unless-stopped\n"
       << "    ports:\n"
       << "      - \"" << kMosquittoPort << ":" << kMosquittoPort << "\"\n"
       << "    volumes:\n"
       << "      - ./mosquitto.conf:/mosquitto/config/mosquitto.conf:ro\n"
       << "  " << options.module_name << ":\n"
       << "    image: " << options.image << "\n"
       << "    build:\n"
       << "      context: ${EDGELOOP_SOURCE:-..}\n"
       << "      dockerfile: ${PWD}/Dockerfile\n"
       << "      additional_contexts:\n"
       << "        " << kBundleBuildContext << ": ./bundle\n"
       << "    restart: unless-stopped\n"
       << "    depends_on:\n"
       << "      - mosquitto\n"
       << "    devices:\n"
       << "      - \"" << options.camera << ":" << options.camera << "\"\n"
       << "    volumes:\n"
       << "      - " << kCapturesVolume << ":" << kContainerCapturesDir << "\n"
       << "    ports:\n"
       << "      - \"" << options.http_port << ":" << options.http_port << "\"\n"
       << "    environment:\n"
       << "      EDGELOOP_DEVICE_ID: \"" << options.device << "\"\n"
       << "      EDGELOOP_MQTT_BROKER: \"" << mqtt_broker_url(options) << "\"\n"
       << "      EDGELOOP_HTTP_BIND: \"0.0.0.0\"\n"
       << "      EDGELOOP_HTTP_TOKEN: \"" << options.http_token << "\"\n"
       << "      EDGELOOP_DRIFT_WINDOW: \"" << options.thresholds.drift_window_frames << "\"\n"
       << "      EDGELOOP_LOW_CONFIDENCE: \"" << options.thresholds.capture_confidence_below << "\"\n";
  file << "volumes:\n"
       << "  " << kCapturesVolume << ": {}\n";
  return file.str();
}

std::string build_mosquitto_config() {
  std::ostringstream file;
  file << "# mosquitto for edgeloop's docker-compose.yml: plain MQTT on the compose network.\n"
       << "listener " << kMosquittoPort << "\n"
       << "allow_anonymous true\n"
       << "persistence false\n";
  return file.str();
}

}  // namespace edgeloop
