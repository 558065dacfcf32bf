// Content hashing: sha256 as lowercase hex, used for object ids, dataset version ids, bundle
// file checksums and preprocessing-spec hashes. Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>

namespace edgeloop {

// Incremental sha256 for data that arrives in pieces.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::span<const uint8_t> bytes);
  void update(std::string_view text);
  std::string hex_digest();  // finishes the hash; call once

 private:
  void* context_;  // EVP_MD_CTX, hidden so OpenSSL's headers stay out of this one
};

std::string sha256_hex(std::span<const uint8_t> bytes);
std::string sha256_hex(std::string_view text);
// Streams the file; throws Error(kIo) naming the file when it cannot be read.
std::string sha256_file(const std::filesystem::path& path);

}  // namespace edgeloop
