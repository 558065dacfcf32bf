#include "edgeloop/runtime/toolkit_engines.h"

#include "edgeloop/runtime/reference_engine.h"

namespace edgeloop {

std::unique_ptr<Engine> make_toolkit_engine(const std::string& engine_name, const std::filesystem::path& model_file,
                                            const EngineOptions& options) {
  if (engine_name == "reference") return std::make_unique<ReferenceEngine>(model_file);
  return make_engine(engine_name, model_file, options);
}

ParityEngine runtime_parity_engine(const std::string& name, int threads, int max_batch) {
  auto engine = std::make_shared<std::unique_ptr<Engine>>();
  return ParityEngine{name, [engine, name, threads, max_batch](const std::filesystem::path& file,
                                                               const std::vector<float>& nhwc, int batch) {
                        if (!*engine) {
                          EngineOptions options;
                          options.threads = threads;
                          options.max_batch = max_batch;
                          *engine = make_toolkit_engine(name, file, options);
                        }
                        return (*engine)->infer(nhwc.data(), batch).probabilities;
                      }};
}

}  // namespace edgeloop
