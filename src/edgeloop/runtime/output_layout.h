// OutputLayout: which graph outputs of an ONNX model are the probabilities and the embedding.
// By name ("probabilities", "embedding", as export/ writes them); for any other ONNX file the first
// output is taken as the probabilities and the second, if any, as the embedding. Plain value.
#pragma once

#include <string>

#include "edgeloop/runtime/onnx_model.h"

namespace edgeloop {

struct OutputLayout {
  std::string probabilities;   // graph output name
  std::string embedding;       // graph output name; empty when the model has one output

  static OutputLayout of(const OnnxModel& model);
};

}  // namespace edgeloop
