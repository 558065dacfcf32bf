// The module image's Dockerfile: multi-stage on debian:bookworm-slim. The build stage installs the
// build packages (a subset of scripts/install-deps.sh, checked by a test) and builds only the
// edgeloop-edge target; the runtime stage gets edgeloop-edge, the shared libraries it links (never
// LibTorch) and the bundle. Build: see the README.txt that deploy_writer.h writes beside it.
// Called by deploy_writer.h. Pure functions; thread-safe.
#pragma once

#include <string>
#include <vector>

#include "edgeloop/deploy/deploy_options.h"

namespace edgeloop {

constexpr const char* kBaseImage = "debian:bookworm-slim";
// The Docker TARGETARCH that gets the onednn engines (libdnnl, x86's int8 with VNNI); every other
// architecture (arm64) builds edgeloop-edge without them and runs XNNPACK.
constexpr const char* kOnednnArchitecture = "amd64";
// BuildKit named build context holding the bundle (`--build-context bundle=DIR`).
constexpr const char* kBundleBuildContext = "bundle";

// A Debian runtime library the device binary needs, and the -dev package in
// scripts/install-deps.sh that brings it on a build machine.
struct RuntimePackage {
  std::string name;          // e.g. libopencv-core406
  std::string dev_package;   // e.g. libopencv-dev
  std::string architecture;  // Docker TARGETARCH it is installed for ("amd64"); empty: every one
};

// Debian packages the build stage installs (every one is also in scripts/install-deps.sh), and
// those it installs only for kOnednnArchitecture.
const std::vector<std::string>& image_build_packages();
const std::vector<std::string>& image_onednn_build_packages();
// Debian packages the runtime stage installs: what edgeloop-edge links, nothing more.
const std::vector<RuntimePackage>& image_runtime_packages();

// The Dockerfile's text.
std::string build_dockerfile(const DeployOptions& options);

}  // namespace edgeloop
