#include "cli/cli_context.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include "edgeloop/core/error.h"
#include "edgeloop/core/filesystem_guard.h"

namespace edgeloop::cli {

namespace {
constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);
}  // namespace

Workspace CliContext::workspace() const {
  if (workspace_flag.empty()) return Workspace::open(std::nullopt);
  return Workspace::open(std::filesystem::path(workspace_flag));
}

ProgressCallback CliContext::progress_bar() const {
  if (quiet || !::isatty(STDERR_FILENO)) return [](const Progress&) {};
  auto last_draw = std::make_shared<std::chrono::steady_clock::time_point>();
  return [last_draw](const Progress& progress) {
    const auto now = std::chrono::steady_clock::now();
    const bool finished = progress.total > 0 && progress.done >= progress.total;
    if (!finished && now - *last_draw < kRedrawInterval) return;
    *last_draw = now;
    std::string bar;
    if (progress.total > 0) {
      const int filled = static_cast<int>(kBarWidth * progress.done / progress.total);
      bar = "[" + std::string(filled, '#') + std::string(kBarWidth - filled, '.') + "] ";
    }
    std::fprintf(stderr, "\r\033[K%s %s%lld/%lld %s", progress.stage.c_str(), bar.c_str(),
                 static_cast<long long>(progress.done), static_cast<long long>(progress.total),
                 progress.detail.c_str());
    if (finished) std::fprintf(stderr, "\n");
    std::fflush(stderr);
  };
}

void run_command(CliContext& context, const std::function<void()>& body) {
  if (context.parse_only) return;
  try {
    body();
  } catch (const Error& error) {
    std::cerr << "edgeloop: " << error.what() << "\n";
    context.exit_status = error.exit_status();
  } catch (const std::filesystem::filesystem_error& error) {
    // The libraries guard their entry points (core/filesystem_guard.h); this is the backstop.
    const Error converted = filesystem_error_to_error(error);
    std::cerr << "edgeloop: " << converted.what() << "\n";
    context.exit_status = converted.exit_status();
  } catch (const std::exception& error) {
    std::cerr << "edgeloop: internal error: " << error.what() << " (please report this)\n";
    context.exit_status = static_cast<int>(ErrorCode::kInternal);
  }
}

}  // namespace edgeloop::cli
