#include "edgeloop/core/image_pack.h"

#include <fstream>

#include "edgeloop/core/atomic_file.h"
#include "edgeloop/core/config.h"
#include "edgeloop/core/error.h"
#include "edgeloop/core/hash.h"

namespace edgeloop {
namespace {

constexpr std::string_view kMagicLine = "EDGELOOP-IMAGE-PACK 1\n";
constexpr std::string_view kTrailerPrefix = "sha256 ";
constexpr size_t kSha256HexDigits = 64;
constexpr size_t kTrailerBytes = kTrailerPrefix.size() + kSha256HexDigits + 1;   // with the newline
constexpr size_t kLengthBytes = 4;   // uint32, little-endian

void append_length(std::string& bytes, uint32_t length) {
  for (size_t index = 0; index < kLengthBytes; ++index) bytes.push_back(static_cast<char>((length >> (8 * index)) & 0xff));
}

uint32_t read_length(std::string_view bytes) {
  uint32_t length = 0;
  for (size_t index = 0; index < kLengthBytes; ++index) length |= uint32_t(static_cast<unsigned char>(bytes[index])) << (8 * index);
  return length;
}

}  // namespace

bool ImagePack::looks_like_pack(const std::filesystem::path& file) {
  std::ifstream stream(file, std::ios::binary);
  std::string start(kMagicLine.size(), '\0');
  return stream.read(start.data(), static_cast<std::streamsize>(start.size())) && start == kMagicLine;
}

ImagePack ImagePack::open(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) throw not_found(file.string() + ": no such image pack");
  const std::string fix = ": write it again with `edgeloop data export NAME[:SPLIT] --out " + file.string() + "`";
  ImagePack pack;
  pack.bytes_ = read_file(file);
  const std::string_view bytes = pack.bytes_;
  if (bytes.substr(0, kMagicLine.size()) != kMagicLine) throw corrupt(file.string() + ": not an edgeloop image pack" + fix);
  if (bytes.size() < kMagicLine.size() + kTrailerBytes) throw corrupt(file.string() + ": truncated image pack" + fix);
  const std::string_view body = bytes.substr(0, bytes.size() - kTrailerBytes);
  const std::string_view trailer = bytes.substr(body.size());
  if (trailer.substr(0, kTrailerPrefix.size()) != kTrailerPrefix ||
      trailer.substr(kTrailerPrefix.size(), kSha256HexDigits) != sha256_hex(body)) {
    throw corrupt(file.string() + ": sha256 mismatch (the file is truncated or altered)" + fix);
  }
  size_t position = kMagicLine.size();
  const size_t header_end = body.find('\n', position);
  if (header_end == std::string_view::npos) throw corrupt(file.string() + ": image pack without its header line" + fix);
  size_t expected = 0;
  try {
    const Json header = Json::parse(body.substr(position, header_end - position));
    pack.source_ = header.at("source").get<std::string>();
    expected = header.at("images").get<size_t>();
    if (header.contains("labels")) pack.labels_ = header.at("labels").get<std::vector<std::string>>();
  } catch (const Json::exception& parse_error) {
    throw corrupt(file.string() + ": image pack header is not valid (" + parse_error.what() + ")" + fix);
  }
  position = header_end + 1;
  while (position < body.size()) {
    if (body.size() - position < kLengthBytes) throw corrupt(file.string() + ": image pack entry cut short" + fix);
    const uint32_t length = read_length(body.substr(position, kLengthBytes));
    position += kLengthBytes;
    if (body.size() - position < length) throw corrupt(file.string() + ": image pack entry cut short" + fix);
    pack.images_.push_back(body.substr(position, length));
    position += length;
  }
  if (!pack.labels_.empty() && pack.labels_.size() != expected) {
    throw corrupt(file.string() + ": image pack header lists " + std::to_string(pack.labels_.size()) + " labels for " +
                  std::to_string(expected) + " images" + fix);
  }
  if (pack.images_.size() != expected) {
    throw corrupt(file.string() + ": image pack holds " + std::to_string(pack.images_.size()) + " images, its header says " +
                  std::to_string(expected) + fix);
  }
  return pack;
}

void write_image_pack(const std::filesystem::path& file, const std::string& source,
                      const std::vector<std::string>& encoded_images, const std::vector<std::string>& labels) {
  if (!labels.empty() && labels.size() != encoded_images.size()) {
    throw internal_error(file.string() + ": " + std::to_string(labels.size()) + " labels for " + std::to_string(encoded_images.size()) +
                         " images");
  }
  std::string bytes(kMagicLine);
  Json header{{"source", source}, {"images", encoded_images.size()}};
  if (!labels.empty()) header["labels"] = labels;
  bytes += header.dump() + "\n";
  for (const std::string& image : encoded_images) {
    if (image.size() > UINT32_MAX) throw invalid_argument(file.string() + ": an image over 4 GB cannot be packed");
    append_length(bytes, static_cast<uint32_t>(image.size()));
    bytes += image;
  }
  bytes += std::string(kTrailerPrefix) + sha256_hex(std::string_view(bytes)) + "\n";
  write_file_atomically(file, bytes);
}

}  // namespace edgeloop
