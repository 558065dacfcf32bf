#include "edgeloop/runtime/onednn_engine.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

#include <dnnl.hpp>

#include "edgeloop/core/error.h"
#include "edgeloop/core/log.h"
#include "edgeloop/core/threads.h"
#include "edgeloop/runtime/onednn_network.h"
#include "edgeloop/runtime/onnx_model.h"

namespace edgeloop {
namespace {

double milliseconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

struct OnednnEngine::State {
  OnnxModel model;
  dnnl::engine engine{dnnl::engine::kind::cpu, 0};
  dnnl::stream stream{engine};
  OnednnWeights weights;
  int threads = 1;
  double load_milliseconds = 0.0;
  bool quantized = false;
  std::map<int, OnednnNetwork> networks;

  OnednnNetwork& network_for(int batch) {
    auto found = networks.find(batch);
    if (found != networks.end()) return found->second;
    OnednnNetwork built;
    try {
      built = build_onednn_network(model, batch, engine, weights);
    } catch (const dnnl::error& error) {
      throw unsupported(model.file().string() + ": oneDNN could not build the network (" + error.what() +
                        "); use the xnnpack engine");
    }
    quantized = built.quantized || built.int8_operators > 0;
    spdlog::debug("onednn: {} batch {}: {} int8 operators, {} fp32 operators, {} int8/fp32 conversions",
                  model.file().filename().string(), batch, built.int8_operators, built.fp32_operators,
                  built.conversions);
    return networks.emplace(batch, std::move(built)).first->second;
  }

  void run(OnednnNetwork& network, const float* input) {
    network.input.set_data_handle(const_cast<float*>(input));
    for (OnednnStep& step : network.steps) step.primitive.execute(stream, step.arguments);
    stream.wait();
  }
};

OnednnEngine::OnednnEngine(const std::filesystem::path& model_file, const EngineOptions& options)
    : state_(std::make_unique<State>()) {
  auto start = std::chrono::steady_clock::now();
  state_->model = OnnxModel::load(model_file);
  state_->threads = resolve_thread_count(options.threads);
  set_openmp_threads_of_this_thread(state_->threads);
  state_->network_for(1);
  if (options.max_batch > 1) state_->network_for(options.max_batch);
  state_->load_milliseconds = milliseconds_since(start);
}

OnednnEngine::~OnednnEngine() = default;

std::string OnednnEngine::name() const { return state_->quantized ? "onednn-int8" : "onednn"; }

double OnednnEngine::load_milliseconds() const { return state_->load_milliseconds; }

int OnednnEngine::threads() const { return state_->threads; }

OnednnEngine::OperatorCounts OnednnEngine::operator_counts() const {
  const OnednnNetwork& network = state_->networks.at(1);
  return OperatorCounts{network.int8_operators, network.fp32_operators, network.conversions};
}

InferenceResult OnednnEngine::infer(const float* input, int batch) {
  if (batch < 1) throw invalid_argument("infer: batch must be at least 1");
  set_openmp_threads_of_this_thread(state_->threads);
  OnednnNetwork& network = state_->network_for(batch);
  try {
    state_->run(network, input);
  } catch (const dnnl::error& error) {
    throw internal_error(state_->model.file().string() + ": oneDNN failed to run (" + error.what() + ")");
  }
  InferenceResult result;
  result.batch = batch;
  result.classes = int(network.probabilities_size);
  result.embedding_size = int(network.embedding_size);
  auto copy = [batch](const dnnl::memory& memory, size_t size) {
    if (!memory || size == 0) return std::vector<float>();
    const float* values = static_cast<const float*>(memory.get_data_handle());
    return std::vector<float>(values, values + size * size_t(batch));
  };
  result.probabilities = copy(network.probabilities, network.probabilities_size);
  result.embedding = copy(network.embedding, network.embedding_size);
  return result;
}

std::vector<OnednnEngine::OperatorTime> OnednnEngine::operator_times(const float* input, int runs) {
  set_openmp_threads_of_this_thread(state_->threads);
  OnednnNetwork& network = state_->network_for(1);
  network.input.set_data_handle(const_cast<float*>(input));
  std::vector<std::vector<double>> samples(network.steps.size());
  for (int run = 0; run < std::max(1, runs); ++run) {
    for (size_t index = 0; index < network.steps.size(); ++index) {
      auto start = std::chrono::steady_clock::now();
      network.steps[index].primitive.execute(state_->stream, network.steps[index].arguments);
      state_->stream.wait();
      samples[index].push_back(milliseconds_since(start));
    }
  }
  std::vector<OperatorTime> times;
  for (size_t index = 0; index < network.steps.size(); ++index) {
    auto& values = samples[index];
    std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
    times.push_back({network.steps[index].label, network.steps[index].kernel, values[values.size() / 2]});
  }
  return times;
}

}  // namespace edgeloop
