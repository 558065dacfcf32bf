#include "edgeloop/deploy/deployment_manifest.h"

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr const char* kSchemaVersion = "1.1";
constexpr const char* kMinDockerVersion = "v1.25";
constexpr const char* kEdgeAgentImage = "mcr.microsoft.com/azureiotedge-agent:1.5";
constexpr const char* kEdgeHubImage = "mcr.microsoft.com/azureiotedge-hub:1.5";
constexpr int kUpstreamTimeToLiveSeconds = 7200;    // store-and-forward while the cloud is away
constexpr int kEdgeHubStartupOrder = 0;
constexpr int kModuleStartupOrder = 1;
// Ports the IoT Edge hub listens on: AMQPS, MQTTS, HTTPS/WebSockets.
constexpr int kEdgeHubPorts[] = {5671, 8883, 443};

Json port_bindings(const std::vector<int>& ports) {
  Json bindings = Json::object();
  for (int port : ports) {
    bindings[std::to_string(port) + "/tcp"] = Json::array({Json{{"HostPort", std::to_string(port)}}});
  }
  return bindings;
}

Json environment(const DeployOptions& options) {
  // The names edgeloop-edge reads (edge/edge_options.cpp).
  return Json{{"EDGELOOP_BUNDLE", {{"value", kContainerBundleDir}}},
              {"EDGELOOP_SOURCE", {{"value", options.camera}}},
              {"EDGELOOP_MQTT_BROKER", {{"value", mqtt_broker_url(options)}}},
              {"EDGELOOP_CAPTURE_DIR", {{"value", kContainerCapturesDir}}},
              {"EDGELOOP_HTTP_PORT", {{"value", std::to_string(options.http_port)}}},
              {"EDGELOOP_HTTP_BIND", {{"value", "0.0.0.0"}}},   // reachable through the port binding
              {"EDGELOOP_HTTP_TOKEN", {{"value", options.http_token}}},
              {"EDGELOOP_DRIFT_WINDOW", {{"value", std::to_string(options.thresholds.drift_window_frames)}}},
              {"EDGELOOP_LOW_CONFIDENCE", {{"value", std::to_string(options.thresholds.capture_confidence_below)}}},
              {"EDGELOOP_DEVICE_ID", {{"value", options.device}}}};
}

}  // namespace

Json module_create_options(const DeployOptions& options) {
  const std::string port = std::to_string(options.http_port) + "/tcp";
  return Json{
      {"ExposedPorts", {{port, Json::object()}}},
      {"HostConfig",
       {{"Devices", Json::array({Json{{"PathOnHost", options.camera},
                                      {"PathInContainer", options.camera},
                                      {"CgroupPermissions", "rwm"}}})},
        {"Binds", Json::array({std::string(kCapturesVolume) + ":" + kContainerCapturesDir})},
        {"PortBindings", port_bindings({options.http_port})}}}};
}

Json module_settings(const std::string& image, const Json& create_options) {
  const std::string text = create_options.dump();
  Json settings{{"image", image}};
  const size_t chunks = (text.size() + kCreateOptionsChunk - 1) / kCreateOptionsChunk;
  if (chunks > static_cast<size_t>(kMaxCreateOptionsChunks)) {
    throw invalid_argument("the module's Docker create options are " + std::to_string(text.size()) +
                           " characters, more than IoT Edge's 4096: shorten the camera path or environment");
  }
  for (size_t chunk = 0; chunk < std::max<size_t>(chunks, 1); ++chunk) {
    char key[32];
    if (chunk == 0) {
      std::snprintf(key, sizeof key, "createOptions");
    } else {
      std::snprintf(key, sizeof key, "createOptions%02zu", chunk);
    }
    settings[key] = text.substr(chunk * kCreateOptionsChunk, kCreateOptionsChunk);
  }
  return settings;
}

Json build_deployment_manifest(const DeployOptions& options, const std::string& model_id) {
  validate_deploy_options(options);
  const Json edge_hub_create_options{
      {"HostConfig", {{"PortBindings", port_bindings({std::begin(kEdgeHubPorts), std::end(kEdgeHubPorts)})}}}};

  Json edge_agent{
      {"schemaVersion", kSchemaVersion},
      {"runtime",
       {{"type", "docker"},
        {"settings", {{"minDockerVersion", kMinDockerVersion}, {"loggingOptions", ""}, {"registryCredentials", Json::object()}}}}},
      {"systemModules",
       {{"edgeAgent", {{"type", "docker"}, {"settings", module_settings(kEdgeAgentImage, Json::object())}}},
        {"edgeHub",
         {{"type", "docker"},
          {"status", "running"},
          {"restartPolicy", "always"},
          {"startupOrder", kEdgeHubStartupOrder},
          {"settings", module_settings(kEdgeHubImage, edge_hub_create_options)}}}}},
      {"modules",
       {{options.module_name,
         {{"version", "1.0"},
          {"type", "docker"},
          {"status", "running"},
          {"restartPolicy", "always"},
          {"imagePullPolicy", "on-create"},
          {"startupOrder", kModuleStartupOrder},
          {"env", environment(options)},
          {"settings", module_settings(options.image, module_create_options(options))}}}}}};

  Json routes = Json::object();
  for (const char* output : {kOutputPredictions, kOutputDrift, kOutputCameraHealth}) {
    routes[options.module_name + "_" + output + "_to_upstream"] = Json{
        {"route", "FROM /messages/modules/" + options.module_name + "/outputs/" + output + " INTO $upstream"},
        {"priority", 0},
        {"timeToLiveSecs", kUpstreamTimeToLiveSeconds}};
  }
  Json edge_hub{{"schemaVersion", kSchemaVersion},
                {"routes", routes},
                {"storeAndForwardConfiguration", {{"timeToLiveSecs", kUpstreamTimeToLiveSeconds}}}};

  Json twin = options.thresholds.to_json();
  twin["model_id"] = model_id;
  twin["device"] = options.device;

  return Json{{"modulesContent",
               {{"$edgeAgent", {{"properties.desired", edge_agent}}},
                {"$edgeHub", {{"properties.desired", edge_hub}}},
                {options.module_name, {{"properties.desired", twin}}}}}};
}

}  // namespace edgeloop
