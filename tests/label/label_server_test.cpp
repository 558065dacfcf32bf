// The label server over real HTTP on loopback (cpp-httplib's client): the page and the images come
// from the binary and the object store, labels and undos are committed before the answer, the
// batch count is shown before it applies, and a token guards a server bound beyond loopback.
#include <gtest/gtest.h>

#include <httplib.h>

#include "edgeloop/core/error.h"
#include "edgeloop/data/object_store.h"
#include "edgeloop/label/label_server.h"
#include "edgeloop/registry/label_store.h"
#include "label/capture_workspace.h"

namespace edgeloop {
namespace {

using testing::CaptureWorkspace;

LabelOptions options_for(const std::string& dataset) {
  LabelOptions options;
  options.dataset = dataset;
  options.classes_from = "base";
  options.labeller = "ana";
  return options;
}

Json post(httplib::Client& client, const std::string& path, const Json& body, int expected_status = 200) {
  auto response = client.Post(path, body.dump(), "application/json");
  EXPECT_TRUE(response);
  if (!response) return Json();
  EXPECT_EQ(response->status, expected_status) << response->body;
  return Json::parse(response->body);
}

// `count` captures served on loopback, with a client to the server.
struct ServedCaptures {
  explicit ServedCaptures(int count) : captures(ws.import_captures(testing::varied_captures(count))) {}
  CaptureWorkspace ws;
  std::string captures;
  LabellingSession session{ws.registry, options_for(captures)};
  LabelServer server{session, ObjectStore(ws.workspace), LabelServerOptions{}};
  httplib::Client client{"127.0.0.1", server.start()};
};

TEST(LabelServer, serves_the_page_and_images_and_commits_each_label_before_answering) {
  ServedCaptures served(5);
  auto& [ws, captures, session, server, client] = served;

  auto page = client.Get("/");
  ASSERT_TRUE(page);
  EXPECT_NE(page->body.find("edgeloop label"), std::string::npos);
  EXPECT_EQ(page->body.find("http://"), std::string::npos);   // nothing fetched from elsewhere
  EXPECT_EQ(page->body.find("https://"), std::string::npos);

  auto state_response = client.Get("/api/state");
  ASSERT_TRUE(state_response);
  const Json state = Json::parse(state_response->body);
  EXPECT_EQ(state["classes"], testing::kCaptureClasses);
  EXPECT_EQ(state["keys"], (Json{"1", "2", "3"}));
  ASSERT_EQ(state["items"].size(), 5u);
  const std::string hash = state["items"][0][0];

  auto image = client.Get("/api/image/" + hash);
  ASSERT_TRUE(image);
  EXPECT_EQ(image->body, ObjectStore(ws.workspace).read(hash));
  EXPECT_EQ(image->get_header_value("Content-Type"), "image/png");
  auto outside = client.Get("/api/image/" + std::string(64, 'a'));
  ASSERT_TRUE(outside);
  EXPECT_EQ(outside->status, 404);

  const Json labelled = post(client, "/api/label", {{"operation", "k1"}, {"hash", hash}, {"label", 1}, {"provenance", "human"}});
  EXPECT_TRUE(labelled["stored"]);
  EXPECT_EQ(labelled["counts"]["labelled"], 1);
  // Committed before the answer: a second connection to the file sees it.
  Registry other = Registry::open(ws.workspace.registry_path());
  EXPECT_EQ(*LabelStore(other).current(session.version().id).at(hash).label, "cat");

  const Json undone = post(client, "/api/undo", {{"operation", "k1"}});
  EXPECT_EQ(undone["hash"], hash);
  EXPECT_EQ(undone["label"], kUnlabelled);
  post(client, "/api/label", {{"operation", "k2"}, {"hash", hash}, {"label", 7}}, 400);   // no class 7

  auto count = client.Get("/api/batch?above=0.0");
  ASSERT_TRUE(count);
  EXPECT_EQ(Json::parse(count->body)["count"], 5);
  EXPECT_EQ(post(client, "/api/batch", {{"above", 0.0}})["accepted"], 5);
  const Json finished = post(client, "/api/finish", Json::object());
  EXPECT_EQ(finished["version"], "captures@2");
  ASSERT_TRUE(server.finished());
  EXPECT_EQ(server.finished()->number, 2);
}

// httplib compresses every text and JSON answer with brotli at quality 11 when the browser accepts
// it (chromium always does): the state of 10,000 captures (1.2 MB) then took seconds to load.
TEST(LabelServer, answers_uncompressed_even_when_the_browser_accepts_brotli) {
  ServedCaptures served(3);
  const httplib::Headers accepts_compression{{"Accept-Encoding", "gzip, deflate, br"}};
  for (const std::string path : {"/", "/api/state", "/api/batch?above=0.5"}) {
    auto response = served.client.Get(path, accepts_compression);
    ASSERT_TRUE(response) << path;
    EXPECT_EQ(response->status, 200) << path;
    EXPECT_FALSE(response->has_header("Content-Encoding")) << path << ": " << response->get_header_value("Content-Encoding");
  }
  const Json body{{"operation", "k1"}, {"hash", served.session.queue()[0].object_hash}, {"label", 0}};
  auto labelled = served.client.Post("/api/label", accepts_compression, body.dump(), "application/json");
  ASSERT_TRUE(labelled);
  EXPECT_EQ(labelled->status, 200) << labelled->body;
  EXPECT_FALSE(labelled->has_header("Content-Encoding"));
  EXPECT_TRUE(Json::parse(labelled->body)["stored"]);
}

TEST(LabelServer, beyond_loopback_it_needs_a_token_and_checks_it) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures(testing::varied_captures(2));
  LabellingSession session(ws.registry, options_for(captures));
  EXPECT_THROW({ LabelServer refused(session, ObjectStore(ws.workspace), LabelServerOptions{"0.0.0.0", 0, ""}); }, Error);
  LabelServer server(session, ObjectStore(ws.workspace), LabelServerOptions{"0.0.0.0", 0, "s3cret"});
  httplib::Client client("127.0.0.1", server.start());
  auto refused = client.Get("/api/state");
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->status, 401);
  auto with_query = client.Get("/?token=s3cret");
  ASSERT_TRUE(with_query);
  EXPECT_EQ(with_query->status, 200);
  auto with_header = client.Get("/api/state", httplib::Headers{{"Authorization", "Bearer s3cret"}});
  ASSERT_TRUE(with_header);
  EXPECT_EQ(with_header->status, 200);
  EXPECT_NE(server.url().find("?token=s3cret"), std::string::npos);
}

}  // namespace
}  // namespace edgeloop
