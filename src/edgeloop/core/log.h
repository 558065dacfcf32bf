// Logging to stderr through spdlog. The library logs; only the CLI prints results to stdout.
// `set_log_level` is called once by each binary's main from --verbose/--quiet.
#pragma once

#include <spdlog/spdlog.h>

namespace edgeloop {

enum class LogLevel { kQuiet, kNormal, kVerbose };

// Routes the default spdlog logger to stderr with a short pattern; thread-safe after the call.
void set_log_level(LogLevel level);

}  // namespace edgeloop
