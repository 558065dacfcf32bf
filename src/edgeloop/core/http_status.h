// The HTTP status an edgeloop::Error's code becomes in the local HTTP APIs (the device's and the
// labelling page's), so both answer the same way. Header-only; thread-safe.
#pragma once

#include "edgeloop/core/error.h"

namespace edgeloop {

inline int http_status_for(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return 400;
    case ErrorCode::kNotFound: return 404;
    case ErrorCode::kAlreadyExists: return 409;
    case ErrorCode::kCorrupt: return 422;
    case ErrorCode::kUnsupported: return 501;
    default: return 500;
  }
}

}  // namespace edgeloop
