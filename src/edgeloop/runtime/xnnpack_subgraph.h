// XNNPACK subgraph from an OnnxModel: maps each ONNX node onto XNNPACK subgraph nodes in NHWC,
// fp32 or int8 (QDQ: qint8 activations, qcint8 per-channel weights, qcint32 biases), for one
// batch size (XNNPACK shapes are static). Refuses a node it cannot map with the op's name.
// Used by xnnpack_engine.cpp only. Not thread-safe; the engine builds under its own lock.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <xnnpack.h>

#include "edgeloop/runtime/onnx_model.h"

namespace edgeloop {

// Repacked weights (NHWC filters, permuted fully-connected columns, int32 biases), made once per
// engine and shared by the runtimes of every batch size. XNNPACK reads them while a runtime lives.
class XnnpackWeightStore {
 public:
  // The bytes kept under `key`; on first use they come from `make` and are kept, with
  // XNN_EXTRA_BYTES of slack, for the life of the store (XNNPACK reads them at every run).
  const void* find_or_keep(const std::string& key, const std::function<std::vector<uint8_t>()>& make);
  size_t bytes() const { return bytes_; }

 private:
  std::map<std::string, std::vector<uint8_t>> blobs_;
  size_t bytes_ = 0;
};

// External value ids of every built subgraph.
constexpr uint32_t kXnnpackInputId = 0;
constexpr uint32_t kXnnpackProbabilitiesId = 1;
constexpr uint32_t kXnnpackEmbeddingId = 2;
constexpr uint32_t kXnnpackExternalValues = 3;

struct XnnpackSubgraph {
  xnn_subgraph_t subgraph = nullptr;       // caller deletes with xnn_delete_subgraph
  size_t input_size = 0;                   // floats per image: H*W*C
  size_t probabilities_size = 0;           // floats per image
  size_t embedding_size = 0;               // floats per image; 0 when the model has no embedding
  // ONNX feature i of the embedding is XNNPACK feature embedding_order[i] (an NCHW flatten read
  // in NHWC); empty when the orders agree. Same for probabilities.
  std::vector<size_t> embedding_order;
  std::vector<size_t> probabilities_order;
  bool quantized = false;                  // at least one int8 operator
  int int8_operators = 0;                  // convolutions, fully connected, adds, pools run in int8
  int fp32_operators = 0;                  // the same run in fp32
  int converts = 0;                        // int8 ↔ fp32 conversions between them
};

// Throws Error(kUnsupported) "<file>: node '<name>' op <Op> ..." for a node it cannot map.
XnnpackSubgraph build_xnnpack_subgraph(const OnnxModel& model, int batch, XnnpackWeightStore& weights);

}  // namespace edgeloop
