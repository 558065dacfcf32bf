// The device's protobuf reader (runtime/onnx_wire_format.h): repeated numbers packed or not,
// nested messages, and refusal of bytes that are not protobuf.
#include <gtest/gtest.h>

#include <cstring>

#include "edgeloop/core/error.h"
#include "edgeloop/runtime/onnx_wire_format.h"

namespace edgeloop {
namespace {

std::string varint(uint64_t value) {
  std::string bytes;
  do {
    uint8_t byte = value & 0x7f;
    value >>= 7;
    if (value) byte |= 0x80;
    bytes.push_back(static_cast<char>(byte));
  } while (value);
  return bytes;
}
std::string key(int field, WireType type) { return varint((uint64_t(field) << 3) | uint64_t(type)); }
std::string length_delimited(int field, const std::string& payload) {
  return key(field, WireType::kLengthDelimited) + varint(payload.size()) + payload;
}

TEST(WireReader, reads_repeated_integers_packed_and_one_per_field_alike) {
  const std::string message = key(1, WireType::kVarint) + varint(3) + key(1, WireType::kVarint) + varint(300) +
                              length_delimited(1, varint(7) + varint(uint64_t(-2)));
  std::vector<int64_t> values;
  WireReader reader(message);
  while (reader.next()) reader.append_varints(values);
  EXPECT_EQ(values, (std::vector<int64_t>{3, 300, 7, -2}));
}

TEST(WireReader, reads_floats_nested_messages_and_skips_unknown_fields) {
  float pi = 3.5f, two[2] = {1.25f, -2.0f};
  std::string fixed(4, '\0'), packed(8, '\0');
  std::memcpy(fixed.data(), &pi, 4);
  std::memcpy(packed.data(), two, 8);
  const std::string inner = length_delimited(4, "Conv");
  const std::string message = key(9, WireType::kFixed64) + std::string(8, 'x') + key(2, WireType::kFixed32) + fixed +
                              length_delimited(7, packed) + length_delimited(5, inner);
  std::vector<float> floats;
  std::string op_type;
  WireReader reader(message);
  while (reader.next()) {
    if (reader.field() == 2 || reader.field() == 7) {
      reader.append_floats(floats);
    } else if (reader.field() == 5) {
      WireReader nested(reader.bytes());
      while (nested.next()) op_type = std::string(nested.bytes());
    } else {
      reader.skip();
    }
  }
  EXPECT_EQ(floats, (std::vector<float>{3.5f, 1.25f, -2.0f}));
  EXPECT_EQ(op_type, "Conv");
}

TEST(WireReader, refuses_a_field_cut_short_and_an_unknown_wire_type) {
  const std::string cut = key(1, WireType::kLengthDelimited) + varint(10) + "abc";
  WireReader reader(cut);
  ASSERT_TRUE(reader.next());
  EXPECT_THROW(reader.bytes(), Error);
  const std::string start_group(1, static_cast<char>((1 << 3) | 3));   // wire type 3: start group
  WireReader bad(start_group);   // the reader keeps a view: the bytes must outlive it
  EXPECT_THROW(bad.next(), Error);
}

}  // namespace
}  // namespace edgeloop
