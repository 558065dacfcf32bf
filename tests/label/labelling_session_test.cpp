// The labelling session on a real registry: uncertainty order, durable labels with provenance,
// undo, retried saves, batch accept, CSV labels, the version finishing makes, and bad input.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>

#include "edgeloop/core/error.h"
#include "edgeloop/label/labelling_session.h"
#include "edgeloop/registry/label_store.h"
#include "label/capture_workspace.h"

namespace edgeloop {
namespace {

using testing::CaptureSpec;
using testing::CaptureWorkspace;

LabelOptions options_for(const std::string& dataset, LabelOrder order = LabelOrder::kEntropy) {
  LabelOptions options;
  options.dataset = dataset;
  options.classes_from = "base";
  options.order = order;
  options.labeller = "ana";
  return options;
}

std::string message_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(LabellingSession, queue_puts_the_most_uncertain_capture_first) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures({{0, 0.9}, {1, 0.4}, {2, 0.6}, {0, 0.5, /*sidecar=*/false}});
  LabellingSession by_entropy(ws.registry, options_for(captures));
  std::vector<std::string> origins;
  for (const QueueItem& item : by_entropy.queue()) origins.push_back(item.origin);
  EXPECT_EQ(origins, (std::vector<std::string>{"0001.png", "0002.png", "0000.png", "0003.png"}));   // no sidecar: last
  LabellingSession by_margin(ws.registry, options_for(captures, LabelOrder::kMargin));
  EXPECT_EQ(by_margin.queue().front().origin, "0001.png");
  LabellingSession by_capture(ws.registry, options_for(captures, LabelOrder::kCapture));
  EXPECT_EQ(by_capture.queue().front().origin, "0000.png");
  EXPECT_EQ(by_entropy.queue().front().suggested_class, 1);
}

TEST(LabellingSession, labels_survive_a_new_process_and_a_retried_save_is_stored_once) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures(testing::varied_captures(6));
  std::string first_hash;
  {
    LabellingSession session(ws.registry, options_for(captures));
    first_hash = session.queue()[0].object_hash;
    EXPECT_TRUE(session.record("op-1", first_hash, 2, kProvenanceHuman));
    EXPECT_FALSE(session.record("op-1", first_hash, 2, kProvenanceHuman));   // the page retried a save that went through
  }
  Registry reopened = Registry::open(ws.workspace.registry_path());
  LabellingSession again(reopened, options_for(captures));
  EXPECT_EQ(again.current_label(first_hash), 2);
  EXPECT_EQ(again.current_provenance(first_hash), kProvenanceHuman);
  EXPECT_EQ(LabelStore(reopened).history(again.version().id).size(), 1u);
}

TEST(LabellingSession, undo_restores_the_previous_label_and_keeps_the_row) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures(testing::varied_captures(4));
  LabellingSession session(ws.registry, options_for(captures));
  const std::string hash = session.queue()[0].object_hash;
  session.record("a", hash, 0, kProvenanceHuman);
  session.record("b", hash, std::nullopt, kProvenanceHuman);
  EXPECT_EQ(session.current_label(hash), kDiscarded);
  EXPECT_EQ(session.undo("b"), hash);
  EXPECT_EQ(session.current_label(hash), 0);
  EXPECT_EQ(session.undo("b"), std::nullopt);   // a retried undo changes nothing
  EXPECT_EQ(session.undo("a"), hash);
  EXPECT_EQ(session.current_label(hash), kUnlabelled);
  EXPECT_EQ(LabelStore(ws.registry).history(session.version().id).size(), 2u);
}

TEST(LabellingSession, current_labels_and_counts_follow_labels_discards_undos_and_imported_labels) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures(testing::varied_captures(5));
  LabellingSession session(ws.registry, options_for(captures));
  const auto& queue = session.queue();
  session.record("a", queue[0].object_hash, 1, kProvenanceHuman);
  session.record("b", queue[1].object_hash, 2, kProvenanceSuggestion);
  session.record("c", queue[3].object_hash, std::nullopt, kProvenanceHuman);
  session.undo("a");
  const std::vector<CurrentLabel> labels = session.current_labels();
  ASSERT_EQ(labels.size(), 5u);
  for (size_t index = 0; index < labels.size(); ++index) {
    EXPECT_EQ(labels[index].label, session.current_label(queue[index].object_hash)) << index;
    EXPECT_EQ(labels[index].provenance, session.current_provenance(queue[index].object_hash)) << index;
  }
  EXPECT_EQ(labels[1].label, 2);
  EXPECT_EQ(labels[1].provenance, kProvenanceSuggestion);
  EXPECT_EQ(labels[3].label, kDiscarded);
  EXPECT_EQ(labels[0].label, kUnlabelled);
  const LabelCounts counts = session.counts();
  EXPECT_EQ(counts.total, 5);
  EXPECT_EQ(counts.labelled, 1);
  EXPECT_EQ(counts.discarded, 1);
  EXPECT_EQ(counts.per_class, (std::vector<int64_t>{0, 0, 1}));
  EXPECT_EQ(counts.per_provenance, (std::map<std::string, int64_t>{{kProvenanceHuman, 1}, {kProvenanceSuggestion, 1}}));

  LabellingSession labelled_base(ws.registry, options_for("base"));   // every sample came with its label
  for (const CurrentLabel& label : labelled_base.current_labels()) {
    EXPECT_GE(label.label, 0);
    EXPECT_EQ(label.provenance, "");
  }
  EXPECT_EQ(labelled_base.counts().labelled, 3);
  EXPECT_EQ(labelled_base.counts().per_class, (std::vector<int64_t>{1, 1, 1}));
}

