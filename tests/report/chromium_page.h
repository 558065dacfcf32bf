// Opens an HTML file in headless Debian Chromium the way a reader would (no network, fresh
// profile), returning the DOM after scripts ran and every console message, and saves a
// screenshot. Used by the report and quickstart tests. Header-only; thread-safe per call.
#pragma once

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/subprocess.h"
#include "support/temp_dir.h"

namespace edgeloop::testing {

struct RenderedPage {
  int exit_status = -1;
  std::string dom;                         // --dump-dom output
  std::vector<std::string> console;        // every console message the page produced
  bool rendered_ok() const { return dom.find("data-rendered=\"ok\"") != std::string::npos; }
};

inline std::string chromium_flags(const std::filesystem::path& profile) {
  return "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking "
         "--disable-component-update --disable-sync --user-data-dir=" +
         shell_quote(profile.string());
}

inline RenderedPage open_in_chromium(const std::filesystem::path& html, const std::filesystem::path& screenshot) {
  RenderedPage page;
  TempDir profile;
  const std::string url = shell_quote("file://" + std::filesystem::absolute(html).string());
  const std::filesystem::path log = profile / "console.log";
  const auto dump = run_shell("chromium " + chromium_flags(profile / "dom") + " --enable-logging=stderr --v=0 --dump-dom " +
                              url + " 2> " + shell_quote(log.string()));
  page.exit_status = dump.exit_status;
  page.dom = dump.output;
  std::istringstream lines(run_shell("cat " + shell_quote(log.string())).output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find(":CONSOLE") != std::string::npos) page.console.push_back(line);
  }
  if (!screenshot.empty()) {
    std::filesystem::create_directories(screenshot.parent_path());
    run_shell("chromium " + chromium_flags(profile / "shot") + " --hide-scrollbars --window-size=1000,1400 --screenshot=" +
              shell_quote(screenshot.string()) + " " + url + " > /dev/null 2>&1");
  }
  return page;
}

}  // namespace edgeloop::testing
