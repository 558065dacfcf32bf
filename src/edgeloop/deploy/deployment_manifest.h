// The Azure IoT Edge deployment manifest (deployment.json) for one edgeloop module: $edgeAgent
// (runtime, system modules, the module with its image and Docker createOptions), $edgeHub (routes
// from the module's outputs to $upstream) and the module twin's desired properties (thresholds).
// Format: Microsoft's "deploy modules and establish routes" and "edgeAgent/edgeHub properties"
// docs; the JSON schema the tests check it against is tests/deploy/iot_edge_deployment.schema.json.
// Called by deploy_writer.h. Pure function; thread-safe.
#pragma once

#include <string>

#include "edgeloop/core/config.h"
#include "edgeloop/deploy/deploy_options.h"

namespace edgeloop {

// The module's output names; $edgeHub routes each of them upstream.
constexpr const char* kOutputPredictions = "predictions";
constexpr const char* kOutputDrift = "drift";
constexpr const char* kOutputCameraHealth = "camera_health";

// IoT Edge caps each createOptions string at this many characters and accepts the rest in
// createOptions01 … createOptions07.
constexpr size_t kCreateOptionsChunk = 512;
constexpr int kMaxCreateOptionsChunks = 8;

// Docker create options for the module: the camera device bind, the captures volume, the HTTP
// port binding. A JSON object (the manifest carries it stringified).
Json module_create_options(const DeployOptions& options);

// `settings` of a module with createOptions stringified and split into 512-character chunks.
// Throws Error(kInvalidArgument) when the options exceed the eight chunks IoT Edge accepts.
Json module_settings(const std::string& image, const Json& create_options);

// The whole manifest; `model_id` (from bundle.json) is reported in the twin for traceability.
Json build_deployment_manifest(const DeployOptions& options, const std::string& model_id);

}  // namespace edgeloop
