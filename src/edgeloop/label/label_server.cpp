#include "edgeloop/label/label_server.h"

#include <httplib.h>

#include "edgeloop/core/error.h"
#include "edgeloop/core/http_status.h"
#include "edgeloop/edge/http_answers.h"
#include "edgeloop/edge/http_server.h"
#include "edgeloop/label/label_page.h"

namespace edgeloop {

namespace {

constexpr const char* kJsonType = "application/json";
constexpr const char* kBearerPrefix = "Bearer ";
constexpr const char* kDigitKeys = "1234567890";
constexpr const char* kLetterKeys = "abcdefghijklmnopqrstuvwyz";   // no x: it discards
constexpr const char* kImageCacheControl = "private, max-age=31536000, immutable";   // an object never changes

void reply(httplib::Response& response, const Json& body) { response.set_content(body.dump(), kJsonType); }

// Runs a handler body, turning an Error into its status and {"error": message}.
void answer(httplib::Response& response, const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& error) {
    response.status = http_status_for(error.code());
    reply(response, Json{{"error", error.what()}});
  } catch (const std::exception& error) {
    response.status = 500;
    reply(response, Json{{"error", error.what()}});
  }
}

Json request_json(const httplib::Request& request) {
  try {
    Json body = Json::parse(request.body);
    if (!body.is_object()) throw invalid_argument("the request body must be a JSON object");
    return body;
  } catch (const Json::exception&) {
    throw invalid_argument("the request body is not JSON: send a JSON object");
  }
}

std::string image_type(const std::string& format) {
  if (format == "jpg" || format == "jpeg") return "image/jpeg";
  return "image/" + format;
}

}  // namespace

std::string label_key_for_class(size_t index) {
  const std::string digits = kDigitKeys, letters = kLetterKeys;
  if (index < digits.size()) return std::string(1, digits[index]);
  if (index < digits.size() + letters.size()) return std::string(1, letters[index - digits.size()]);
  return "";
}

LabelServer::LabelServer(LabellingSession& session, ObjectStore objects, const LabelServerOptions& options)
    : session_(session), objects_(std::move(objects)), options_(options), server_(std::make_unique<httplib::Server>()) {
  if (!is_loopback_address(options_.address) && options_.token.empty()) {
    throw invalid_argument("label: serving on " + options_.address + " needs a token: pass --token T, or serve on 127.0.0.1");
  }
  route();
}

LabelServer::~LabelServer() { stop(); }

std::string LabelServer::url() const {
  std::string url = "http://" + options_.address + ":" + std::to_string(port_) + "/";
  if (!options_.token.empty()) url += "?token=" + options_.token;
  return url;
}

std::optional<DatasetVersion> LabelServer::finished() const {
  std::lock_guard lock(finished_mutex_);
  return finished_;
}

Json LabelServer::counts_json() const {
  const LabelCounts counts = session_.counts();
  return Json{{"total", counts.total}, {"labelled", counts.labelled}, {"discarded", counts.discarded},
              {"per_class", counts.per_class}, {"per_provenance", counts.per_provenance}};
}

Json LabelServer::state_json() const {
  Json keys = Json::array();
  for (size_t index = 0; index < session_.classes().size(); ++index) keys.push_back(label_key_for_class(index));
  // One compact row per sample, in queue order: [hash, origin, suggested class, score, label, provenance].
  const std::vector<QueueItem>& queue = session_.queue();
  const std::vector<CurrentLabel> labels = session_.current_labels();
  Json items = Json::array();
  for (size_t index = 0; index < queue.size(); ++index) {
    const QueueItem& item = queue[index];
    items.push_back(Json::array({item.object_hash, item.origin, item.suggested_class, item.suggestion ? item.suggestion->score : 0.0,
                                 labels[index].label, labels[index].provenance}));
  }
  return Json{{"dataset", session_.version().reference()}, {"version_id", session_.version().id},
              {"classes", session_.classes()}, {"keys", keys}, {"labeller", session_.options().labeller},
              {"items", items}, {"counts", counts_json()}};
}

