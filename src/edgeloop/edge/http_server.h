// HttpServer: the device's local HTTP API (cpp-httplib). Bound to 127.0.0.1 unless told
// otherwise; bound anywhere else it refuses to start without a bearer token, and every endpoint
// but the probes then needs `Authorization: Bearer <token>`. Request bodies are limited to
// max_body_bytes (413 beyond). Slow and crowding clients cannot take it down: a request's header
// must arrive within header_timeout_seconds and its body within body_timeout_seconds, one
// address's waiting connections are capped (oldest closed), and the probes have workers of their
// own, so /healthz answers while every API worker is busy (edge/http_connection_gate.h). Endpoints:
//   GET  /healthz      200 while the process runs            GET /readyz   200 once a model serves
//   GET  /metrics      Prometheus text                         GET /v1/status  JSON
//   POST /v1/predict   body: one PNG, JPEG, BMP, TIFF or WebP → prediction JSON; decoded by
//                      decode_untrusted_image: other formats, cut or implausible files 400, over
//                      kDefaultMaxMegapixels 413, each before anything is allocated
//   POST /v1/model     {"bundle": DIR} or {"bundle_id": ID} (pushed as below) → hot swap (202;
//                      with ?wait=1 the outcome, 200 or 422); the new model then runs on probation
//   PUT  /v1/bundles/ID/FILE?offset=N   a chunk of a pushed bundle's file (bundle.json first)
//   GET  /v1/bundles/ID                 bytes received per file, to resume a push
//   GET|PUT /v1/config thresholds (drift, health, capture), partial updates
// The work is done by the handlers edged wires in. Thread-safe (httplib's worker threads).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include <opencv2/core.hpp>

#include "edgeloop/core/config.h"
#include "edgeloop/edge/edge_options.h"

namespace edgeloop {

class GatedHttpServer;

// Each handler may throw edgeloop::Error; its code becomes the HTTP status (400 invalid input,
// 404 not found, 409 already exists / busy, 422 corrupt, 501 unsupported, 500 otherwise).
struct HttpHandlers {
  std::function<Json()> status;                             // GET /v1/status
  std::function<bool()> ready;                              // GET /readyz
  std::function<std::string()> metrics;                     // GET /metrics
  std::function<Json(const cv::Mat& image)> predict;        // POST /v1/predict (decoded image)
  std::function<Json(const std::string& bundle, bool wait)> swap_model;   // POST /v1/model
  std::function<std::string(const std::string& bundle_id)> publish_bundle;  // {"bundle_id"} → its folder
  std::function<Json(const std::string& bundle_id, const std::string& file, int64_t offset, const std::string& bytes)>
      receive_bundle;                                         // PUT /v1/bundles/ID/FILE
  std::function<Json(const std::string& bundle_id)> bundle_status;   // GET /v1/bundles/ID
  std::function<Json()> config;                             // GET /v1/config
  std::function<Json(const Json& patch)> update_config;     // PUT /v1/config
};

class HttpServer {
 public:
  // Throws Error(kInvalidArgument) when bound beyond loopback without a token.
  HttpServer(const HttpOptions& options, HttpHandlers handlers);
  ~HttpServer();   // stops and joins
  // Binds and serves on a background thread; throws Error(kIo) naming the address when the port
  // is taken. Returns the bound port (useful with port 0).
  int start();
  void stop();
  int port() const { return port_; }

 private:
  void route();
  bool authorized(const std::string& authorization_header) const;

  HttpOptions options_;
  HttpHandlers handlers_;
  std::unique_ptr<GatedHttpServer> server_;
  std::thread thread_;
  int port_ = 0;
};

bool is_loopback_address(const std::string& address);

}  // namespace edgeloop
