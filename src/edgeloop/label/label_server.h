// LabelServer: the labelling page of `edgeloop label`, served by cpp-httplib from this process.
// The page and its script are compiled into the binary (label_page.h): nothing is fetched from
// the network. Bound to 127.0.0.1 by default; bound anywhere else it refuses to start without a
// token, which the page then carries (`/?token=T`, sent back as `Authorization: Bearer T`).
// Endpoints (JSON unless said):
//   GET  /                    the page (HTML)
//   GET  /api/state           version, classes, keys, the queue in order with current labels, counts
//   GET  /api/image/HASH      the stored image bytes (cached by the browser)
//   POST /api/label           {"operation", "hash", "label": class index | null (discard), "provenance"}
//   POST /api/undo            {"operation"}: undoes the label stored under that operation
//   GET  /api/batch?above=C   how many suggestions "accept above C" would accept
//   POST /api/batch           {"above": C}: accepts them (provenance batch)
//   POST /api/finish          makes the labelled dataset version; the server then reports finished()
// Every label answer is sent after its SQLite transaction committed. Nothing is compressed (httplib's
// brotli would cost seconds on the state of 10,000 captures; see answer_uncompressed). Thread-safe.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "edgeloop/data/object_store.h"
#include "edgeloop/label/labelling_session.h"

namespace httplib {
class Server;
}

namespace edgeloop {

struct LabelServerOptions {
  std::string address = "127.0.0.1";   // where to listen; beyond loopback a token is required
  int port = 0;                        // 0: any free port (see LabelServer::port())
  std::string token;                   // required when `address` is not loopback
};

class LabelServer {
 public:
  // Throws Error(kInvalidArgument) when bound beyond loopback without a token.
  LabelServer(LabellingSession& session, ObjectStore objects, const LabelServerOptions& options);
  ~LabelServer();   // stops and joins

  // Binds and serves on a background thread; throws Error(kIo) naming the address when the port
  // cannot be bound. Returns the bound port.
  int start();
  void stop();
  int port() const { return port_; }
  // The page's URL (with the token when there is one).
  std::string url() const;
  // The version made by the page's Finish button, once it was pressed.
  std::optional<DatasetVersion> finished() const;

 private:
  void route();
  Json state_json() const;
  Json counts_json() const;

  LabellingSession& session_;
  ObjectStore objects_;
  LabelServerOptions options_;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
  mutable std::mutex finished_mutex_;
  std::optional<DatasetVersion> finished_;
};

// The key for class `index` on the page and its buttons: 1-9, 0, then letters (x is discard).
std::string label_key_for_class(size_t index);

}  // namespace edgeloop
