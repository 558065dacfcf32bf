// Writes one device's deployment folder: bundle/ (a verified copy of the bundle), Dockerfile,
// deployment.json (IoT Edge), docker-compose.yml with mosquitto.conf, and README.txt with the
// commands. Called by the CLI's `edgeloop deploy` and by the quickstart. Every file is written
// atomically after all options are checked, so a bad flag leaves the folder as it was.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "edgeloop/deploy/deploy_options.h"

namespace edgeloop {

struct DeployResult {
  std::filesystem::path out_directory;
  std::string model_id;                       // from the bundle's bundle.json
  std::vector<std::filesystem::path> files;   // every file written, in the order written
};

// Throws Error(kNotFound) when the bundle has no bundle.json, Error(kInvalidArgument) on a bad
// option (see validate_deploy_options), Error(kIo) when a file cannot be written.
DeployResult write_deployment(const DeployOptions& options);

}  // namespace edgeloop
