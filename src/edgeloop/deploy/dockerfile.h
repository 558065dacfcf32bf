// The module image's Dockerfile: multi-stage on debian:bookworm-slim. The build stage installs the
// build packages (a subset of scripts/install-deps.sh, checked by a test), builds only the
// edgeloop-edge target and collects the shared libraries it loads that the base image lacks; the
// runtime stage gets edgeloop-edge, those libraries (never LibTorch) and the bundle. Build: see the README.txt that deploy_writer.h writes beside it.
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

// Debian packages the build stage installs (every one is also in scripts/install-deps.sh), and
// those it installs only for kOnednnArchitecture.
const std::vector<std::string>& image_build_packages();
const std::vector<std::string>& image_onednn_build_packages();
// Debian packages the runtime stage installs: none of edgeloop-edge's libraries (those come from
// the build stage through scripts/runtime-libraries.sh, without the packages' Depends), only what
// the binary reads besides them.
const std::vector<std::string>& image_runtime_packages();
// Where the runtime stage keeps the libraries the build stage collected (an ld.so.conf.d entry).
constexpr const char* kContainerLibraryDir = "/usr/local/lib/edgeloop";

// The Dockerfile's text.
std::string build_dockerfile(const DeployOptions& options);

}  // namespace edgeloop
