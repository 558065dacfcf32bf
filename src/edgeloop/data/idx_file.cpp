#include "edgeloop/data/idx_file.h"

#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <string>

#include "edgeloop/core/error.h"

namespace edgeloop {

namespace {

constexpr uint32_t kImagesMagic = 0x00000803;
constexpr uint32_t kLabelsMagic = 0x00000801;
constexpr int64_t kMaxImageSide = 1 << 16;  // pixels; anything larger is a damaged header

struct GzCloser {
  void operator()(gzFile_s* file) const { gzclose(file); }
};
using GzFile = std::unique_ptr<gzFile_s, GzCloser>;

// gzread reads raw files unchanged, so one path serves .gz and plain IDX.
GzFile open_idx(const std::filesystem::path& path) {
  GzFile file(gzopen(path.c_str(), "rb"));
  if (!file) throw not_found("cannot open IDX file " + path.string() + ": check the path");
  return file;
}

// Reads up to `size` bytes; returns how many were read (fewer at the end of a truncated file).
int64_t read_up_to(gzFile_s* file, uint8_t* destination, int64_t size, const std::filesystem::path& path) {
  constexpr int64_t kChunk = 1 << 30;
  int64_t total = 0;
  while (total < size) {
    const int result = gzread(file, destination + total, static_cast<unsigned>(std::min(kChunk, size - total)));
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

}  // namespace

IdxImages read_idx_images(const std::filesystem::path& path) {
  GzFile file = open_idx(path);
  check_magic(read_header_word(file.get(), path), kImagesMagic, path, "images");
  IdxImages images;
  images.count = read_header_word(file.get(), path);
  images.rows = static_cast<int>(read_header_word(file.get(), path));
  images.columns = static_cast<int>(read_header_word(file.get(), path));
  if (images.rows <= 0 || images.columns <= 0 || images.rows > kMaxImageSide || images.columns > kMaxImageSide) {
    throw corrupt("IDX file " + path.string() + " declares images of " + std::to_string(images.rows) + "x" +
                  std::to_string(images.columns) + " pixels: the header is damaged");
  }
  const int64_t image_bytes = int64_t{images.rows} * images.columns;
  images.pixels.resize(static_cast<size_t>(images.count * image_bytes));
  const int64_t read = read_up_to(file.get(), images.pixels.data(), static_cast<int64_t>(images.pixels.size()), path);
  if (read != static_cast<int64_t>(images.pixels.size())) {
    throw corrupt("IDX file " + path.string() + " is truncated: it holds " + std::to_string(read / image_bytes) + " of the " +
                  std::to_string(images.count) + " images its header declares; download it again");
  }
  return images;
}

std::vector<uint8_t> read_idx_labels(const std::filesystem::path& path) {
  GzFile file = open_idx(path);
  check_magic(read_header_word(file.get(), path), kLabelsMagic, path, "labels");
  const int64_t count = read_header_word(file.get(), path);
  std::vector<uint8_t> labels(static_cast<size_t>(count));
  const int64_t read = read_up_to(file.get(), labels.data(), count, path);
  if (read != count) {
    throw corrupt("IDX file " + path.string() + " is truncated: it holds " + std::to_string(read) + " of the " +
                  std::to_string(count) + " labels its header declares; download it again");
  }
  return labels;
}

}  // namespace edgeloop
