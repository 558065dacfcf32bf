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

const std::vector<RuntimePackage>& image_runtime_packages() {
  // The packages of the libraries edgeloop-edge links (objdump NEEDED), and the CA certificates
  // for MQTT over TLS: tests/deploy checks both directions against the built binary.
  static const std::vector<RuntimePackage> packages = {
      {"libopencv-core406", "libopencv-dev"},
      {"libopencv-imgproc406", "libopencv-dev"},
      {"libopencv-imgcodecs406", "libopencv-dev"},
      {"libopencv-videoio406", "libopencv-dev"},
      {"libopencv-dnn406", "libopencv-dev"},
      {"libopencv-ml406", "libopencv-dev"},
      {"libopencv-objdetect406", "libopencv-dev"},
      {"libcpp-httplib0.11", "libcpp-httplib-dev"},
      {"libxnnpack0", "libxnnpack-dev"},
      {"libpthreadpool0", "libpthreadpool-dev"},
      {"libpaho-mqttpp3-1", "libpaho-mqttpp-dev"},
      {"libpaho-mqtt1.3", "libpaho-mqtt-dev"},
      {"libyaml-cpp0.7", "libyaml-cpp-dev"},
      {"libspdlog1.10", "libspdlog-dev"},
      {"libfmt9", "libfmt-dev"},
      {"libssl3", "libssl-dev"},
      {"libgomp1", "build-essential"},
      {"libdnnl2", "libdnnl-dev", kOnednnArchitecture},
      {"ca-certificates", "libssl-dev"}};
  return packages;
}

std::string build_dockerfile(const DeployOptions& options) {
  std::vector<std::string> runtime_names, onednn_runtime_names;
  for (const RuntimePackage& package : image_runtime_packages()) {
    (package.architecture.empty() ? runtime_names : onednn_runtime_names).push_back(package.name);
  }

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
       << apt_install_step(image_build_packages())
       << apt_install_step_for(kOnednnArchitecture, image_onednn_build_packages())
       << "WORKDIR /src\n"
       << "COPY . /src\n"
       << "RUN cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release -DEDGELOOP_BUILD_TESTS=OFF"
          " -DEDGELOOP_BUILD_BENCH=OFF \\\n"
       << "      -DEDGELOOP_WITH_ONEDNN=\"$(if [ \"$TARGETARCH\" = \"" << kOnednnArchitecture
       << "\" ]; then echo ON; else echo OFF; fi)\" \\\n"
       << " && cmake --build build --target edgeloop-edge \\\n"
       << " && install -D -m 0755 \"$(find build -type f -name edgeloop-edge -perm -u+x | head -n 1)\" /out/edgeloop-edge\n"
       << "\n"
       << "# Runtime stage: edgeloop-edge, the shared libraries it links (no LibTorch) and the bundle.\n"
       << "FROM " << kBaseImage << "\n"
       << "ARG TARGETARCH\n"
       << apt_install_step(runtime_names)
       << apt_install_step_for(kOnednnArchitecture, onednn_runtime_names)
       << "RUN useradd --system --no-create-home --groups video edgeloop \\\n"
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
