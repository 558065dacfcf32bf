#include "edgeloop/edge/http_server.h"

#include <httplib.h>
#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include "edgeloop/core/error.h"
#include "edgeloop/core/http_status.h"

namespace edgeloop {
namespace {

constexpr const char* kJsonType = "application/json";
constexpr const char* kPrometheusType = "text/plain; version=0.0.4";
constexpr const char* kBearerPrefix = "Bearer ";

void reply_json(httplib::Response& response, int status, const Json& body) {
  response.status = status;
  response.set_content(body.dump(), kJsonType);
}

// Runs `body`, turning Error into its status and a JSON {"error": message}.
void guarded(httplib::Response& response, const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& error) {
    reply_json(response, http_status_for(error.code()), Json{{"error", error.what()}});
  } catch (const std::exception& error) {
    reply_json(response, 500, Json{{"error", error.what()}});
  }
}

Json parse_body(const httplib::Request& request) {
  try {
    return Json::parse(request.body);
  } catch (const nlohmann::json::exception&) {
    throw invalid_argument("the request body is not JSON: send a JSON object");
  }
}

}  // namespace

bool is_loopback_address(const std::string& address) {
  return address == "127.0.0.1" || address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

HttpServer::HttpServer(const HttpOptions& options, HttpHandlers handlers)
    : options_(options), handlers_(std::move(handlers)), server_(std::make_unique<httplib::Server>()) {
  if (!is_loopback_address(options_.bind) && options_.token.empty()) {
    throw invalid_argument("http: binding to " + options_.bind +
                           " needs a bearer token: set http.token (or EDGELOOP_HTTP_TOKEN), or bind 127.0.0.1");
  }
  server_->set_payload_max_length(static_cast<size_t>(options_.max_body_bytes));
  route();
}

HttpServer::~HttpServer() { stop(); }

bool HttpServer::authorized(const std::string& header) const {
  if (options_.token.empty()) return true;
  return header == kBearerPrefix + options_.token;
}

void HttpServer::route() {
  server_->set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    if (request.path == "/healthz" || request.path == "/readyz") return httplib::Server::HandlerResponse::Unhandled;
    if (authorized(request.get_header_value("Authorization"))) return httplib::Server::HandlerResponse::Unhandled;
    response.set_header("WWW-Authenticate", "Bearer");
    reply_json(response, 401, Json{{"error", "missing or wrong bearer token: send Authorization: Bearer <token>"}});
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->Get("/healthz", [](const httplib::Request&, httplib::Response& response) {
    reply_json(response, 200, Json{{"status", "ok"}});
  });
  server_->Get("/readyz", [this](const httplib::Request&, httplib::Response& response) {
    const bool ready = handlers_.ready && handlers_.ready();
    reply_json(response, ready ? 200 : 503, Json{{"ready", ready}});
  });
  server_->Get("/metrics", [this](const httplib::Request&, httplib::Response& response) {
    guarded(response, [&] { response.set_content(handlers_.metrics ? handlers_.metrics() : "", kPrometheusType); });
  });
  server_->Get("/v1/status", [this](const httplib::Request&, httplib::Response& response) {
    guarded(response, [&] { reply_json(response, 200, handlers_.status ? handlers_.status() : Json::object()); });
  });
  server_->Post("/v1/predict", [this](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      if (!handlers_.predict) throw unsupported("this server does not predict");
      const std::vector<uint8_t> bytes(request.body.begin(), request.body.end());
      cv::Mat image;
      try {
        image = cv::imdecode(bytes, cv::IMREAD_ANYCOLOR);
      } catch (const cv::Exception&) {
        image.release();
      }
      if (image.empty()) throw invalid_argument("the body is not a decodable image: POST the bytes of a PNG or JPEG");
      reply_json(response, 200, handlers_.predict(image));
    });
  });
  server_->Post("/v1/model", [this](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      if (!handlers_.swap_model) throw unsupported("this server does not swap models");
      const Json body = parse_body(request);
      if (!body.contains("bundle") || !body["bundle"].is_string()) {
        throw invalid_argument("POST /v1/model needs {\"bundle\": \"/path/to/bundle\"}");
      }
      const bool wait = request.has_param("wait") && request.get_param_value("wait") != "0";
      Json outcome = handlers_.swap_model(body["bundle"].get<std::string>(), wait);
      const int status = !wait ? 202 : outcome.value("event", "") == "model_swapped" ? 200 : 422;
      reply_json(response, status, outcome);
    });
  });
  server_->Get("/v1/config", [this](const httplib::Request&, httplib::Response& response) {
    guarded(response, [&] { reply_json(response, 200, handlers_.config ? handlers_.config() : Json::object()); });
  });
  server_->Put("/v1/config", [this](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      if (!handlers_.update_config) throw unsupported("this server does not take settings");
      reply_json(response, 200, handlers_.update_config(parse_body(request)));
    });
  });
}

int HttpServer::start() {
  if (options_.port == 0) {
    port_ = server_->bind_to_any_port(options_.bind);
  } else {
    port_ = server_->bind_to_port(options_.bind, options_.port) ? options_.port : -1;
  }
  if (port_ <= 0) {
    throw io_error("http: cannot listen on " + options_.bind + ":" + std::to_string(options_.port) +
                   " (taken or not an address here): choose another http.port or http.bind");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  spdlog::info("http: serving on {}:{}", options_.bind, port_);
  return port_;
}

void HttpServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace edgeloop
