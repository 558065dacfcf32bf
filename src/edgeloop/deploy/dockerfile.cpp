#include "edgeloop/deploy/dockerfile.h"

#include <sstream>


namespace edgeloop {

namespace {

// One `apt-get install` step with its list cleaned up afterwards, packages one per line.
std::string apt_install_step(const std::vector<std::string>& packages) {
  std::ostringstream step;
  step << "RUN apt-get update \\\n"
       << " && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\\n";
  for (const std::string& package : packages) step << "      " << package << " \\\n";
  step << " && rm -rf /var/lib/apt/lists/*\n";
  return step.str();
}

// The same, run only when the image is built for `architecture` (Docker's TARGETARCH).
std::string apt_install_step_for(const std::string& architecture, const std::vector<std::string>& packages) {
  std::ostringstream step;
  step << "RUN if [ \"$TARGETARCH\" = \"" << architecture << "\" ]; then \\\n"
       << "      apt-get update \\\n"
       << "      && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \\\n";
  for (const std::string& package : packages) step << "        " << package << " \\\n";
  step << "      && rm -rf /var/lib/apt/lists/*; \\\n"
       << "    fi\n";
  return step.str();
}

}  // namespace

const std::vector<std::string>& image_onednn_build_packages() {
  static const std::vector<std::string> packages = {"libdnnl-dev"};
  return packages;
}

const std::vector<std::string>& image_build_packages() {
  // The CMake configure step finds every dependency of the project (including LibTorch and
  // GoogleTest), so the build stage needs all the library packages; only the binary leaves it.
  static const std::vector<std::string> packages = {
      "build-essential", "cmake", "ninja-build", "pkg-config",
      "libtorch-dev", "libopenblas0-pthread",
      // The reference BLAS and LAPACK, which scripts/runtime-libraries.sh gives the device instead
      // of OpenBLAS (35 MB it has no use for).
      "libblas3", "liblapack3",
      "libopencv-dev",
      "libxnnpack-dev", "libpthreadpool-dev",
      "libonnx-dev", "libprotobuf-dev", "protobuf-compiler",
      "libsqlitecpp-dev", "libsqlite3-dev",
      "libyaml-cpp-dev", "nlohmann-json3-dev", "libcli11-dev", "libspdlog-dev", "libfmt-dev",
      "libpaho-mqttpp-dev", "libpaho-mqtt-dev",
      "libcpp-httplib-dev", "libssl-dev", "zlib1g-dev",
      "libgtest-dev", "libgmock-dev"};
  return packages;
}

const std::vector<std::string>& image_runtime_packages() {
  // MQTT over TLS reads the CA certificates; every library comes from the build stage.
  static const std::vector<std::string> packages = {"ca-certificates"};
  return packages;
}

std::string build_dockerfile(const DeployOptions& options) {
  std::ostringstream file;
  file << "# syntax=docker/dockerfile:1\n"
       << "# The edgeloop-edge module image for device '" << options.device << "', written by `edgeloop deploy`.\n"
       << "# Build from the edgeloop source tree with the bundle as a named context (see README.txt):\n"
       << "#   docker build -f Dockerfile --build-context " << kBundleBuildContext << "=bundle -t " << options.image
       << " SOURCE_DIR\n"
       << "# Build stage: the packages of scripts/install-deps.sh that compiling needs; only the binary leaves it.\n"
       << "# oneDNN (the onednn engines, x86 int8 with VNNI) only for " << kOnednnArchitecture
       << "; other architectures run XNNPACK.\n"
       << "FROM " << kBaseImage << " AS build\n"
       << "ARG TARGETARCH\n"
       << "# What the base image has, before anything is installed: the runtime stage starts from it too.\n"
       << "RUN dpkg-query -W -f='${Package}\\n' > /base-packages.txt\n"
       << apt_install_step(image_build_packages())
       << apt_install_step_for(kOnednnArchitecture, image_onednn_build_packages())
       << "WORKDIR /src\n"
       << "COPY . /src\n"
       << "RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDGELOOP_BUILD_TESTS=OFF"
          " -DEDGELOOP_BUILD_BENCH=OFF \\\n"
       << "      -DEDGELOOP_WITH_ONEDNN=\"$(if [ \"$TARGETARCH\" = \"" << kOnednnArchitecture
       << "\" ]; then echo ON; else echo OFF; fi)\" \\\n"
       << " && cmake --build build --target edgeloop-edge \\\n"
       << " && install -D -m 0755 \"$(find build -type f -name edgeloop-edge -perm -u+x | head -n 1)\" /out/edgeloop-edge \\\n"
       << " && sh scripts/runtime-libraries.sh /out/edgeloop-edge /out/lib /base-packages.txt\n"
       << "\n"
       << "# Runtime stage: edgeloop-edge, the shared libraries it loads that the base lacks (copied, not\n"
       << "# apt-installed: the packages' Depends bring GL drivers, LLVM and GIS data it never loads; no\n"
       << "# LibTorch) and the bundle.\n"
       << "FROM " << kBaseImage << "\n"
       << apt_install_step(image_runtime_packages())
       << "COPY --from=build /out/lib/ " << kContainerLibraryDir << "/\n"
       << "RUN echo " << kContainerLibraryDir << " > /etc/ld.so.conf.d/edgeloop.conf \\\n"
       << " && ldconfig \\\n"
       << " && useradd --system --no-create-home --groups video edgeloop \\\n"
       << " && mkdir -p " << kContainerCapturesDir << " \\\n"
       << " && chown edgeloop " << kContainerCapturesDir << "\n"
       << "COPY --from=build /out/edgeloop-edge " << kContainerBinary << "\n"
       << "COPY --from=" << kBundleBuildContext << " . " << kContainerBundleDir << "\n"
       << "ENV EDGELOOP_BUNDLE=" << kContainerBundleDir << " \\\n"
       << "    EDGELOOP_SOURCE=" << options.camera << " \\\n"
       << "    EDGELOOP_MQTT_BROKER=" << mqtt_broker_url(options) << " \\\n"
       << "    EDGELOOP_HTTP_PORT=" << options.http_port << " \\\n"
       << "    EDGELOOP_CAPTURE_DIR=" << kContainerCapturesDir << "\n"
       << "VOLUME " << kContainerCapturesDir << "\n"
       << "EXPOSE " << options.http_port << "\n"
       << "USER edgeloop\n"
       << "ENTRYPOINT [\"" << kContainerBinary << "\"]\n"
       << "# Settings come from the EDGELOOP_* environment (overridden by IoT Edge or compose).\n"
       << "CMD [\"--all-topics\"]\n";
  return file.str();
}

}  // namespace edgeloop
