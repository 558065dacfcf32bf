// WireReader: protobuf's wire format read field by field, with no schema and no library, so that
// OnnxModel (runtime/onnx_model.h) reads ONNX files on the device without ONNX protobuf. Only
// what an ONNX file uses: varints, 32/64-bit fixed values, length-delimited fields (messages,
// strings, packed repeated numbers). A view over bytes the caller keeps alive; one thread.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace edgeloop {

enum class WireType { kVarint = 0, kFixed64 = 1, kLengthDelimited = 2, kFixed32 = 5 };

class WireReader {
 public:
  explicit WireReader(std::string_view bytes) : bytes_(bytes) {}

  // Moves to the next field; false at the end of the message. Throws Error(kCorrupt) on bytes
  // that are not protobuf (a truncated field, an unknown wire type).
  bool next();
  int field() const { return field_; }
  WireType type() const { return type_; }

  // The current field's value, by wire type; each throws Error(kCorrupt) on a type mismatch.
  uint64_t varint();
  std::string_view bytes();     // a message, a string or a packed repeated field
  float fixed32_float();
  void skip();                  // a field this reader does not use

  // A repeated numeric field, packed (one length-delimited run) or not (one value per field),
  // appended to `values`.
  void append_varints(std::vector<int64_t>& values);
  void append_floats(std::vector<float>& values);

 private:
  uint64_t read_varint();
  std::string_view take(size_t count);

  std::string_view bytes_;
  size_t position_ = 0;
  int field_ = 0;
  WireType type_ = WireType::kVarint;
};

}  // namespace edgeloop
