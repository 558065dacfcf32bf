// ModelProbe: what a device-side measurement says about a trained model — the engine that ran it,
// its single-image latency and the size of the file the device loads. runtime/model_latency.h
// measures it; the sweep (train/, which cannot link the engines) receives it through a callback.
// Plain value.
#pragma once

#include <cstdint>
#include <string>

namespace edgeloop {

struct ModelProbe {
  std::string engine;                  // xnnpack, classic, torch
  double latency_ms = 0;               // median single-image inference, 1 thread
  int64_t file_bytes = 0;              // the model file the device would load (ONNX fp32, or the classic file)
};

}  // namespace edgeloop
