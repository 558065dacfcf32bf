// docker-compose.yml for running the module without IoT Edge: the edgeloop-edge service (built
// from the Dockerfile, camera device, captures volume, port, thresholds as environment) and a
// mosquitto broker, plus the mosquitto.conf it mounts. Called by deploy_writer.h. Pure; thread-safe.
#pragma once

#include <string>

#include "edgeloop/deploy/deploy_options.h"

namespace edgeloop {

constexpr const char* kMosquittoImage = "eclipse-mosquitto:2";
constexpr int kMosquittoPort = 1883;

std::string build_compose_file(const DeployOptions& options);
// mosquitto 2 listens only on localhost without a config; this one opens 1883 to the compose network.
std::string build_mosquitto_config();

}  // namespace edgeloop
