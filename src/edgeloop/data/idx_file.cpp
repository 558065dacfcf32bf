#include "edgeloop/data/idx_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <limits>
#include <memory>
#include <optional>
#include <string>

#include "edgeloop/core/error.h"
#include "edgeloop/core/image_probe.h"

namespace edgeloop {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr int64_t kImagesHeaderBytes = 16;  // magic, count, rows, columns
constexpr int64_t kLabelsHeaderBytes = 8;   // magic, count
// Deflate expands at most 1032:1 (RFC 1951's longest match per fewest bits), so a gzip file of N
// bytes cannot hold more than 1032 × N; a header declaring more is lying.
constexpr int64_t kMaxDeflateRatio = 1032;
constexpr int64_t kReadChunkBytes = int64_t{64} << 20;  // memory grows by this much as data arrives

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// gzread reads raw files unchanged, so one path serves .gz and plain IDX.
GzFile open_idx(const std::filesystem::path& path) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw not_found("IDX file " + path.string() + " is missing or not a regular file: check the path");
  }
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw not_found("cannot open IDX file " + path.string() + ": check the path");
  return file;
}

// The most payload bytes (after a header of `header_bytes`) the file at `path` can hold.
int64_t largest_possible_payload(const std::filesystem::path& path, int64_t header_bytes) {
  std::error_code error;
  const int64_t file_bytes = static_cast<int64_t>(std::filesystem::file_size(path, error));
  if (error) throw io_error("cannot read the size of IDX file " + path.string() + ": " + error.message());
  uint8_t magic[2] = {0, 0};
  if (FILE* raw = std::fopen(path.c_str(), "rb")) {
    if (std::fread(magic, 1, 2, raw) != 2) magic[0] = 0;
    std::fclose(raw);
  }
  const bool gzipped = magic[0] == 0x1f && magic[1] == 0x8b;
  return gzipped ? file_bytes * kMaxDeflateRatio : std::max<int64_t>(0, file_bytes - header_bytes);
}

// Reads up to `size` bytes; returns how many were read (fewer at the end of a truncated file).
int64_t read_up_to(gzFile_s* file, uint8_t* destination, int64_t size, const std::filesystem::path& path) {
  int64_t total = 0;
  while (total < size) {
    const int result = gzread(file, destination + total, static_cast<unsigned>(std::min(kReadChunkBytes, size - total)));
    if (result < 0) {
      int code = 0;
      const std::string message = gzerror(file, &code);
      if (code == Z_BUF_ERROR) break;  // the gzip stream ends early: a truncated file, counted by the caller
      throw corrupt("IDX file " + path.string() + " is damaged (" + message + "): download it again");
    }
    if (result == 0) break;
    total += result;
  }
  return total;
}

// Reads up to `size` bytes into a vector that grows chunk by chunk, so memory follows the data
// actually present rather than the size a header claims.
std::vector<uint8_t> read_payload(gzFile_s* file, int64_t size, const std::filesystem::path& path) {
  std::vector<uint8_t> payload;
  while (static_cast<int64_t>(payload.size()) < size) {
    const int64_t before = static_cast<int64_t>(payload.size());
    const int64_t wanted = std::min(kReadChunkBytes, size - before);
    payload.resize(static_cast<size_t>(before + wanted));
    const int64_t read = read_up_to(file, payload.data() + before, wanted, path);
    payload.resize(static_cast<size_t>(before + read));
    if (read < wanted) break;
  }
  return payload;
}

uint32_t read_header_word(gzFile_s* file, const std::filesystem::path& path) {
  uint8_t bytes[4];
  if (read_up_to(file, bytes, 4, path) != 4) {
    throw corrupt("IDX file " + path.string() + " ends inside its header: it is truncated; download it again");
  }
  return (uint32_t{bytes[0]} << 24) | (uint32_t{bytes[1]} << 16) | (uint32_t{bytes[2]} << 8) | bytes[3];
}

void check_magic(uint32_t magic, uint32_t expected, const std::filesystem::path& path, const std::string& kind) {
  if (magic != expected) {
    char text[16];
    std::snprintf(text, sizeof text, "0x%08x", magic);
    throw corrupt("IDX file " + path.string() + " is not an IDX " + kind + " file (magic " + text +
                  "): pass the matching *-" + kind + "-idx file");
  }
}

Error truncated(const std::filesystem::path& path, int64_t held, int64_t declared, const std::string& noun) {
  return corrupt("IDX file " + path.string() + " is truncated: it holds " + std::to_string(held) + " of the " +
                 std::to_string(declared) + " " + noun + " its header declares; download it again");
}

}  // namespace

IdxImages read_idx_images(const std::filesystem::path& path, double max_megapixels) {
  GzFile file = open_idx(path);
  check_magic(read_header_word(file.get(), path), kImagesMagic, path, "images");
  IdxImages images;
  images.count = read_header_word(file.get(), path);
  const int64_t rows = read_header_word(file.get(), path);
  const int64_t columns = read_header_word(file.get(), path);
  if (std::optional<std::string> too_large = pixel_limit_violation(columns, rows, max_megapixels)) {
    throw invalid_argument("IDX file " + path.string() + " declares images that are too large: " + *too_large +
                           " (--max-megapixels); raise --max-megapixels if the file is genuine");
  }
  images.rows = static_cast<int>(rows);
  images.columns = static_cast<int>(columns);
  const int64_t image_bytes = rows * columns;  // ≤ max_megapixels × 10^6, checked above
  const int64_t possible = largest_possible_payload(path, kImagesHeaderBytes) / image_bytes;
  if (images.count > possible || images.count > std::numeric_limits<int>::max()) {
    throw truncated(path, std::min(possible, images.count), images.count, "images");
  }
  images.pixels = read_payload(file.get(), images.count * image_bytes, path);
  if (static_cast<int64_t>(images.pixels.size()) != images.count * image_bytes) {
    throw truncated(path, static_cast<int64_t>(images.pixels.size()) / image_bytes, images.count, "images");
  }
  return images;
}

std::vector<uint8_t> read_idx_labels(const std::filesystem::path& path) {
  GzFile file = open_idx(path);
  check_magic(read_header_word(file.get(), path), kLabelsMagic, path, "labels");
  const int64_t count = read_header_word(file.get(), path);
  const int64_t possible = largest_possible_payload(path, kLabelsHeaderBytes);
  if (count > possible) throw truncated(path, possible, count, "labels");
  std::vector<uint8_t> labels = read_payload(file.get(), count, path);
  if (static_cast<int64_t>(labels.size()) != count) throw truncated(path, static_cast<int64_t>(labels.size()), count, "labels");
  return labels;
}

}  // namespace edgeloop
