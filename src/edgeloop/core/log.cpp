#include "edgeloop/core/log.h"

#include <spdlog/sinks/stdout_color_sinks.h>

namespace edgeloop {

void set_log_level(LogLevel level) {
  auto logger = spdlog::stderr_color_mt("edgeloop");
  logger->set_pattern("%^%l%$: %v");
  switch (level) {
    case LogLevel::kQuiet: logger->set_level(spdlog::level::err); break;
    case LogLevel::kNormal: logger->set_level(spdlog::level::info); break;
    case LogLevel::kVerbose: logger->set_level(spdlog::level::debug); break;
  }
  spdlog::set_default_logger(logger);
}

}  // namespace edgeloop
