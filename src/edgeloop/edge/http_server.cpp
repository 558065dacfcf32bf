#include "edgeloop/edge/http_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <cstring>

#include <httplib.h>
#include <opencv2/imgcodecs.hpp>
#include <spdlog/spdlog.h>

#include "edgeloop/core/error.h"
#include "edgeloop/core/http_status.h"
#include "edgeloop/core/image_probe.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/core/untrusted_image.h"
#include "edgeloop/edge/http_answers.h"
#include "edgeloop/edge/http_connection_gate.h"

namespace edgeloop {
namespace {

constexpr const char* kJsonType = "application/json";
constexpr const char* kPrometheusType = "text/plain; version=0.0.4";
constexpr const char* kBearerPrefix = "Bearer ";
constexpr int kProbeThreads = 2;               // /healthz and /readyz have workers of their own
constexpr int kStreamSliceMilliseconds = 200;  // a blocked read or write looks at the stop flag this often
constexpr int kWriteTimeoutMilliseconds = 5000;
constexpr int kMaxQueuedPerWorker = 16;        // API requests waiting for a worker before 503
constexpr int kPayloadTooLarge = 413;          // an image over the pixel cap, like a body over max_body_bytes
constexpr const char* kBusyReply =
    "HTTP/1.1 503 Service Unavailable\r\nConnection: close\r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n";

using SteadyClock = std::chrono::steady_clock;

bool is_probe_request(const std::string& received) {
  for (const char* probe : {"GET /healthz", "GET /readyz"}) {
    const size_t length = std::char_traits<char>::length(probe);
    if (received.compare(0, length, probe) == 0 && received.size() > length &&
        (received[length] == ' ' || received[length] == '?')) {
      return true;
    }
  }
  return false;
}

// Waits up to `milliseconds` (or the deadline, or a stop) for `events` on the socket.
bool wait_for_socket(int socket, short events, SteadyClock::time_point deadline, const std::atomic<bool>& stopping) {
  while (!stopping) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - SteadyClock::now()).count();
    if (left <= 0) return false;
    pollfd polled{socket, events, 0};
    const int ready = ::poll(&polled, 1, static_cast<int>(std::min<int64_t>(left, kStreamSliceMilliseconds)));
    if (ready > 0) return true;
    if (ready < 0 && errno != EINTR) return false;
  }
  return false;
}

void socket_address(int socket, bool peer, std::string& ip, int& port) {
  sockaddr_storage address{};
  socklen_t length = sizeof(address);
  const int got = peer ? ::getpeername(socket, reinterpret_cast<sockaddr*>(&address), &length)
                       : ::getsockname(socket, reinterpret_cast<sockaddr*>(&address), &length);
  if (got != 0) return;
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const auto* ipv4 = reinterpret_cast<sockaddr_in*>(&address);
    ::inet_ntop(AF_INET, &ipv4->sin_addr, text, sizeof(text));
    port = ntohs(ipv4->sin_port);
  } else if (address.ss_family == AF_INET6) {
    const auto* ipv6 = reinterpret_cast<sockaddr_in6*>(&address);
    ::inet_ntop(AF_INET6, &ipv6->sin6_addr, text, sizeof(text));
    port = ntohs(ipv6->sin6_port);
  }
  ip = text;
}

// One request's connection: first the bytes the gate already read, then the socket, until the
// request's deadline (the body must arrive by then) or the server stops.
class GatedStream : public httplib::Stream {
 public:
  GatedStream(ArrivedRequest request, SteadyClock::time_point deadline, const std::atomic<bool>& stopping)
      : request_(std::move(request)), deadline_(deadline), stopping_(stopping) {}

