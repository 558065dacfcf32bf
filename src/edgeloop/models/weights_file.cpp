#include "edgeloop/models/weights_file.h"

#include <cstring>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {
constexpr size_t kHeaderLengthBytes = 8;   // u64 little endian
constexpr size_t kHeaderAlignment = 8;     // the JSON header is space-padded to this
constexpr const char* kFloat32 = "F32";
}  // namespace

int64_t element_count(const NamedTensor& tensor) {
  int64_t count = 1;
  for (int64_t dimension : tensor.shape) count *= dimension;
  return count;
}

void write_weights_file(const std::filesystem::path& path, const WeightMap& weights) {
  Json header = Json::object();
  size_t offset = 0;
  for (const auto& [name, tensor] : weights) {
    if (element_count(tensor) != static_cast<int64_t>(tensor.values.size())) {
      throw internal_error("weight " + name + " has a shape that does not match its values");
    }
    const size_t bytes = tensor.values.size() * sizeof(float);
    header[name] = Json{{"dtype", kFloat32}, {"shape", tensor.shape}, {"data_offsets", {offset, offset + bytes}}};
    offset += bytes;
  }
  header["__metadata__"] = Json{{"format", "pt"}, {"writer", "edgeloop"}};
  std::string header_text = header.dump();
  header_text.append((kHeaderAlignment - header_text.size() % kHeaderAlignment) % kHeaderAlignment, ' ');
  std::string file(kHeaderLengthBytes + header_text.size() + offset, '\0');
  uint64_t header_length = header_text.size();
  for (size_t byte = 0; byte < kHeaderLengthBytes; ++byte) file[byte] = static_cast<char>((header_length >> (8 * byte)) & 0xff);
  std::memcpy(file.data() + kHeaderLengthBytes, header_text.data(), header_text.size());
  char* data = file.data() + kHeaderLengthBytes + header_text.size();
  for (const auto& [name, tensor] : weights) {
    const auto& offsets = header[name]["data_offsets"];
    std::memcpy(data + offsets[0].get<size_t>(), tensor.values.data(), tensor.values.size() * sizeof(float));
  }
  write_file_atomically(path, std::string_view(file));
}

WeightMap read_weights_file(const std::filesystem::path& path) {
  if (!std::filesystem::exists(path)) throw not_found("weights file " + path.string() + " does not exist: retrain the model");
  const std::string file = read_file(path);
  const auto fail = [&](const std::string& why) {
    return corrupt("weights file " + path.string() + " is damaged (" + why + "): retrain or restore the model");
  };
  if (file.size() < kHeaderLengthBytes) throw fail("shorter than its header");
  uint64_t header_length = 0;
  for (size_t byte = 0; byte < kHeaderLengthBytes; ++byte) {
    header_length |= static_cast<uint64_t>(static_cast<uint8_t>(file[byte])) << (8 * byte);
  }
  if (header_length > file.size() - kHeaderLengthBytes) throw fail("header length past the end");
  const size_t data_start = kHeaderLengthBytes + header_length;
  const size_t data_size = file.size() - data_start;
  WeightMap weights;
  try {
    const Json header = Json::parse(file.substr(kHeaderLengthBytes, header_length));
    for (const auto& [name, entry] : header.items()) {
      if (name == "__metadata__") continue;
      if (entry.at("dtype").get<std::string>() != kFloat32) throw fail(name + " is not float32");
      NamedTensor tensor;
      tensor.shape = entry.at("shape").get<std::vector<int64_t>>();
      const size_t begin = entry.at("data_offsets").at(0).get<size_t>();
      const size_t end = entry.at("data_offsets").at(1).get<size_t>();
      const int64_t count = element_count(tensor);
      if (end < begin || end > data_size || (end - begin) != static_cast<size_t>(count) * sizeof(float)) {
        throw fail(name + " has data offsets outside the file");
      }
      tensor.values.resize(count);
      std::memcpy(tensor.values.data(), file.data() + data_start + begin, end - begin);
      weights.emplace(name, std::move(tensor));
    }
  } catch (const Json::exception& error) {
    throw fail(std::string("header: ") + error.what());
  }
  return weights;
}

}  // namespace edgeloop