TEST(LabellingSession, finish_makes_a_version_whose_labels_keep_their_provenance) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures({{0, 0.95}, {1, 0.97}, {2, 0.4}, {1, 0.5}, {0, 0.45}});
  LabellingSession session(ws.registry, options_for(captures, LabelOrder::kCapture));
  const auto& queue = session.queue();
  EXPECT_EQ(session.count_above(0.9), 2);
  EXPECT_EQ(session.accept_above(0.9), 2);   // 0000, 0001
  session.record("h", queue[2].object_hash, 1, kProvenanceHuman);
  session.record("s", queue[3].object_hash, queue[3].suggested_class, kProvenanceSuggestion);
  session.record("x", queue[4].object_hash, std::nullopt, kProvenanceHuman);
  const DatasetVersion made = session.finish();
  EXPECT_EQ(made.dataset, "captures");
  EXPECT_EQ(made.number, 2);
  EXPECT_EQ(made.classes, testing::kCaptureClasses);
  const std::vector<Sample> samples = DatasetStore(ws.registry).samples(made.id);
  ASSERT_EQ(samples.size(), 4u);   // the discarded frame is left out
  std::map<std::string, Sample> by_origin;
  for (const Sample& sample : samples) by_origin[sample.origin] = sample;
  const auto provenance = LabelStore(ws.registry).provenance(made.id);
  const auto provenance_of = [&](const std::string& origin) { return provenance.at(by_origin.at(origin).object_hash); };
  EXPECT_EQ(provenance_of("0000.png").provenance, kProvenanceBatch);
  EXPECT_EQ(by_origin["0000.png"].label, 0);
  EXPECT_EQ(provenance_of("0002.png").provenance, kProvenanceHuman);
  EXPECT_EQ(by_origin["0002.png"].label, 1);
  EXPECT_EQ(provenance_of("0003.png").provenance, kProvenanceSuggestion);
  EXPECT_EQ(provenance_of("0003.png").labelled_by, "ana");
  EXPECT_EQ(provenance.size(), 4u);
  EXPECT_FALSE(by_origin.count("0004.png"));
  EXPECT_EQ(made.details["label"]["by_provenance"]["batch"], 2);
}

