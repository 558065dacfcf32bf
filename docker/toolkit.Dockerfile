# The edgeloop toolkit image: the `edgeloop` binary (LibTorch, the Gloo process group) on Debian
# bookworm, for training jobs on several machines: torchrun-style launches and Kubeflow PyTorchJobs
# (docs/distributed.md). Build from the repository root:
#   docker build -f docker/toolkit.Dockerfile -t REGISTRY/edgeloop:TAG .
# The device module has its own, smaller image (`edgeloop deploy` writes it).
FROM debian:bookworm AS build
COPY . /src
# scripts/install-deps.sh is the one list of Debian packages (build, tests, data, peers).
RUN apt-get update && apt-get install -y --no-install-recommends sudo ca-certificates \
    && bash /src/scripts/install-deps.sh \
    && cmake -S /src -B /build -G Ninja -DCMAKE_BUILD_TYPE=Release \
    && cmake --build /build --target edgeloop -j"$(nproc)"

FROM debian:bookworm-slim
# Runtime libraries of the binary (ldd on a Release build): LibTorch with OpenBLAS, OpenCV, ONNX,
# XNNPACK, SQLite, yaml-cpp, spdlog, Paho MQTT, and Fashion-MNIST for the built-in demo data.
RUN apt-get update && apt-get install -y --no-install-recommends \
      libtorch1.13 libopenblas0-pthread libgloo0 \
      libopencv-core406 libopencv-imgproc406 libopencv-imgcodecs406 libopencv-videoio406 libopencv-dnn406 \
      libopencv-ml406 libonnx1 libprotobuf32 libxnnpack0 libpthreadpool0 \
      libsqlite3-0 libyaml-cpp0.7 libspdlog1.10 libfmt9 \
      libpaho-mqttpp3-1 libpaho-mqtt1.3 libssl3 dataset-fashion-mnist \
    && rm -rf /var/lib/apt/lists/*
COPY --from=build /build/src/cli/edgeloop /usr/local/bin/edgeloop
WORKDIR /workspace
# torchrun-style variables (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE) come from the launcher.
ENTRYPOINT ["edgeloop"]
