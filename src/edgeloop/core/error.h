// edgeloop::Error — the one exception type that ends a command.
//
// A failure that ends the operation throws Error: a code (mapped to the CLI's exit status) and a
// one-line message that names the file and says what to do. Outcomes a caller expects (a rejected
// image, an absent object, a broker that is down) are return values, not exceptions. Exceptions
// from LibTorch, OpenCV, SQLite and Paho are caught at the edge of the module that calls them and
// rethrown as Error. See docs/architecture.md.
#pragma once

#include <stdexcept>
#include <string>

namespace edgeloop {

enum class ErrorCode {
  kInvalidArgument = 2,   // the user's input is wrong: a flag, a file, a name
  kNotFound = 3,          // a dataset, model, workspace or file that does not exist
  kAlreadyExists = 4,     // refusing to overwrite (a name taken, a test set already used)
  kCorrupt = 5,           // stored data failed verification (hash mismatch, truncated file)
  kIo = 6,                // the filesystem failed (disk full, permission)
  kUnsupported = 7,       // a valid request this build cannot do (an ONNX op the engine lacks)
  kInternal = 70,         // a bug: please report it
};

class Error : public std::runtime_error {
 public:
  Error(ErrorCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ErrorCode code() const { return code_; }
  int exit_status() const { return static_cast<int>(code_); }

 private:
  ErrorCode code_;
};

// Short constructors for the common codes, so call sites read as the sentence they throw.
inline Error invalid_argument(const std::string& message) { return Error(ErrorCode::kInvalidArgument, message); }
inline Error not_found(const std::string& message) { return Error(ErrorCode::kNotFound, message); }
inline Error already_exists(const std::string& message) { return Error(ErrorCode::kAlreadyExists, message); }
inline Error corrupt(const std::string& message) { return Error(ErrorCode::kCorrupt, message); }
inline Error io_error(const std::string& message) { return Error(ErrorCode::kIo, message); }
inline Error unsupported(const std::string& message) { return Error(ErrorCode::kUnsupported, message); }
inline Error internal_error(const std::string& message) { return Error(ErrorCode::kInternal, message); }

}  // namespace edgeloop
