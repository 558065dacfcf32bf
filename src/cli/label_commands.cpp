// `edgeloop label DATASET`: serve the labelling page until its Finish button (or Ctrl+C), or label
// without a browser (--accept-above C, --from-csv FILE), then make the labelled version. Parse,
// call label/, print.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <thread>

#include "cli/cli_context.h"
#include "edgeloop/core/error.h"
#include "edgeloop/label/label_server.h"
#include "edgeloop/label/labelling_session.h"

namespace edgeloop::cli {

namespace {

constexpr auto kFinishPollInterval = std::chrono::milliseconds(100);
std::atomic<bool> interrupted{false};

struct LabelFlags {
  std::string dataset;
  std::string classes;
  std::string order = "entropy";
  std::string labeller;
  std::optional<double> accept_above;
  std::string from_csv;
  bool oracle = false;
  int64_t max_labels = 0;
  std::string address = "127.0.0.1";
  int port = 0;
  std::string token;
};

std::string default_labeller() {
  const char* user = std::getenv("USER");
  return user != nullptr && *user != '\0' ? user : "unknown";
}

void print_finished(const DatasetVersion& version, const LabellingSession& session, bool json) {
  const LabelCounts counts = session.counts();
  if (json) {
    std::cout << Json{{"version", version.reference()}, {"version_id", version.id}, {"labelled", counts.labelled},
                      {"discarded", counts.discarded}, {"total", counts.total}, {"by_provenance", counts.per_provenance}}
                     .dump(2)
              << "\n";
    return;
  }
  std::printf("%s: %lld of %lld samples labelled, %lld discarded (", version.reference().c_str(),
              static_cast<long long>(counts.labelled), static_cast<long long>(counts.total), static_cast<long long>(counts.discarded));
  bool first = true;
  for (const auto& [provenance, count] : counts.per_provenance) {
    std::printf("%s%lld %s", first ? "" : ", ", static_cast<long long>(count), provenance.c_str());
    first = false;
  }
  std::printf(")\n");
}

}  // namespace

void add_label_commands(CLI::App& app, CliContext& context) {
  auto flags = std::make_shared<LabelFlags>();
  auto* label = app.add_subcommand("label", "Label a dataset version (device captures) in a local page, or from a CSV or the suggestions");
  label->add_option("dataset", flags->dataset, "Dataset version to label: NAME or NAME@N")->required();
  label->add_option("--classes", flags->classes, "Class list from this dataset (NAME[@N]) or model (m-...): the champion's");
  label->add_option("--order", flags->order, "Queue order: entropy (default), margin, capture or random (object-hash order)");
  label->add_option("--labeller", flags->labeller, "Who labels (default: $USER)");
  label->add_option("--accept-above", flags->accept_above, "Without a browser: accept every suggestion scoring at least C (0..1)");
  label->add_option("--from-csv", flags->from_csv, "Without a browser: labels from a CSV of image,label rows (empty label: discard)");
  label->add_flag("--oracle", flags->oracle,
                  "Without a browser: the labeller knows the truth (provenance oracle): the true class a sim: stream's captures "
                  "carry, or with --from-csv that file's labels");
  label->add_option("--max-labels", flags->max_labels, "With --oracle: label at most N frames, in queue order (0: all)")
      ->capture_default_str();
  label->add_option("--address", flags->address, "Address to serve the page on (default 127.0.0.1; others need --token)");
  label->add_option("--port", flags->port, "Port (default: any free one)");
  label->add_option("--token", flags->token, "Token the page must carry (required beyond loopback)");
  label->callback([&context, flags] {
    run_command(context, [&] {
      if (flags->max_labels != 0 && (!flags->oracle || !flags->from_csv.empty())) {
        throw invalid_argument("--max-labels applies to --oracle without --from-csv: drop it, or label with --oracle");
      }
      const Workspace workspace = context.workspace();
      Registry registry = Registry::open(workspace.registry_path());
      LabelOptions options;
      options.dataset = flags->dataset;
      options.classes_from = flags->classes;
      options.order = label_order_from_name(flags->order);
      const std::string oracle_name = "oracle:" + (flags->from_csv.empty() ? std::string("sim") : flags->from_csv);
      options.labeller = flags->labeller.empty() ? (flags->oracle ? oracle_name : default_labeller()) : flags->labeller;
      LabellingSession session(registry, options);
      if (flags->accept_above || !flags->from_csv.empty() || flags->oracle) {
        if (!flags->from_csv.empty()) session.apply_csv(flags->from_csv, flags->oracle ? kProvenanceOracle : kProvenanceHuman);
        if (flags->oracle && flags->from_csv.empty()) session.apply_oracle(flags->max_labels);
        if (flags->accept_above) session.accept_above(*flags->accept_above);
        print_finished(session.finish(), session, context.json);
        return;
      }
      LabelServer server(session, ObjectStore(workspace), LabelServerOptions{flags->address, flags->port, flags->token});
      server.start();
      std::signal(SIGINT, [](int) { interrupted = true; });
      std::signal(SIGTERM, [](int) { interrupted = true; });
      std::fprintf(stderr, "edgeloop label: %s, %zu samples: open %s (Ctrl+C stops; every label is already saved)\n",
                   session.version().reference().c_str(), session.queue().size(), server.url().c_str());
      if (context.json) std::cout << Json{{"url", server.url()}, {"port", server.port()}}.dump() << std::endl;
      while (!interrupted && !server.finished()) std::this_thread::sleep_for(kFinishPollInterval);
      server.stop();
      if (auto made = server.finished()) print_finished(*made, session, context.json);
    });
  });
}

}  // namespace edgeloop::cli