void LabelServer::route() {
  server_->set_pre_routing_handler([this](const httplib::Request& request, httplib::Response& response) {
    answer_uncompressed(request);
    if (options_.token.empty()) return httplib::Server::HandlerResponse::Unhandled;
    if (request.get_header_value("Authorization") == kBearerPrefix + options_.token ||
        request.get_param_value("token") == options_.token) {
      return httplib::Server::HandlerResponse::Unhandled;
    }
    response.status = 401;
    reply(response, Json{{"error", "missing or wrong token: open the URL edgeloop label printed (it carries ?token=)"}});
    return httplib::Server::HandlerResponse::Handled;
  });
  server_->Get("/", [](const httplib::Request&, httplib::Response& response) {
    response.set_header("Cache-Control", "no-store");
    response.set_content(std::string(label_page_html()), "text/html; charset=utf-8");
  });
  server_->Get("/api/state", [this](const httplib::Request&, httplib::Response& response) {
    answer(response, [&] { reply(response, state_json()); });
  });
  server_->Get(R"(/api/image/([0-9a-f]{64}))", [this](const httplib::Request& request, httplib::Response& response) {
    answer(response, [&] {
      const std::string hash = request.matches[1];
      const std::string format = session_.image_format(hash);   // throws for a hash outside the version
      response.set_header("Cache-Control", kImageCacheControl);
      response.set_content(objects_.read(hash), image_type(format));
    });
  });
  server_->Post("/api/label", [this](const httplib::Request& request, httplib::Response& response) {
    answer(response, [&] {
      const Json body = request_json(request);
      std::optional<int> label;
      if (!body.value("label", Json()).is_null()) label = body["label"].get<int>();
      const bool stored = session_.record(body.value("operation", ""), body.value("hash", ""), label,
                                          body.value("provenance", kProvenanceHuman));
      reply(response, Json{{"stored", stored}, {"counts", counts_json()}});
    });
  });
  server_->Post("/api/undo", [this](const httplib::Request& request, httplib::Response& response) {
    answer(response, [&] {
      const Json body = request_json(request);
      const auto undone = session_.undo(body.value("operation", ""));
      Json answer_body{{"undone", undone.has_value()}, {"counts", counts_json()}};
      if (undone) {
        answer_body["hash"] = *undone;
        answer_body["label"] = session_.current_label(*undone);
      }
      reply(response, answer_body);
    });
  });
  server_->Get("/api/batch", [this](const httplib::Request& request, httplib::Response& response) {
    answer(response, [&] {
      double above = 1.0;
      try {
        above = std::stod(request.get_param_value("above"));
      } catch (const std::exception&) {
        throw invalid_argument("GET /api/batch needs ?above=C with a score C in 0..1");
      }
      reply(response, Json{{"above", above}, {"count", session_.count_above(above)}});
    });
  });
  server_->Post("/api/batch", [this](const httplib::Request& request, httplib::Response& response) {
    answer(response, [&] {
      const Json body = request_json(request);
      const int64_t accepted = session_.accept_above(body.value("above", 1.0));
      reply(response, Json{{"accepted", accepted}, {"counts", counts_json()}});
    });
  });
  server_->Post("/api/finish", [this](const httplib::Request&, httplib::Response& response) {
    answer(response, [&] {
      const DatasetVersion made = session_.finish();
      {
        std::lock_guard lock(finished_mutex_);
        finished_ = made;
      }
      reply(response, Json{{"version", made.reference()}, {"version_id", made.id}});
    });
  });
}

int LabelServer::start() {
  port_ = options_.port == 0 ? server_->bind_to_any_port(options_.address) : (server_->bind_to_port(options_.address, options_.port) ? options_.port : -1);
  if (port_ <= 0) {
    throw io_error("label: cannot listen on " + options_.address + ":" + std::to_string(options_.port) +
                   ": the port is taken or the address is not this machine's; pick another --port");
  }
  thread_ = std::thread([this] { server_->listen_after_bind(); });
  return port_;
}

void LabelServer::stop() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace edgeloop
