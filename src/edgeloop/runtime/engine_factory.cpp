// make_engine: the one place that turns a device engine's name into an engine (engine.h). The
// toolkit's engines are not here: "reference" is in runtime_toolkit (toolkit_engines.h,
// make_toolkit_engine, which falls back to this) and "torch" in runtime_torch (make_torch_engine);
// the device links neither.
#include <algorithm>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/classic_engine.h"
#include "edgeloop/runtime/engine.h"
#ifdef EDGELOOP_WITH_ONEDNN
#include "edgeloop/runtime/onednn_engine.h"
#endif
#include "edgeloop/runtime/opencv_engine.h"
#include "edgeloop/runtime/xnnpack_engine.h"

namespace edgeloop {

std::unique_ptr<Engine> make_engine(const std::string& engine_name, const std::filesystem::path& model_file,
                                    const EngineOptions& options) {
  // The file decides fp32 or int8; the name must agree with it.
  auto check_precision = [&](const Engine& engine, const std::string& fp32_name) {
    if (engine.name() == engine_name) return;
    bool wants_fp32 = engine_name == fp32_name;
    throw invalid_argument(model_file.string() + " is " + (wants_fp32 ? "an int8 QDQ" : "an fp32") + " model; engine " +
                           engine_name + " needs the " +
                           (wants_fp32 ? "fp32 model.onnx" : "int8 model.int8.onnx (export --int8)"));
  };
  if (engine_name == "xnnpack" || engine_name == "xnnpack-int8") {
    auto engine = std::make_unique<XnnpackEngine>(model_file, options);
    check_precision(*engine, "xnnpack");
    return engine;
  }
  if (engine_name == "onednn" || engine_name == "onednn-int8") {
#ifdef EDGELOOP_WITH_ONEDNN
    auto engine = std::make_unique<OnednnEngine>(model_file, options);
    check_precision(*engine, "onednn");
    return engine;
#else
    throw unsupported("engine " + engine_name + " is not in this build (built without oneDNN): use xnnpack");
#endif
  }
  if (engine_name == "opencv") return std::make_unique<OpenCvEngine>(model_file, options, /*int8=*/false);
  if (engine_name == "opencv-int8") return std::make_unique<OpenCvEngine>(model_file, options, /*int8=*/true);
  if (engine_name == "classic") return std::make_unique<ClassicEngine>(model_file, options);
  throw invalid_argument("unknown engine '" + engine_name +
                         "'; choose xnnpack, xnnpack-int8, onednn, onednn-int8, opencv, opencv-int8 or classic (reference "
                         "and torch run in the toolkit only: see `edgeloop bench --help`)");
}

}  // namespace edgeloop
