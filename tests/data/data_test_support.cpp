#include "data_test_support.h"

#include <zlib.h>

#include <opencv2/imgcodecs.hpp>

#include "edgeloop/core/atomic_file.h"

namespace edgeloop::testing {

namespace {

void put_word(std::string& bytes, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) bytes.push_back(static_cast<char>((value >> shift) & 0xFF));
}

void write_maybe_gzipped(const std::filesystem::path& path, const std::string& bytes, bool gzip) {
  if (!gzip) {
    write_file_atomically(path, std::string_view(bytes));
    return;
  }
  gzFile file = gzopen((path.string() + ".gz").c_str(), "wb");
  gzwrite(file, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(file);
}

}  // namespace

ImportOptions named(const std::string& name) {
  ImportOptions options;
  options.name = name;
  options.threads = 2;
  return options;
}

cv::Mat seeded_image(int seed, int rows, int columns, int channels) {
  cv::Mat image(rows, columns, CV_8UC(channels));
  cv::RNG random(static_cast<uint64_t>(seed) * 7919 + 17);
  random.fill(image, cv::RNG::UNIFORM, 0, 256);
  return image;
}

void write_idx_pair(const std::filesystem::path& folder, const std::string& prefix, int count, int classes, bool gzip,
                    int first_seed, int rows, int columns) {
  std::filesystem::create_directories(folder);
  std::string images, labels;
  put_word(images, 0x00000803);
  put_word(images, count);
  put_word(images, rows);
  put_word(images, columns);
  put_word(labels, 0x00000801);
  put_word(labels, count);
  for (int index = 0; index < count; ++index) {
    const cv::Mat image = seeded_image(first_seed + index, rows, columns);
    images.append(reinterpret_cast<const char*>(image.data), image.total());
    labels.push_back(static_cast<char>(index % classes));
  }
  write_maybe_gzipped(folder / (prefix + "-images-idx3-ubyte"), images, gzip);
  write_maybe_gzipped(folder / (prefix + "-labels-idx1-ubyte"), labels, gzip);
}

void write_image(const std::filesystem::path& path, const cv::Mat& image) {
  std::filesystem::create_directories(path.parent_path());
  cv::imwrite(path.string(), image);
}

}  // namespace edgeloop::testing
