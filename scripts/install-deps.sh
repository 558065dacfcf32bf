#!/usr/bin/env bash
# The one list of Debian packages edgeloop needs to build, test, demo and benchmark.
# Idempotent: packages already present are skipped; `apt-get update` runs once per call
# only when something is missing.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake ninja-build ccache pkg-config git
  # fuzzing (fuzz/build.sh): clang with libFuzzer, ASan and UBSan runtimes
  clang libclang-rt-14-dev
  # the reliability suite (bench/reliability): peak memory, the table, when a hostile input is first touched
  time bsdextrautils strace
  # libraries
  libtorch-dev libopenblas0-pthread libblas3 liblapack3
  libgloo-dev   # headers of torch.distributed's Gloo process group (distributed training)
  libopencv-dev
  libwebp-dev   # the image probe asks libwebp, as OpenCV does, whether a RIFF file is a WebP
  libxnnpack-dev libpthreadpool-dev
  libdnnl-dev   # oneDNN 2.6 (OpenMP build): the onednn engines, x86 int8 with VNNI
  libonnx-dev libprotobuf-dev protobuf-compiler
  libsqlitecpp-dev libsqlite3-dev sqlite3
  libyaml-cpp-dev nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev
  libpaho-mqttpp-dev libpaho-mqtt-dev mosquitto mosquitto-clients
  libcpp-httplib-dev libssl-dev zlib1g-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  # data shipped by Debian: the built-in dataset and sample videos
  dataset-fashion-mnist opencv-doc
  # peers and checkers for tests and benchmarks
  python3 python3-onnx python3-numpy python3-torch python3-sklearn python3-jsonschema
  chromium
  # promtool (tests/edge checks /metrics with it; Debian ships it only inside prometheus)
  prometheus
  # a minimal bookworm root for bench/deploy/runtime_image_size.sh
  debootstrap
  # an RTSP server on loopback for the device module's stream-source test (GStreamer's, from Python)
  python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base gstreamer1.0-plugins-good
)

# Node.js for the ONNX Runtime peer (bench/peers): Debian's nodejs and npm, unless a node is present.
if ! command -v node >/dev/null 2>&1; then packages+=(nodejs npm); fi

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} Debian packages present"
else
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  echo "install-deps: installing ${#missing[@]} packages: ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# ONNX Runtime, a benchmark and test peer only (never a runtime dependency), from npm. Its install
# script fetches extras from an unreachable host, hence --ignore-scripts; the CPU library ships inside.
peers_dir="$(dirname "$0")/../bench/peers"
if [ -f "$peers_dir/package.json" ] && [ ! -d "$peers_dir/node_modules/onnxruntime-node" ]; then
  echo "install-deps: npm install in bench/peers (onnxruntime-node)"
  (cd "$peers_dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

# puppeteer-core, which drives Debian's chromium in tests/label and bench/loop (it downloads no browser).
label_tools_dir="$(dirname "$0")/../tests/label"
if [ -f "$label_tools_dir/package.json" ] && [ ! -d "$label_tools_dir/node_modules/puppeteer-core" ]; then
  echo "install-deps: npm install in tests/label (puppeteer-core)"
  (cd "$label_tools_dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
fi

# dockerfile-utils, the Dockerfile linter tests/deploy runs on `edgeloop deploy`'s Dockerfile (npm).
deploy_tools_dir="$(dirname "$0")/../tests/deploy"
if [ -f "$deploy_tools_dir/package.json" ] && [ ! -d "$deploy_tools_dir/node_modules/dockerfile-utils" ]; then
  echo "install-deps: npm install in tests/deploy (dockerfile-utils)"
  (cd "$deploy_tools_dir" && npm install --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
