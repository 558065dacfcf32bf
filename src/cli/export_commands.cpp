// `edgeloop export MODEL`: write a verified bundle (bundle.json, model.onnx, model.int8.onnx with
// --int8) after checking every engine against LibTorch; `edgeloop bundle verify DIR`: check a
// bundle's format version and every file's sha256.
#include <cstdio>
#include <iostream>
#include <memory>

#include "cli/cli_context.h"
#include "cli/device_push_lines.h"
#include "edgeloop/bundle/bundle.h"
#include "edgeloop/deploy/device_push.h"
#include "edgeloop/edge/bundle_model_loader.h"
#include "edgeloop/export/model_exporter.h"
#include "edgeloop/runtime/engine_timing.h"
#include "edgeloop/runtime/toolkit_engines.h"

namespace edgeloop::cli {
namespace {

struct ExportFlags {
  std::string model;
  std::string out;
  bool int8 = false;
  bool force = false;
  ExportOptions options;
};

void print_export(const ExportReport& report) {
  std::printf("bundle %s for model %s\n", report.directory.string().c_str(), report.model_id.c_str());
  std::printf("  model.onnx       %8.1f KB (weights %.1f KB)\n", report.fp32_file_bytes / 1024.0,
              report.fp32_weight_bytes / 1024.0);
  if (report.has_int8) {
    std::printf("  model.int8.onnx  %8.1f KB (weights %.1f KB, %.2fx smaller)\n", report.int8_file_bytes / 1024.0,
                report.int8_weight_bytes / 1024.0, double(report.fp32_weight_bytes) / report.int8_weight_bytes);
    std::printf("  int8 on %d validation images: accuracy %.4f (fp32 %.4f, drop %+.2f points), top-1 agreement %.4f\n",
                report.evaluation_images, report.int8_accuracy, report.fp32_accuracy,
                100.0 * (report.fp32_accuracy - report.int8_accuracy), report.int8_agreement);
    for (const Int8EngineCheck& check : report.int8_engines) {
      if (!check.skipped.empty()) {
        std::printf("    %-12s skipped: %s\n", check.engine.c_str(), check.skipped.c_str());
      } else {
        std::printf("    %-12s accuracy %.4f, top-1 agreement with the QDQ reference %.4f, max |Δ probability| %.2e\n",
                    check.engine.c_str(), check.accuracy, check.agreement, check.max_abs_difference);
      }
    }
  }
  std::printf("  parity vs LibTorch (max |Δ probability|):\n");
  for (const EngineParity& parity : report.parity) {
    if (!parity.skipped.empty()) {
      std::printf("    %-12s skipped: %s\n", parity.engine.c_str(), parity.skipped.c_str());
    } else {
      std::printf("    %-12s %.2e over %d images  %s\n", parity.engine.c_str(), parity.max_abs_difference, parity.images,
                  parity.passed ? "ok" : "FAILED");
    }
  }
  std::printf("  drift reference: %d training images\n", report.reference_images);
}

}  // namespace

// Over 80 lines on purpose: the export commands' flags, one declaration each as `--help` lists
// them; the callbacks only call the library and print.
void add_export_commands(CLI::App& app, CliContext& context) {
  auto flags = std::make_shared<ExportFlags>();
  auto* command = app.add_subcommand("export", "Write a device bundle for a trained model, checked against LibTorch");
  command->add_option("model", flags->model, "Model id (see `edgeloop models list`)")->required();
  command->add_option("--out", flags->out, "Bundle folder (default: ./<model id>.bundle)");
  command->add_flag("--int8", flags->int8, "Also write model.int8.onnx (post-training static int8, QDQ)");
  command->add_option("--calibration", flags->options.calibration_images, "Training images that calibrate int8")
      ->capture_default_str();
  command->add_option("--parity-images", flags->options.parity_images, "Validation images checked on every engine")
      ->capture_default_str();
  command->add_option("--reference-images", flags->options.reference_images,
                      "Training images summarised for drift monitoring")
      ->capture_default_str();
  command->add_option("--engines", flags->options.engine_names, "Engines checked against LibTorch")
      ->delimiter(',')
      ->capture_default_str();
  command->add_flag("--force", flags->force, "Replace an existing bundle folder");
  command->callback([&context, flags] {
    run_command(context, [&] {
      ExportOptions options = flags->options;
      options.output_directory = flags->out.empty() ? flags->model + ".bundle" : flags->out;
      options.int8 = flags->int8;
      options.overwrite = flags->force;
      options.threads = context.threads;
      options.engine_factory = runtime_parity_engine;
      options.engine_ranker = export_engine_ranking;
      const ExportReport report = export_model(context.workspace(), flags->model, options, context.progress_bar());
      if (context.json) {
        std::cout << report.to_json().dump(2) << "\n";
      } else {
        print_export(report);
      }
    });
  });

  auto* bundle = app.add_subcommand("bundle", "Inspect model bundles");
  bundle->require_subcommand(1);
  auto directory = std::make_shared<std::string>();
  auto* verify = bundle->add_subcommand(
      "verify", "Run the checks the device runs at load: format, every file's sha256, paths, preprocessing, "
                "reference statistics, and each model loaded and run once (fp32 and int8)");
  verify->add_option("dir", *directory, "Bundle folder")->required();
  verify->callback([&context, directory] {
    run_command(context, [&] {
      const BundleVerification verification = verify_bundle_for_device(*directory);
      const Bundle& loaded = verification.bundle;
      if (context.json) {
        Json files = Json::object();
        for (const auto& [name, file] : loaded.files) files[name] = {{"sha256", file.sha256}, {"bytes", file.bytes}};
        std::cout << Json{{"bundle", *directory}, {"verified", true}, {"format_version", loaded.format_version},
                          {"model_id", loaded.model_id}, {"files", files}, {"engines", verification.engines}}
                         .dump(2)
                  << "\n";
        return;
      }
      std::printf("bundle %s: format %d, model %s (%s), %zu labels — verified\n", directory->c_str(),
                  loaded.format_version, loaded.model_id.c_str(), loaded.arch.c_str(), loaded.labels.size());
      for (const auto& [name, file] : loaded.files) {
        std::printf("  %-20s %10lld bytes  sha256 %s  ok\n", name.c_str(), static_cast<long long>(file.bytes),
                    file.sha256.c_str());
      }
      std::string engines;
      for (const std::string& engine : verification.engines) engines += (engines.empty() ? "" : ", ") + engine;
      std::printf("  loaded and run once on %s, as the device does\n", engines.c_str());
    });
  });

  auto push_directory = std::make_shared<std::string>();
  auto push_options = std::make_shared<DevicePushOptions>();
  auto* push = bundle->add_subcommand(
      "push", "Send a bundle to a running edgeloop-edge over HTTP (resumable), swap to it and wait for the device's "
              "probation verdict: kept, or rolled back by the device with the reason");
  push->add_option("dir", *push_directory, "Bundle folder")->required();
  add_device_push_options(*push, *push_options);
  push->callback([&context, push_directory, push_options] {
    run_command(context, [&] {
      const DevicePushOutcome outcome = push_bundle_to_device(*push_directory, *push_options);
      print_device_push(outcome, context.json);
      require_device_kept(outcome);
    });
  });
}

}  // namespace edgeloop::cli
