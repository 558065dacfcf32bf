#include "edgeloop/runtime/output_layout.h"

#include "edgeloop/core/error.h"

namespace edgeloop {

constexpr const char* kProbabilitiesOutput = "probabilities";
constexpr const char* kEmbeddingOutput = "embedding";

OutputLayout OutputLayout::of(const OnnxModel& model) {
  const auto& outputs = model.output_names();
  if (outputs.empty()) throw corrupt(model.file().string() + ": the graph has no output; re-export it");
  OutputLayout layout;
  if (model.is_output(kProbabilitiesOutput)) {
    layout.probabilities = kProbabilitiesOutput;
    if (model.is_output(kEmbeddingOutput)) layout.embedding = kEmbeddingOutput;
    return layout;
  }
  layout.probabilities = outputs[0];
  if (outputs.size() > 1) layout.embedding = outputs[1];
  return layout;
}

}  // namespace edgeloop
