#include "edgeloop/runtime/onnx_wire_format.h"

#include <cstring>

#include "edgeloop/core/error.h"

namespace edgeloop {
namespace {

constexpr int kVarintMaxBytes = 10;
constexpr uint64_t kVarintPayloadMask = 0x7f;
constexpr uint64_t kVarintContinues = 0x80;
constexpr int kFieldNumberShift = 3;
constexpr uint64_t kWireTypeMask = 0x7;

}  // namespace

uint64_t WireReader::read_varint() {
  uint64_t value = 0;
  for (int index = 0; index < kVarintMaxBytes; ++index) {
    if (position_ >= bytes_.size()) throw corrupt("protobuf varint runs past the end of its message");
    const uint64_t byte = static_cast<unsigned char>(bytes_[position_++]);
    value |= (byte & kVarintPayloadMask) << (7 * index);
    if (!(byte & kVarintContinues)) return value;
  }
  throw corrupt("protobuf varint longer than 10 bytes");
}

std::string_view WireReader::take(size_t count) {
  if (count > bytes_.size() - position_) throw corrupt("protobuf field runs past the end of its message");
  std::string_view taken = bytes_.substr(position_, count);
  position_ += count;
  return taken;
}

bool WireReader::next() {
  if (position_ >= bytes_.size()) return false;
  const uint64_t key = read_varint();
  field_ = static_cast<int>(key >> kFieldNumberShift);
  const uint64_t type = key & kWireTypeMask;
  if (type != 0 && type != 1 && type != 2 && type != 5) {
    throw corrupt("protobuf wire type " + std::to_string(type) + " in field " + std::to_string(field_));
  }
  type_ = static_cast<WireType>(type);
  return true;
}

uint64_t WireReader::varint() {
  if (type_ != WireType::kVarint) throw corrupt("protobuf field " + std::to_string(field_) + " is not a varint");
  return read_varint();
}

std::string_view WireReader::bytes() {
  if (type_ != WireType::kLengthDelimited) {
    throw corrupt("protobuf field " + std::to_string(field_) + " is not length-delimited");
  }
  return take(static_cast<size_t>(read_varint()));
}

float WireReader::fixed32_float() {
  if (type_ != WireType::kFixed32) throw corrupt("protobuf field " + std::to_string(field_) + " is not a 32-bit value");
  float value = 0.0f;
  std::memcpy(&value, take(sizeof value).data(), sizeof value);
  return value;
}

void WireReader::skip() {
  switch (type_) {
    case WireType::kVarint: read_varint(); break;
    case WireType::kFixed64: take(8); break;
    case WireType::kLengthDelimited: take(static_cast<size_t>(read_varint())); break;
    case WireType::kFixed32: take(4); break;
  }
}

void WireReader::append_varints(std::vector<int64_t>& values) {
  if (type_ == WireType::kVarint) {
    values.push_back(static_cast<int64_t>(read_varint()));
    return;
  }
  WireReader packed(bytes());
  while (packed.position_ < packed.bytes_.size()) values.push_back(static_cast<int64_t>(packed.read_varint()));
}

void WireReader::append_floats(std::vector<float>& values) {
  if (type_ == WireType::kFixed32) {
    values.push_back(fixed32_float());
    return;
  }
  const std::string_view packed = bytes();
  if (packed.size() % sizeof(float) != 0) throw corrupt("packed float field of " + std::to_string(packed.size()) + " bytes");
  if (packed.empty()) return;   // memcpy from an empty view's null pointer is undefined
  const size_t first = values.size();
  values.resize(first + packed.size() / sizeof(float));
  std::memcpy(values.data() + first, packed.data(), packed.size());
}

}  // namespace edgeloop
