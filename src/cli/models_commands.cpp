// `edgeloop models list|show`: the architecture ladder with parameters and MFLOPs per image, the
// trained models of the workspace, and one model's lineage, curves and diagnosis.
#include <cstdio>
#include <iostream>

#include "cli/cli_context.h"
#include "edgeloop/core/error.h"
#include "edgeloop/models/stored_model.h"
#include "edgeloop/registry/model_store.h"
#include "edgeloop/registry/run_store.h"

namespace edgeloop::cli {

namespace {

constexpr double kPercent = 100.0;

InputShape parse_input(const std::string& text) {
  InputShape shape;
  if (std::sscanf(text.c_str(), "%dx%dx%d", &shape.channels, &shape.height, &shape.width) != 3 || shape.channels < 1 ||
      shape.height < 1 || shape.width < 1) {
    throw invalid_argument("--input " + text + " is not CxHxW: write e.g. 1x28x28 or 3x96x96");
  }
  return shape;
}

void list_architectures(const InputShape& input, int classes, const std::vector<std::string>& extra, bool json) {
  std::vector<std::string> names = architecture_ladder();
  names.insert(names.end(), extra.begin(), extra.end());
  Json rows = Json::array();
  for (const std::string& name : names) {
    ArchSpec spec = ArchSpec::parse(name);
    spec.input = input;
    spec.classes = classes;
    rows.push_back({{"arch", spec.to_string()}, {"parameters", spec.parameter_count()}, {"mflops", spec.mflops()},
                    {"blocks", spec.block_count()}, {"layers", spec.expand().size()}});
  }
  if (json) {
    std::cout << rows.dump(2) << "\n";
    return;
  }
  std::printf("input %dx%dx%d, %d classes\n%-22s %12s %10s %7s %7s\n", input.channels, input.height, input.width, classes,
              "arch", "parameters", "MFLOPs", "blocks", "layers");
  for (const Json& row : rows) {
    std::printf("%-22s %12lld %10.2f %7d %7d\n", row["arch"].get<std::string>().c_str(),
                static_cast<long long>(row["parameters"].get<int64_t>()), row["mflops"].get<double>(),
                row["blocks"].get<int>(), static_cast<int>(row["layers"].get<size_t>()));
  }
}

void list_trained(const Workspace& workspace, bool json) {
  Registry registry = Registry::open(workspace.registry_path());
  const auto models = ModelStore(registry).list();
  Json rows = Json::array();
  for (const ModelRecord& model : models) {
    rows.push_back({{"model", model.id}, {"kind", model.kind}, {"arch", model.arch}, {"parameters", model.parameters},
                    {"mflops", model.mflops}, {"val_accuracy", model.val_accuracy ? Json(*model.val_accuracy) : Json()},
                    {"run", model.run_id}, {"created_at", model.created_at}});
  }
  if (json) {
    std::cout << rows.dump(2) << "\n";
    return;
  }
  std::printf("%-16s %-8s %-18s %12s %9s %8s  %s\n", "model", "kind", "arch", "parameters", "MFLOPs", "val_acc", "created");
  for (const ModelRecord& model : models) {
    std::printf("%-16s %-8s %-18s %12lld %9.2f %7.2f%%  %s\n", model.id.c_str(), model.kind.c_str(), model.arch.c_str(),
                static_cast<long long>(model.parameters), model.mflops,
                model.val_accuracy ? *model.val_accuracy * kPercent : 0.0, model.created_at.c_str());
  }
}

void show_model(const Workspace& workspace, const std::string& reference, bool json) {
  Registry registry = Registry::open(workspace.registry_path());
  ModelStore models(registry);
  const ModelRecord record = models.resolve(reference);
  const StoredModel model = load_stored_model(workspace, record.id);
  RunStore runs(registry);
  const auto epochs = record.run_id.empty() ? std::vector<EpochRecord>{} : runs.epochs(record.run_id);
  Json curves = Json::array();
  for (const auto& epoch : epochs) {
    curves.push_back({{"epoch", epoch.epoch}, {"train_loss", epoch.train_loss}, {"train_accuracy", epoch.train_accuracy},
                      {"val_loss", epoch.val_loss}, {"val_accuracy", epoch.val_accuracy},
                      {"learning_rate", epoch.learning_rate}, {"images_per_second", epoch.images_per_second}});
  }
  Json evaluations = Json::array();
  for (const auto& evaluation : models.evaluations(record.id)) {
    evaluations.push_back({{"split", evaluation.split}, {"accuracy", evaluation.accuracy}, {"forced", evaluation.forced},
                           {"earlier_models", evaluation.earlier_models}, {"created_at", evaluation.created_at}});
  }
  if (json) {
    Json out = model.to_json();
    out["curves"] = curves;
    out["evaluations"] = evaluations;
    out["path"] = workspace.model_dir(record.id).string();
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::printf("model %s (%s %s)\n", model.id.c_str(), model.kind.c_str(), model.arch.c_str());
  std::printf("  folder        %s\n", workspace.model_dir(record.id).c_str());
  std::printf("  parameters    %lld, %.2f MFLOPs per image, input %dx%dx%d, %zu classes\n",
              static_cast<long long>(model.parameters), model.mflops, model.input.channels, model.input.height,
              model.input.width, model.labels.size());
  std::printf("  dataset       %s@%d (%s)\n", model.lineage.dataset.c_str(), model.lineage.dataset_number,
              model.lineage.dataset_version.substr(0, 12).c_str());
  std::printf("  preprocess    %s\n", model.preprocess_hash.substr(0, 12).c_str());
  std::printf("  run           %s, seed %llu, commit %s%s%s\n", model.lineage.run_id.c_str(),
              static_cast<unsigned long long>(model.lineage.seed), model.lineage.code_commit.c_str(),
              model.lineage.parent_model.empty() ? "" : ", from ", model.lineage.parent_model.c_str());
  if (model.metrics.contains("val_accuracy")) {
    std::printf("  validation    %.2f%%\n", model.metrics["val_accuracy"].get<double>() * kPercent);
  }
  if (!curves.empty()) {
    std::printf("  curves        epoch  train_loss train_acc  val_loss  val_acc\n");
    for (const auto& epoch : epochs) {
      std::printf("                %5d %11.4f %8.2f%% %9.4f %7.2f%%\n", epoch.epoch, epoch.train_loss,
                  epoch.train_accuracy * kPercent, epoch.val_loss, epoch.val_accuracy * kPercent);
    }
  }
  if (model.diagnosis.contains("verdict")) {
    std::printf("  diagnosis     %s\n", model.diagnosis["verdict"].get<std::string>().c_str());
    for (const auto& reason : model.diagnosis["reasons"]) std::printf("                - %s\n", reason.get<std::string>().c_str());
    for (const auto& advice : model.diagnosis["advice"]) std::printf("                try: %s\n", advice.get<std::string>().c_str());
  }
  for (const auto& evaluation : evaluations) {
    std::printf("  evaluated     %s: %.2f%%%s\n", evaluation["split"].get<std::string>().c_str(),
                evaluation["accuracy"].get<double>() * kPercent, evaluation["forced"].get<bool>() ? " (forced)" : "");
  }
}

}  // namespace

void add_models_commands(CLI::App& app, CliContext& context) {
  auto* models = app.add_subcommand("models", "The architecture ladder and the trained models");
  models->require_subcommand(1);

  auto* list = models->add_subcommand("list", "Architectures with parameters and MFLOPs per image (or --trained models)");
  auto input = std::make_shared<std::string>("1x28x28");
  auto classes = std::make_shared<int>(10);
  auto trained = std::make_shared<bool>(false);
  auto extra = std::make_shared<std::vector<std::string>>();
  list->add_option("--input", *input, "Input shape CxHxW (default 1x28x28)");
  list->add_option("--classes", *classes, "Class count (default 10)");
  list->add_option("--arch", *extra, "Also list these architectures, e.g. cnn-m:w=0.5");
  list->add_flag("--trained", *trained, "List the workspace's trained models instead");
  list->callback([&context, input, classes, trained, extra] {
    run_command(context, [&] {
      if (*trained) {
        list_trained(context.workspace(), context.json);
      } else {
        list_architectures(parse_input(*input), *classes, *extra, context.json);
      }
    });
  });

  auto* show = models->add_subcommand("show", "One model: lineage, curves, diagnosis, evaluations");
  auto reference = std::make_shared<std::string>();
  show->add_option("model", *reference, "Model id or a unique prefix")->required();
  show->callback([&context, reference] {
    run_command(context, [&] { show_model(context.workspace(), *reference, context.json); });
  });
}

}  // namespace edgeloop::cli
