#include "edgeloop/runtime/xnnpack_engine.h"

#include <chrono>
#include <mutex>

#include <pthreadpool.h>
#include <xnnpack.h>

#include "edgeloop/core/error.h"
#include "edgeloop/core/log.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/runtime/onnx_model.h"
#include "edgeloop/runtime/xnnpack_subgraph.h"

namespace edgeloop {
namespace {

void initialize_xnnpack() {
  static std::once_flag once;
  static xnn_status status = xnn_status_success;
  std::call_once(once, [] { status = xnn_initialize(nullptr); });
  if (status != xnn_status_success) {
    throw unsupported("XNNPACK could not initialise on this CPU (status " + std::to_string(status) +
                      "); use the opencv engine");
  }
}

// One XNNPACK runtime for one batch size, with its input and output buffers.
struct BatchRuntime {
  xnn_runtime_t runtime = nullptr;
  XnnpackSubgraph shape;
  std::vector<float> input, probabilities, embedding;   // each with XNN_EXTRA_BYTES of slack
};

constexpr size_t kSlackFloats = XNN_EXTRA_BYTES / sizeof(float);

}  // namespace

struct XnnpackEngine::State {
  OnnxModel model;
  XnnpackWeightStore weights;
  pthreadpool_t pool = nullptr;
  int threads = 1;
  double load_milliseconds = 0.0;
  bool quantized = false;
  std::map<int, BatchRuntime> runtimes;

  BatchRuntime& runtime_for(int batch) {
    auto found = runtimes.find(batch);
    if (found != runtimes.end()) return found->second;
    BatchRuntime built;
    built.shape = build_xnnpack_subgraph(model, batch, weights);
    xnn_status status = xnn_create_runtime_v2(built.shape.subgraph, pool, 0, &built.runtime);
    xnn_delete_subgraph(built.shape.subgraph);
    built.shape.subgraph = nullptr;
    if (status != xnn_status_success) {
      throw unsupported(model.file().string() + ": XNNPACK could not create a runtime (status " +
                        std::to_string(status) + "); use the opencv engine");
    }
    quantized = built.shape.quantized;
    spdlog::debug("xnnpack: {} batch {}: {} int8 operators, {} fp32 operators, {} int8/fp32 conversions",
                  model.file().filename().string(), batch, built.shape.int8_operators, built.shape.fp32_operators,
                  built.shape.converts);
    built.input.resize(built.shape.input_size * size_t(batch) + kSlackFloats);
    built.probabilities.resize(built.shape.probabilities_size * size_t(batch) + kSlackFloats);
    built.embedding.resize(built.shape.embedding_size * size_t(batch) + kSlackFloats);
    std::vector<xnn_external_value> externals = {{kXnnpackInputId, built.input.data()},
                                                 {kXnnpackProbabilitiesId, built.probabilities.data()}};
    if (built.shape.embedding_size) externals.push_back({kXnnpackEmbeddingId, built.embedding.data()});
    status = xnn_setup_runtime(built.runtime, externals.size(), externals.data());
    if (status != xnn_status_success) {
      xnn_delete_runtime(built.runtime);
      throw internal_error(model.file().string() + ": xnn_setup_runtime failed (status " + std::to_string(status) + ")");
    }
    return runtimes.emplace(batch, std::move(built)).first->second;
  }

  ~State() {
    for (auto& [batch, runtime] : runtimes) xnn_delete_runtime(runtime.runtime);
    if (pool) pthreadpool_destroy(pool);
  }
};

XnnpackEngine::XnnpackEngine(const std::filesystem::path& model_file, const EngineOptions& options)
    : state_(std::make_unique<State>()) {
  auto start = std::chrono::steady_clock::now();
  initialize_xnnpack();
  state_->model = OnnxModel::load(model_file);
  state_->threads = resolve_thread_count(options.threads);
  if (state_->threads > 1) state_->pool = pthreadpool_create(size_t(state_->threads));
  state_->runtime_for(1);
  if (options.max_batch > 1) state_->runtime_for(options.max_batch);
  state_->load_milliseconds =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

XnnpackEngine::~XnnpackEngine() = default;

std::string XnnpackEngine::name() const { return state_->quantized ? "xnnpack-int8" : "xnnpack"; }

double XnnpackEngine::load_milliseconds() const { return state_->load_milliseconds; }

XnnpackEngine::OperatorCounts XnnpackEngine::operator_counts() const {
  const XnnpackSubgraph& shape = state_->runtimes.at(1).shape;
  return OperatorCounts{shape.int8_operators, shape.fp32_operators, shape.converts};
}

int XnnpackEngine::threads() const { return state_->pool ? int(pthreadpool_get_threads_count(state_->pool)) : 1; }

InferenceResult XnnpackEngine::infer(const float* input, int batch) {
  if (batch < 1) throw invalid_argument("infer: batch must be at least 1");
  BatchRuntime& runtime = state_->runtime_for(batch);
  const XnnpackSubgraph& shape = runtime.shape;
  std::copy(input, input + shape.input_size * size_t(batch), runtime.input.begin());
  xnn_status status = xnn_invoke_runtime(runtime.runtime);
  if (status != xnn_status_success) {
    throw internal_error(state_->model.file().string() + ": xnn_invoke_runtime failed (status " +
                         std::to_string(status) + ")");
  }
  InferenceResult result;
  result.batch = batch;
  result.classes = int(shape.probabilities_size);
  result.embedding_size = int(shape.embedding_size);
  // Outputs back in ONNX feature order when a flatten of NHWC data reached them.
  auto gather = [batch](const std::vector<float>& source, size_t size, const std::vector<size_t>& order) {
    std::vector<float> values(size * size_t(batch));
    for (size_t image = 0; image < size_t(batch); ++image)
      for (size_t feature = 0; feature < size; ++feature)
        values[image * size + feature] = source[image * size + (order.empty() ? feature : order[feature])];
    return values;
  };
  result.probabilities = gather(runtime.probabilities, shape.probabilities_size, shape.probabilities_order);
  result.embedding = gather(runtime.embedding, shape.embedding_size, shape.embedding_order);
  return result;
}

}  // namespace edgeloop