TEST(LabellingSession, csv_labels_are_all_checked_before_any_is_stored) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures(testing::varied_captures(3));
  LabellingSession session(ws.registry, options_for(captures));
  const std::filesystem::path bad = ws.dir / "bad.csv";
  std::ofstream(bad) << "image,label\n0000.png,cat\n0001.png,zebra\n";
  const std::string message = message_of([&] { session.apply_csv(bad, kProvenanceOracle); });
  EXPECT_NE(message.find("bad.csv:3"), std::string::npos) << message;
  EXPECT_NE(message.find("zebra"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
  EXPECT_TRUE(LabelStore(ws.registry).history(session.version().id).empty());
  const std::filesystem::path good = ws.dir / "good.csv";
  std::ofstream(good) << "0000.png,cat\n0001.png,dog\n0002.png,\n";
  EXPECT_EQ(session.apply_csv(good, kProvenanceOracle), 3);
  const LabelCounts counts = session.counts();
  EXPECT_EQ(counts.labelled, 2);
  EXPECT_EQ(counts.discarded, 1);
  EXPECT_EQ(counts.per_provenance.at(kProvenanceOracle), 3);
}

TEST(LabellingSession, the_oracle_labels_the_most_uncertain_frames_with_their_true_class_up_to_its_budget) {
  CaptureWorkspace ws;
  std::vector<CaptureSpec> specs = testing::varied_captures(6);
  for (size_t index = 0; index < specs.size(); ++index) specs[index].truth = testing::kCaptureClasses[(index + 1) % 3];
  specs[5].truth = "";   // a frame whose class the source did not know
  const std::string captures = ws.import_captures(specs);
  LabelOptions options = options_for(captures);
  options.labeller = "oracle:sim";
  LabellingSession session(ws.registry, options);
  EXPECT_EQ(session.apply_oracle(/*max_labels=*/3), 3);
  // The three most uncertain of those with a true class, each labelled with it (not the suggestion).
  int seen = 0;
  for (const QueueItem& item : session.queue()) {
    if (item.suggestion->truth.empty()) {
      EXPECT_EQ(session.current_label(item.object_hash), kUnlabelled);
      continue;
    }
    if (seen++ < 3) {
      EXPECT_EQ(session.classes().at(session.current_label(item.object_hash)), item.suggestion->truth) << item.origin;
      EXPECT_EQ(session.current_provenance(item.object_hash), kProvenanceOracle);
    } else {
      EXPECT_EQ(session.current_label(item.object_hash), kUnlabelled) << item.origin;
    }
  }
  EXPECT_EQ(session.apply_oracle(0), 2);   // the rest that carry a class; the unknown one stays unlabelled
  const LabelCounts counts = session.counts();
  EXPECT_EQ(counts.labelled, 5);
  EXPECT_EQ(counts.per_provenance.at(kProvenanceOracle), 5);
  const DatasetVersion made = session.finish();
  EXPECT_EQ(LabelStore(ws.registry).provenance(made.id).begin()->second.labelled_by, "oracle:sim");
}

TEST(LabellingSession, the_oracle_refuses_captures_that_carry_no_true_class_and_stores_nothing) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures(testing::varied_captures(3));
  LabellingSession session(ws.registry, options_for(captures));
  const std::string message = message_of([&] { session.apply_oracle(0); });
  EXPECT_NE(message.find("no capture carries its true class"), std::string::npos) << message;
  EXPECT_TRUE(LabelStore(ws.registry).history(session.version().id).empty());

  CaptureWorkspace other;
  std::vector<CaptureSpec> specs = testing::varied_captures(2);
  specs[0].truth = "cat";
  specs[1].truth = "zebra";
  LabellingSession outside(other.registry, options_for(other.import_captures(specs)));
  const std::string refused = message_of([&] { outside.apply_oracle(0); });
  EXPECT_NE(refused.find("zebra"), std::string::npos) << refused;
  EXPECT_TRUE(LabelStore(other.registry).history(outside.version().id).empty());
}

TEST(LabellingSession, random_order_ignores_the_devices_confidence) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures(testing::varied_captures(8));
  LabellingSession session(ws.registry, options_for(captures, LabelOrder::kRandom));
  for (size_t index = 1; index < session.queue().size(); ++index) {
    EXPECT_LT(session.queue()[index - 1].object_hash, session.queue()[index].object_hash);
  }
  EXPECT_EQ(label_order_from_name("random"), LabelOrder::kRandom);
}

TEST(LabellingSession, a_suggestion_outside_the_class_list_is_refused_naming_it) {
  CaptureWorkspace ws;
  CaptureSpec odd{0, 0.5};
  odd.sidecar_override = Json{{"label", "zebra"}, {"score", 0.5}};
  const std::string captures = ws.import_captures({{0, 0.5}, odd});
  const std::string message = message_of([&] { LabellingSession session(ws.registry, options_for(captures)); });
  EXPECT_NE(message.find("`zebra` for 1 frame(s) (first: 0001.png)"), std::string::npos) << message;
  EXPECT_NE(message.find("--classes"), std::string::npos) << message;
}

TEST(LabellingSession, a_sidecar_without_a_score_is_one_clear_line_naming_the_capture) {
  CaptureWorkspace ws;
  CaptureSpec broken{0, 0.5};
  broken.sidecar_override = Json{{"label", "cat"}};
  const std::string captures = ws.import_captures({{0, 0.5}, broken});
  const std::string message = message_of([&] { LabellingSession session(ws.registry, options_for(captures)); });
  EXPECT_NE(message.find("capture 0001.png"), std::string::npos) << message;
  EXPECT_EQ(message.find('\n'), std::string::npos);
}

TEST(LabellingSession, a_capture_dataset_without_classes_asks_for_the_champions) {
  CaptureWorkspace ws;
  const std::string captures = ws.import_captures(testing::varied_captures(2));
  LabelOptions options = options_for(captures);
  options.classes_from.clear();
  const std::string message = message_of([&] { LabellingSession session(ws.registry, options); });
  EXPECT_NE(message.find("pass --classes"), std::string::npos) << message;
  options.classes_from = "nothing-here";
  EXPECT_NE(message_of([&] { LabellingSession session(ws.registry, options); }).find("neither a dataset nor a model"), std::string::npos);
}

}  // namespace
}  // namespace edgeloop
