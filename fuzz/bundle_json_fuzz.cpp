// Fuzz target: bundle.json through `edgeloop bundle verify` (verify_bundle_for_device: the checks
// the device runs at load). The bundle folder holds a tiny real model.onnx (the onnx_fuzz seed);
// when the input is a JSON object its manifest_sha256 is recomputed first, as a hostile pusher
// would, so the fuzzer gets past the hash check to every field behind it.
#include "edgeloop/core/config.h"
#include "edgeloop/core/hash.h"
#include "edgeloop/core/input_limits.h"
#include "edgeloop/edge/bundle_model_loader.h"
#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace edgeloop;
  static const std::filesystem::path model = fuzz::copy_seed("onnx_fuzz/conv.onnx", "bundle/model.onnx");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  std::string manifest(text);
  try {
    Json parsed = parse_json_limited(text, "bundle.json");
    if (parsed.is_object()) {
      parsed.erase("manifest_sha256");
      parsed["manifest_sha256"] = sha256_hex(canonical_json(parsed));
      manifest = parsed.dump(1);
    }
  } catch (const Error&) {
  }
  const auto path = fuzz::write_input("bundle/bundle.json", reinterpret_cast<const uint8_t*>(manifest.data()), manifest.size());
  fuzz::expect_only_edgeloop_errors([&] { verify_bundle_for_device(path.parent_path()); });
  return 0;
}
