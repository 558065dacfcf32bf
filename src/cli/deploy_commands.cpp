// `edgeloop deploy --bundle DIR --device NAME ...`: write a device's Dockerfile, IoT Edge
// deployment manifest and docker-compose.yml (library: src/edgeloop/deploy/).
#include <iostream>

#include "cli/cli_context.h"
#include "edgeloop/deploy/deploy_writer.h"

namespace edgeloop::cli {

void add_deploy_commands(CLI::App& app, CliContext& context) {
  auto* deploy = app.add_subcommand("deploy", "Write the Dockerfile, IoT Edge deployment.json and docker-compose.yml for a device");
  auto options = std::make_shared<DeployOptions>();
  auto bundle = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  deploy->add_option("--bundle", *bundle, "Bundle folder written by `edgeloop export`")->required();
  deploy->add_option("--device", options->device, "IoT Edge device id")->required();
  deploy->add_option("--image", options->image, "Module image REG/NAME:TAG")->capture_default_str();
  deploy->add_option("--camera", options->camera, "Camera device bound into the container")->capture_default_str();
  deploy->add_option("--mqtt", options->mqtt, "MQTT broker HOST:PORT the module publishes to")->capture_default_str();
  deploy->add_option("--http-port", options->http_port, "The module's HTTP status port")->capture_default_str();
  deploy->add_option("--http-token", options->http_token, "Bearer token for the HTTP port (default: random)");
  deploy->add_option("--module", options->module_name, "IoT Edge module name")->capture_default_str();
  deploy->add_option("--drift-threshold", options->thresholds.drift_score, "Drift alarm threshold (0..1)")
      ->capture_default_str();
  deploy->add_option("--out", *out, "Output folder (default: deploy-DEVICE)");
  deploy->callback([&context, options, bundle, out] {
    run_command(context, [&] {
      options->bundle_directory = *bundle;
      options->out_directory = out->empty() ? std::filesystem::path("deploy-" + options->device) : std::filesystem::path(*out);
      const DeployResult result = write_deployment(*options);
      if (context.json) {
        Json files = Json::array();
        for (const auto& file : result.files) files.push_back(file.string());
        std::cout << Json{{"out", result.out_directory.string()}, {"model_id", result.model_id}, {"files", files}}.dump(2)
                  << "\n";
        return;
      }
      std::cout << "deployment for " << options->device << " (model " << result.model_id << ") in "
                << result.out_directory.string() << "\n";
      for (const char* name : {"Dockerfile", "deployment.json", "docker-compose.yml", "README.txt"}) {
        std::cout << "  " << (result.out_directory / name).string() << "\n";
      }
      std::cout << "next: see " << (result.out_directory / "README.txt").string() << " to build, push and deploy\n";
    });
  });
}

}  // namespace edgeloop::cli
