// `edgeloop data import|split|stats|balance|preview|list|show`: parse, call the data stage, print.
#include <cstdio>
#include <iostream>
#include <map>

#include "cli/cli_context.h"
#include "edgeloop/core/error.h"
#include "edgeloop/data/balance.h"
#include "edgeloop/data/dataset_export.h"
#include "edgeloop/data/dataset_stats.h"
#include "edgeloop/data/importer.h"
#include "edgeloop/data/preview.h"
#include "edgeloop/data/split.h"
#include "edgeloop/data/split_groups.h"
#include "edgeloop/data/version_diff.h"
#include "edgeloop/registry/dataset_store.h"

namespace edgeloop::cli {

namespace {

constexpr size_t kListedProblems = 20;  // rejects and duplicates printed in full up to this many

void print_import(const ImportResult& result, bool json) {
  if (json) {
    Json rejects = Json::array(), duplicates = Json::array();
    for (const auto& reject : result.rejects) rejects.push_back({{"path", reject.path}, {"reason", reject.reason}});
    for (const auto& duplicate : result.duplicates) {
      duplicates.push_back({{"path", duplicate.path}, {"duplicate_of", duplicate.duplicate_of}, {"label_differs", duplicate.label_differs}});
    }
    std::cout << Json{{"dataset", result.version.dataset}, {"version", result.version.number}, {"version_id", result.version.id},
                      {"format", result.format}, {"imported", result.imported}, {"total", result.total},
                      {"objects_created", result.objects_created}, {"duplicates", duplicates}, {"rejects", rejects},
                      {"seconds", result.seconds}, {"images_per_second", result.seconds > 0 ? result.imported / result.seconds : 0.0}}
                     .dump(2)
              << "\n";
    return;
  }
  std::printf("%s: imported %lld samples (%s), %lld in the version, %lld duplicates, %lld rejected, %.2f s\n",
              result.version.reference().c_str(), static_cast<long long>(result.imported), result.format.c_str(),
              static_cast<long long>(result.total), static_cast<long long>(result.duplicates.size()),
              static_cast<long long>(result.rejects.size()), result.seconds);
  for (size_t index = 0; index < std::min(kListedProblems, result.duplicates.size()); ++index) {
    const auto& duplicate = result.duplicates[index];
    std::printf("  duplicate: %s is the same image as %s%s\n", duplicate.path.c_str(), duplicate.duplicate_of.c_str(),
                duplicate.label_differs ? " (different label: the first is kept)" : "");
  }
  for (size_t index = 0; index < std::min(kListedProblems, result.rejects.size()); ++index) {
    std::printf("  rejected: %s: %s\n", result.rejects[index].path.c_str(), result.rejects[index].reason.c_str());
  }
  if (result.rejects.size() > kListedProblems || result.duplicates.size() > kListedProblems) {
    std::printf("  (all of them: edgeloop data show %s)\n", result.version.reference().c_str());
  }
  if (!result.rejects.empty()) std::fprintf(stderr, "edgeloop: warning: %zu file(s) rejected\n", result.rejects.size());
}

void print_stats(const Json& stats) {
  std::printf("%s@%d: %lld samples", stats["dataset"].get<std::string>().c_str(), stats["version"].get<int>(),
              static_cast<long long>(stats["total"].get<int64_t>()));
  if (stats["unlabeled"].get<int64_t>() > 0) std::printf(" (%lld unlabeled)", static_cast<long long>(stats["unlabeled"].get<int64_t>()));
  if (!stats["imbalance_ratio"].is_null()) std::printf(", imbalance %.2f", stats["imbalance_ratio"].get<double>());
  std::printf("\n\n%-16s %8s %8s %8s %8s %11s %9s %10s\n", "class", "total", "train", "val", "test", "brightness", "contrast",
              "sharpness");
  for (const auto& [name, entry] : stats["classes"].items()) {
    std::printf("%-16s %8lld %8lld %8lld %8lld", name.c_str(), static_cast<long long>(entry["total"].get<int64_t>()),
                static_cast<long long>(entry["train"].get<int64_t>()), static_cast<long long>(entry["val"].get<int64_t>()),
                static_cast<long long>(entry["test"].get<int64_t>()));
    if (entry.contains("brightness")) {
      std::printf(" %11.1f %9.1f %10.1f", entry["brightness"].get<double>(), entry["contrast"].get<double>(),
                  entry["sharpness"].get<double>());
    }
    std::printf("\n");
  }
  std::printf("\nsplits:");
  for (const auto& [name, count] : stats["splits"].items()) {
    std::printf(" %s=%lld", name.empty() ? "(unsplit)" : name.c_str(), static_cast<long long>(count.get<int64_t>()));
  }
  std::printf("\nimages:");
  for (const auto& [size, count] : stats["images"]["sizes"].items()) std::printf(" %s×%lld", size.c_str(), static_cast<long long>(count.get<int64_t>()));
  for (const auto& [channels, count] : stats["images"]["channels"].items()) {
    std::printf(" | %s channel(s)×%lld", channels.c_str(), static_cast<long long>(count.get<int64_t>()));
  }
  std::printf("\n");
  if (stats.contains("duplicates")) {
    const Json& duplicates = stats["duplicates"];
    std::printf("duplicates: %lld identical across splits, %lld near-duplicate pairs (%lld across splits, dHash distance <= %d)\n",
                static_cast<long long>(duplicates["identical_across_splits"].get<int64_t>()),
                static_cast<long long>(duplicates["near_pairs"].get<int64_t>()),
                static_cast<long long>(duplicates["near_across_splits"].get<int64_t>()), duplicates["near_distance"].get<int>());
  }
  for (const auto& warning : stats["warnings"]) std::printf("warning: %s\n", warning.get<std::string>().c_str());
}

void add_import_command(CLI::App& data, CliContext& context) {
  auto* command = data.add_subcommand("import", "Import images into a new dataset version");
  auto source = std::make_shared<std::string>();
  auto options = std::make_shared<ImportOptions>();
  command->add_option("source", *source, "Folder, IDX file or folder, CSV manifest, video, or capture folder")->required();
  command->add_option("--name", options->name, "Dataset name")->required();
  command->add_option("--format", options->format, "auto|idx|folder|csv|video|capture")->capture_default_str();
  command->add_flag("--add", options->add, "Keep the newest version's samples and add these");
  command->add_flag("--strict", options->strict, "Fail and store nothing if any file is rejected");
  command->add_option("--max-megapixels", options->max_megapixels, "Reject larger images (from the header)")->capture_default_str();
  command->add_option("--labels", options->labels_file, "IDX: class names, one per line");
  command->add_option("--every", options->video_every, "Video: keep every N-th frame");
  command->add_option("--rate", options->video_rate, "Video: frames per second to keep (when --every is not given)")->capture_default_str();
  command->callback([&context, source, options] {
    run_command(context, [&] {
      Workspace workspace = context.workspace();
      Registry registry = Registry::open(workspace.registry_path());
      options->threads = context.threads;
      print_import(import_dataset(workspace, registry, *source, *options, context.progress_bar()), context.json);
    });
  });
}

void add_split_command(CLI::App& data, CliContext& context) {
  auto* command = data.add_subcommand("split", "Split a dataset into train, val and test set(s), stratified");
  auto reference = std::make_shared<std::string>();
  auto val = std::make_shared<double>(0.1);
  auto tests = std::make_shared<std::vector<double>>();
  auto names = std::make_shared<std::vector<std::string>>();
  auto options = std::make_shared<SplitOptions>();
  command->add_option("dataset", *reference, "NAME or NAME@VERSION")->required();
  command->add_option("--val", *val, "Share of each class for validation")->capture_default_str();
  command->add_option("--test", *tests, "Share of each class per test set (default 0.1; 0 with --keep-origin-test)");
  command->add_option("--test-name", *names, "Test set name(s), in the order of --test (default: test)");
  command->add_option("--keep-origin-test", options->keep_origin_test,
                      "Keep the source's own test images (Fashion-MNIST t10k) as this test set");
  command->add_option("--seed", options->seed, "Seed of the draw")->capture_default_str();
  command->add_option("--group-by", options->group_by,
                      "Keep groups on one side: capture-session, source, or a regex on the origin (its first group); "
                      "with capture-session the test set is named captured-NAME-N unless --test-name says otherwise");
  command->callback([&context, reference, val, tests, names, options] {
    run_command(context, [&] {
      Workspace workspace = context.workspace();
      Registry registry = Registry::open(workspace.registry_path());
      options->val_fraction = *val;
      options->test_sets.clear();
      std::vector<double> fractions = *tests;
      if (fractions.empty()) fractions.push_back(options->keep_origin_test.empty() ? 0.1 : 0.0);
      if (fractions.size() == 1 && names->size() > 1) fractions.resize(names->size(), fractions[0]);
      if (!names->empty() && names->size() != fractions.size()) {
        throw invalid_argument("give one --test share per --test-name (or one share for all)");
      }
      for (size_t index = 0; index < fractions.size(); ++index) {
        if (fractions[index] <= 0) continue;
        const std::string default_name = options->group_by == kGroupByCaptureSession
                                             ? captured_test_set_name(DatasetStore(registry).resolve(*reference))
                                             : "test";
        const std::string name = names->empty() ? (fractions.size() == 1 ? default_name : default_name + std::to_string(index + 1)) : (*names)[index];
        options->test_sets.push_back({name, fractions[index]});
      }
      const SplitResult result = split_dataset(registry, *reference, *options);
      DatasetStore store(registry);
      std::map<std::string, int64_t> counts;
      for (const auto& sample : store.samples(result.version.id)) counts[sample.split] += 1;
      if (context.json) {
        std::cout << Json{{"dataset", result.version.dataset}, {"version", result.version.number}, {"version_id", result.version.id},
                          {"kept_existing", result.kept_existing}, {"newly_assigned", result.newly_assigned}, {"splits", counts}}
                         .dump(2)
                  << "\n";
        return;
      }
      std::printf("%s:", result.version.reference().c_str());
      for (const auto& [split, count] : counts) std::printf(" %s=%lld", split.c_str(), static_cast<long long>(count));
      std::printf("%s\n", result.kept_existing ? " (earlier split kept; new samples assigned)" : "");
    });
  });
}

void add_stats_command(CLI::App& data, CliContext& context) {
  auto* command = data.add_subcommand("stats", "Counts per class and split, balance, image statistics, leakage");
  auto reference = std::make_shared<std::string>();
  auto options = std::make_shared<StatsOptions>();
  command->add_option("dataset", *reference, "NAME or NAME@VERSION")->required();
  command->add_option("--near-distance", options->near_distance, "dHash bits under which images are near-duplicates (0..3)")
      ->capture_default_str();
  auto counts_only = std::make_shared<bool>(false);
  command->add_flag("--counts-only", *counts_only, "Skip decoding: no image statistics or leakage check");
  command->callback([&context, reference, options, counts_only] {
    run_command(context, [&] {
      Workspace workspace = context.workspace();
      Registry registry = Registry::open(workspace.registry_path());
      options->decode_images = !*counts_only;
      options->threads = context.threads;
      const Json stats = dataset_stats(workspace, registry, *reference, *options, context.progress_bar());
      if (context.json) {
        std::cout << stats.dump(2) << "\n";
      } else {
        print_stats(stats);
      }
    });
  });
}

void add_balance_command(CLI::App& data, CliContext& context) {
  auto* command = data.add_subcommand("balance", "Make a version whose classes count the same in training");
  auto reference = std::make_shared<std::string>();
  auto options = std::make_shared<BalanceOptions>();
  command->add_option("dataset", *reference, "NAME or NAME@VERSION")->required();
  command->add_option("--strategy", options->strategy, "undersample|oversample")->capture_default_str();
  command->add_option("--seed", options->seed, "Seed of the draw")->capture_default_str();
  command->callback([&context, reference, options] {
    run_command(context, [&] {
      Workspace workspace = context.workspace();
      Registry registry = Registry::open(workspace.registry_path());
      const BalanceResult result = balance_dataset(registry, *reference, *options);
      if (context.json) {
        std::cout << Json{{"dataset", result.version.dataset}, {"version", result.version.number}, {"version_id", result.version.id},
                          {"before", result.before}, {"after", result.after}}
                         .dump(2)
                  << "\n";
        return;
      }
      std::printf("%s (%s):\n", result.version.reference().c_str(), options->strategy.c_str());
      for (const auto& [name, count] : result.before) {
        std::printf("  %-16s %8lld -> %8lld\n", name.c_str(), static_cast<long long>(count),
                    static_cast<long long>(result.after.at(name)));
      }
    });
  });
}

void add_preview_command(CLI::App& data, CliContext& context) {
  auto* command = data.add_subcommand("preview", "Write a PNG grid of preprocessed samples, one row per class");
  auto reference = std::make_shared<std::string>();
  auto options = std::make_shared<PreviewOptions>();
  auto preprocess = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>("preview.png");
  command->add_option("dataset", *reference, "NAME or NAME@VERSION")->required();
  command->add_option("--preprocess", *preprocess, "Preprocess spec (YAML or JSON); default: decode and show as stored");
  command->add_option("--out", *out, "PNG file to write")->capture_default_str();
  command->add_option("--per-class", options->per_class, "Samples per class")->capture_default_str();
  command->add_option("--seed", options->seed, "Which samples are shown")->capture_default_str();
  command->callback([&context, reference, options, preprocess, out] {
    run_command(context, [&] {
      Workspace workspace = context.workspace();
      Registry registry = Registry::open(workspace.registry_path());
      if (!preprocess->empty()) options->pipeline = Pipeline::from_file(*preprocess);
      const PreviewResult result = write_preview_grid(workspace, registry, *reference, *out, *options);
      if (context.json) {
        std::cout << Json{{"out", *out}, {"rows", result.rows}, {"images", result.images}}.dump(2) << "\n";
      } else {
        std::printf("wrote %s: %d classes, %d images\n", out->c_str(), result.rows, result.images);
      }
    });
  });
}

void add_list_command(CLI::App& data, CliContext& context) {
  auto* command = data.add_subcommand("list", "List datasets and their newest versions");
  command->callback([&context] {
    run_command(context, [&] {
      Workspace workspace = context.workspace();
      Registry registry = Registry::open(workspace.registry_path());
      DatasetStore store(registry);
      Json list = Json::array();
      for (const auto& name : store.dataset_names()) {
        const DatasetVersion newest = store.resolve(name);
        list.push_back({{"dataset", name}, {"versions", newest.number}, {"newest", newest.reference()},
                        {"samples", store.samples(newest.id).size()}, {"classes", newest.classes.size()},
                        {"created_at", newest.created_at}, {"change", newest.change}});
      }
      if (context.json) {
        std::cout << list.dump(2) << "\n";
        return;
      }
      if (list.empty()) std::printf("no datasets yet: edgeloop data import SRC --name NAME\n");
      for (const auto& entry : list) {
        std::printf("%-20s %-24s %8zu samples %3zu classes  %s\n", entry["dataset"].get<std::string>().c_str(),
                    entry["newest"].get<std::string>().c_str(), entry["samples"].get<size_t>(), entry["classes"].get<size_t>(),
                    entry["change"].get<std::string>().c_str());
      }
    });
  });
}

void add_show_command(CLI::App& data, CliContext& context) {
  auto* command = data.add_subcommand("show", "Show a dataset version: parent, what changed, rejects");
  auto reference = std::make_shared<std::string>();
  command->add_option("dataset", *reference, "NAME or NAME@VERSION")->required();
  command->callback([&context, reference] {
    run_command(context, [&] {
      Workspace workspace = context.workspace();
      Registry registry = Registry::open(workspace.registry_path());
      DatasetStore store(registry);
      const DatasetVersion version = store.resolve(*reference);
      const std::optional<DatasetVersion> parent =
          version.parent_id.empty() ? std::nullopt : store.find_version(version.parent_id);
      const VersionDiff diff = diff_versions(store, version.parent_id, version.id);
      const auto imports = store.imports(version.id);
      Json rejects = Json::array();
      for (const auto& record : imports) {
        for (const auto& [path, reason] : record.rejects) rejects.push_back({{"path", path}, {"reason", reason}, {"source", record.source}});
      }
      std::map<std::string, int64_t> splits;
      int64_t samples = 0;
      for (const auto& sample : store.samples(version.id)) {
        splits[sample.split] += 1;
        ++samples;
      }
      Json shown = {{"dataset", version.dataset}, {"version", version.number}, {"version_id", version.id},
                    {"parent", parent ? parent->reference() : ""}, {"created_at", version.created_at},
                    {"change", version.change}, {"classes", version.classes}, {"samples", samples}, {"splits", splits},
                    {"diff", {{"added", diff.added}, {"removed", diff.removed}, {"relabelled", diff.relabelled},
                              {"resplit", diff.resplit}, {"recounted", diff.recounted}}},
                    {"details", version.details}, {"rejects", rejects}};
      if (context.json) {
        std::cout << shown.dump(2) << "\n";
        return;
      }
      std::printf("%s  (%s)\n  id       %s\n  parent   %s\n  change   %s\n  samples  %lld in %zu classes\n  splits  ",
                  version.reference().c_str(), version.created_at.c_str(), version.id.c_str(),
                  parent ? parent->reference().c_str() : "(none)", version.change.c_str(), static_cast<long long>(samples),
                  version.classes.size());
      for (const auto& [split, count] : splits) std::printf(" %s=%lld", split.empty() ? "(unsplit)" : split.c_str(), static_cast<long long>(count));
      std::printf("\n  vs parent: +%lld added, -%lld removed, %lld relabelled, %lld moved split, %lld copies changed\n",
                  static_cast<long long>(diff.added), static_cast<long long>(diff.removed), static_cast<long long>(diff.relabelled),
                  static_cast<long long>(diff.resplit), static_cast<long long>(diff.recounted));
      std::printf("  rejects  %zu\n", rejects.size());
      for (const auto& reject : rejects) {
        std::printf("    %s: %s\n", reject["path"].get<std::string>().c_str(), reject["reason"].get<std::string>().c_str());
      }
    });
  });
}

void add_export_command(CLI::App& data, CliContext& context) {
  auto* command = data.add_subcommand("export", "Write a dataset's images to one hash-checked file a device streams as sim:FILE");
  auto reference = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto max_images = std::make_shared<int64_t>(0);
  command->add_option("dataset", *reference, "NAME[@VERSION][:SPLIT], SPLIT = train, val, test or test:NAME")->required();
  command->add_option("--out", *out, "The image pack to write")->required();
  command->add_option("--max-images", *max_images, "Only the first N images of the split (0: all)")->capture_default_str();
  command->callback([&context, reference, out, max_images] {
    run_command(context, [&] {
      const DatasetExport exported = export_dataset(context.workspace(), *reference, *out, *max_images);
      if (context.json) {
        std::cout << Json{{"source", exported.source}, {"out", exported.file}, {"images", exported.images},
                          {"labelled", exported.labelled}, {"bytes", exported.bytes}}.dump(2) << "\n";
      } else {
        std::printf("wrote %s: %lld images of %s (%lld with their class, %.1f KB); stream it with edgeloop-edge --source sim:%s\n",
                    exported.file.c_str(), static_cast<long long>(exported.images), exported.source.c_str(),
                    static_cast<long long>(exported.labelled), exported.bytes / 1024.0, exported.file.c_str());
      }
    });
  });
}

}  // namespace

void add_data_commands(CLI::App& app, CliContext& context) {
  auto* data = app.add_subcommand("data", "Import, split, balance and inspect datasets");
  data->require_subcommand(1);
  add_import_command(*data, context);
  add_split_command(*data, context);
  add_stats_command(*data, context);
  add_balance_command(*data, context);
  add_preview_command(*data, context);
  add_list_command(*data, context);
  add_show_command(*data, context);
  add_export_command(*data, context);
}

}  // namespace edgeloop::cli
