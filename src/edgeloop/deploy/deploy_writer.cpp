#include "edgeloop/deploy/deploy_writer.h"

#include <sstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/deploy/compose_file.h"
#include "edgeloop/deploy/deployment_manifest.h"
#include "edgeloop/deploy/dockerfile.h"

namespace edgeloop {

namespace {

namespace fs = std::filesystem;

constexpr const char* kBundleManifest = "bundle.json";
constexpr int kJsonIndent = 2;

// Reads the bundle's model id, failing with the fix when the folder is not a bundle.
std::string read_model_id(const fs::path& bundle_directory) {
  const fs::path manifest = bundle_directory / kBundleManifest;
  if (!fs::exists(manifest)) {
    throw not_found(manifest.string() + " does not exist: pass --bundle the folder `edgeloop export` wrote");
  }
  Json bundle;
  try {
    bundle = load_json_file_limited(manifest);
  } catch (const Error& failure) {
    if (failure.code() != ErrorCode::kInvalidArgument) throw;
    throw corrupt(std::string(failure.what()) + ", or re-export the bundle");
  }
  return bundle.is_object() ? bundle.value("model_id", std::string()) : std::string();
}

std::string build_readme(const DeployOptions& options, const std::string& model_id) {
  // The tree this edgeloop was built from, unless the caller names another.
  const std::string source =
      options.source_directory.empty() ? std::string(EDGELOOP_DEPLOY_SOURCE_DIR) : options.source_directory.string();
  std::ostringstream text;
  text << "edgeloop deployment for device " << options.device << " (model " << model_id << ")\n\n"
       << "Files\n"
       << "  bundle/             the model bundle, copied and checked\n"
       << "  Dockerfile          the module image: edgeloop-edge, its runtime libraries, the bundle\n"
       << "  deployment.json     Azure IoT Edge deployment manifest\n"
       << "  docker-compose.yml  the same module with a mosquitto broker, without IoT Edge\n\n"
       << "Build and push the image (BuildKit; run here):\n"
       << "  docker build -f Dockerfile --build-context bundle=bundle -t " << options.image << " " << source << "\n"
       << "  docker push " << options.image << "\n\n"
       << "Deploy with IoT Edge:\n"
       << "  az iot edge set-modules --hub-name HUB --device-id " << options.device
       << " --content deployment.json\n\n"
       << "The module's HTTP port " << options.http_port << " answers requests bearing the token in\n"
       << "EDGELOOP_HTTP_TOKEN (deployment.json, docker-compose.yml); keep these files private.\n\n"
       << "Or run without IoT Edge:\n"
       << "  EDGELOOP_SOURCE=" << source << " docker compose up --build\n";
  return text.str();
}

}  // namespace

DeployResult write_deployment(const DeployOptions& requested) {
  validate_deploy_options(requested);
  DeployOptions options = requested;
  if (options.http_token.empty()) options.http_token = random_http_token();
  if (!fs::is_directory(options.bundle_directory)) {
    throw not_found("bundle folder " + options.bundle_directory.string() +
                    " does not exist: pass --bundle the folder `edgeloop export` wrote");
  }
  DeployResult result;
  result.out_directory = options.out_directory;
  result.model_id = read_model_id(options.bundle_directory);

  // Everything is built in memory first, so a failure leaves the folder untouched.
  const std::string dockerfile = build_dockerfile(options);
  const std::string manifest = build_deployment_manifest(options, result.model_id).dump(kJsonIndent) + "\n";
  const std::string compose = build_compose_file(options);
  const std::string mosquitto = build_mosquitto_config();
  const std::string readme = build_readme(options, result.model_id);

  std::error_code error;
  fs::create_directories(options.out_directory / "bundle", error);
  if (error) {
    throw io_error("cannot create " + (options.out_directory / "bundle").string() + ": " + error.message() +
                   ": choose another --out");
  }
  for (const auto& entry : fs::recursive_directory_iterator(options.bundle_directory)) {
    const fs::path relative = fs::relative(entry.path(), options.bundle_directory);
    const fs::path target = options.out_directory / "bundle" / relative;
    if (entry.is_directory()) {
      fs::create_directories(target);
    } else if (entry.is_regular_file()) {
      copy_file_atomically(entry.path(), target);
      result.files.push_back(target);
    }
  }
  const std::pair<const char*, const std::string*> outputs[] = {{"Dockerfile", &dockerfile},
                                                                 {"deployment.json", &manifest},
                                                                 {"docker-compose.yml", &compose},
                                                                 {"mosquitto.conf", &mosquitto},
                                                                 {"README.txt", &readme}};
  for (const auto& [name, text] : outputs) {
    write_file_atomically(options.out_directory / name, *text);
    result.files.push_back(options.out_directory / name);
  }
  return result;
}

}  // namespace edgeloop
