// A small tmpfs mounted on a temporary folder for the test's lifetime, to fill a disk for real
// (ENOSPC from the kernel, not from a fake). Needs the right to mount (root in a container that
// allows it); `mounted()` is false otherwise and the test skips, saying why. Header-only.
#pragma once

#include <sys/mount.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/temp_dir.h"

namespace edgeloop::testing {

class SmallTmpfs {
 public:
  explicit SmallTmpfs(size_t bytes) {
    const std::string options = "size=" + std::to_string(bytes);
    if (::mount("tmpfs", dir_.path().c_str(), "tmpfs", 0, options.c_str()) == 0) {
      mounted_ = true;
    } else {
      why_not_ = std::string("cannot mount a tmpfs here (") + std::strerror(errno) + "): run as root where mount is permitted";
    }
  }
  ~SmallTmpfs() {
    if (mounted_) ::umount2(dir_.path().c_str(), MNT_DETACH);
  }
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& why_not() const { return why_not_; }
  const std::filesystem::path& path() const { return dir_.path(); }
  std::filesystem::path operator/(const std::filesystem::path& relative) const { return dir_.path() / relative; }

  // Writes a ballast file until the filesystem is full (the last write fails with ENOSPC).
  void fill() const {
    std::ofstream ballast(dir_.path() / "ballast", std::ios::binary);
    const std::vector<char> block(4096, 'x');
    while (ballast.write(block.data(), static_cast<std::streamsize>(block.size()))) ballast.flush();
  }

 private:
  TempDir dir_;
  bool mounted_ = false;
  std::string why_not_;
};

}  // namespace edgeloop::testing