  bool is_readable() const override {
    return offset_ < request_.received.size() || wait_for_socket(request_.socket, POLLIN, deadline_, stopping_);
  }
  bool is_writable() const override {
    return wait_for_socket(request_.socket, POLLOUT, SteadyClock::now() + std::chrono::milliseconds(kWriteTimeoutMilliseconds),
                           stopping_);
  }
  ssize_t read(char* buffer, size_t size) override {
    if (offset_ < request_.received.size()) {
      const size_t taken = std::min(size, request_.received.size() - offset_);
      std::memcpy(buffer, request_.received.data() + offset_, taken);
      offset_ += taken;
      return static_cast<ssize_t>(taken);
    }
    if (!wait_for_socket(request_.socket, POLLIN, deadline_, stopping_)) return -1;
    return ::recv(request_.socket, buffer, size, MSG_DONTWAIT);
  }
  ssize_t write(const char* buffer, size_t size) override {
    if (!is_writable()) return -1;
    return ::send(request_.socket, buffer, size, MSG_DONTWAIT | MSG_NOSIGNAL);
  }
  void get_remote_ip_and_port(std::string& ip, int& port) const override { socket_address(request_.socket, true, ip, port); }
  void get_local_ip_and_port(std::string& ip, int& port) const override { socket_address(request_.socket, false, ip, port); }
  socket_t socket() const override { return request_.socket; }

 private:
  ArrivedRequest request_;
  size_t offset_ = 0;
  SteadyClock::time_point deadline_;
  const std::atomic<bool>& stopping_;
};

}  // namespace

// httplib's server with its connections routed through a ConnectionGate: httplib accepts, the
// gate waits for each request's header without holding a thread, then a probe worker or an API
// worker serves that one request on the connection (no keep-alive: every request passes the gate).
class GatedHttpServer : public httplib::Server {
 public:
  explicit GatedHttpServer(const HttpOptions& options) : options_(options) {}
  ~GatedHttpServer() override { stop_serving(); }

  // After binding: widens the kernel's accept queue and starts the gate and the workers.
  void start_serving() {
    ::listen(svr_sock_, options_.listen_backlog);
    probe_workers_ = std::make_unique<httplib::ThreadPool>(kProbeThreads);
    api_workers_ = std::make_unique<httplib::ThreadPool>(static_cast<size_t>(options_.threads));
    GateLimits limits;
    limits.header_timeout_seconds = options_.header_timeout_seconds;
    limits.max_waiting_per_client = options_.max_connections_per_client;
    limits.max_waiting = options_.listen_backlog;
    gate_ = std::make_unique<ConnectionGate>(limits, [this](ArrivedRequest request) { dispatch(std::move(request)); });
  }

  // After httplib's stop(): closes waiting connections, ends the requests in flight, joins.
  void stop_serving() {
    stopping_ = true;
    gate_.reset();
    if (probe_workers_) probe_workers_->shutdown();
    if (api_workers_) api_workers_->shutdown();
    probe_workers_.reset();
    api_workers_.reset();
  }

 private:
  bool process_and_close_socket(socket_t socket) override {
    if (gate_) {
      gate_->admit(socket);
    } else {
      ::close(socket);
    }
    return true;
  }

  void dispatch(ArrivedRequest request) {
    if (is_probe_request(request.received)) {
      probe_workers_->enqueue([this, request]() mutable { serve(std::move(request)); });
      return;
    }
    if (api_queued_ >= options_.threads * kMaxQueuedPerWorker) {
      [[maybe_unused]] ssize_t sent =
          ::send(request.socket, kBusyReply, std::char_traits<char>::length(kBusyReply), MSG_DONTWAIT | MSG_NOSIGNAL);
      ::close(request.socket);
      return;
    }
    ++api_queued_;
    api_workers_->enqueue([this, request]() mutable {
      --api_queued_;
      serve(std::move(request));
    });
  }

  void serve(ArrivedRequest request) {
    const int socket = request.socket;
    const auto deadline = SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                                                   std::chrono::duration<double>(options_.body_timeout_seconds));
    if (!stopping_) {
      GatedStream stream(std::move(request), deadline, stopping_);
      bool closed = false;
      process_request(stream, /*close_connection=*/true, closed, nullptr);
    }
    ::shutdown(socket, SHUT_RDWR);
    ::close(socket);
  }

  HttpOptions options_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> api_queued_{0};
  std::unique_ptr<httplib::ThreadPool> probe_workers_;
  std::unique_ptr<httplib::ThreadPool> api_workers_;
  std::unique_ptr<ConnectionGate> gate_;
};

