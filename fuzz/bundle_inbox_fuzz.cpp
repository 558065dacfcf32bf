// Fuzz target: the device's bundle inbox (PUT /v1/bundles/ID/FILE?offset=N, GET /v1/bundles/ID,
// POST /v1/model {"bundle_id"}): a sequence of chunk pushes, status reads and publishes against a
// fresh BundleInbox, so ids, file names, offsets, manifests and chunk sizes are all the fuzzer's.
// Input: steps separated by a line "--"; each step is a line "OP ID FILE OFFSET" then its bytes.
//   OP put | status | publish;  OFFSET a number, or "=" for the size the device holds (a resume).
// Every chunk is cut to at most 64 KB by libFuzzer's -max_len; the limits are shrunk to match.
#include <sstream>
#include <string>
#include <string_view>

#include "edgeloop/edge/bundle_inbox.h"
#include "fuzz_support.h"

namespace {

struct Step {
  std::string op, bundle_id, file, offset;
  std::string_view bytes;
};

// Splits the input into steps; a step whose first line is not four words is skipped.
std::vector<Step> parse_steps(std::string_view input) {
  std::vector<Step> steps;
  constexpr std::string_view kSeparator = "\n--\n";
  while (!input.empty()) {
    const size_t end = input.find(kSeparator);
    const std::string_view block = input.substr(0, end);
    input = end == std::string_view::npos ? std::string_view() : input.substr(end + kSeparator.size());
    const size_t line_end = block.find('\n');
    std::istringstream words(std::string(block.substr(0, line_end)));
    Step step;
    if (!(words >> step.op >> step.bundle_id >> step.file >> step.offset)) continue;
    step.bytes = line_end == std::string_view::npos ? std::string_view() : block.substr(line_end + 1);
    steps.push_back(step);
  }
  return steps;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  const std::filesystem::path store = fuzz::scratch_dir() / "store";
  std::filesystem::remove_all(store);
  BundleInboxLimits limits;
  limits.max_manifest_bytes = 16 << 10;
  limits.max_bundle_bytes = 256 << 10;
  limits.keep_published = 2;
  BundleInbox inbox(store, limits);
  for (const Step& step : parse_steps(std::string_view(reinterpret_cast<const char*>(data), size))) {
    fuzz::expect_only_edgeloop_errors([&] {
      if (step.op == "put") {
        int64_t offset = 0;
        if (step.offset == "=") {
          try {
            const auto held = inbox.received(step.bundle_id);
            if (const auto found = held.find(step.file); found != held.end()) offset = found->second.first;
          } catch (const Error&) {
          }
        } else {
          offset = std::strtoll(step.offset.c_str(), nullptr, 10);
        }
        inbox.receive(step.bundle_id, step.file, offset, step.bytes);
      } else if (step.op == "status") {
        inbox.received(step.bundle_id);
      } else if (step.op == "publish") {
        inbox.publish(step.bundle_id, {step.file});
      }
    });
  }
  return 0;
}