namespace {

void reply_json(httplib::Response& response, int status, const Json& body) {
  response.status = status;
  response.set_content(json_line(body), kJsonType);
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
  return parse_json_limited(request.body, request.method + " " + request.path + " body");
}

}  // namespace

bool is_loopback_address(const std::string& address) {
  return address == "127.0.0.1" || address == "localhost" || address == "::1" || address.rfind("127.", 0) == 0;
}

HttpServer::HttpServer(const HttpOptions& options, HttpHandlers handlers)
    : options_(options), handlers_(std::move(handlers)), server_(std::make_unique<GatedHttpServer>(options)) {
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

// Over 80 lines on purpose: the API's route table, one registration per endpoint, so it reads as
// the list of endpoints; the work of each is in the HttpHandlers it calls.
void HttpServer::route() {
  server_->set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    answer_uncompressed(request);
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
      const UntrustedImage decoded = try_decode_untrusted_image(encoded_bytes(request.body), kDefaultMaxMegapixels, cv::IMREAD_ANYCOLOR);
      if (decoded.refusal != ImageRefusal::kNone) {
        const int status = decoded.refusal == ImageRefusal::kTooLarge ? kPayloadTooLarge : http_status_for(ErrorCode::kInvalidArgument);
        reply_json(response, status, Json{{"error", untrusted_image_error(decoded, "POST /v1/predict body").what()}});
        return;
      }
      reply_json(response, 200, handlers_.predict(decoded.image));
    });
  });
  server_->Post("/v1/model", [this](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      if (!handlers_.swap_model) throw unsupported("this server does not swap models");
      const Json body = parse_body(request);
      std::string bundle;
      if (body.contains("bundle_id") && body["bundle_id"].is_string() && handlers_.publish_bundle) {
        bundle = handlers_.publish_bundle(body["bundle_id"].get<std::string>());
      } else if (body.contains("bundle") && body["bundle"].is_string()) {
        bundle = body["bundle"].get<std::string>();
      } else {
        throw invalid_argument("POST /v1/model needs {\"bundle\": \"/path/to/bundle\"} or {\"bundle_id\": ID} of a pushed bundle");
      }
      const bool wait = request.has_param("wait") && request.get_param_value("wait") != "0";
      Json outcome = handlers_.swap_model(bundle, wait);
      const int status = !wait ? 202 : outcome.value("event", "") == "model_swapped" ? 200 : 422;
      reply_json(response, status, outcome);
    });
  });
  server_->Put(R"(/v1/bundles/([^/]+)/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      if (!handlers_.receive_bundle) throw unsupported("this server does not take bundles");
      int64_t offset = 0;
      if (request.has_param("offset")) {
        const std::string text = request.get_param_value("offset");
        char* end = nullptr;
        offset = std::strtoll(text.c_str(), &end, 10);
        if (text.empty() || *end != '\0' || offset < 0) throw invalid_argument("offset must be a byte count, e.g. ?offset=0");
      }
      reply_json(response, 200, handlers_.receive_bundle(request.matches[1], request.matches[2], offset, request.body));
    });
  });
  server_->Get(R"(/v1/bundles/([^/]+))", [this](const httplib::Request& request, httplib::Response& response) {
    guarded(response, [&] {
      if (!handlers_.bundle_status) throw unsupported("this server does not take bundles");
      reply_json(response, 200, handlers_.bundle_status(request.matches[1]));
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
  server_->start_serving();
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  spdlog::info("http: serving on {}:{}", options_.bind, port_);
  return port_;
}

void HttpServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
  if (server_) server_->stop_serving();
}

}  // namespace edgeloop
