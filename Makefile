# The two commands a newcomer needs: `make demo` and `make test`. Both install what is missing.
BUILD_DIR ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=

.PHONY: deps build test demo bench reliability fuzz clean

deps:
	bash scripts/install-deps.sh

$(BUILD_DIR)/build.ninja:
	cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=Release $(CMAKE_FLAGS)

build: deps $(BUILD_DIR)/build.ninja
	cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	bash scripts/run-tests.sh $(BUILD_DIR)

demo: build
	bash scripts/demo.sh $(BUILD_DIR)

bench: build
	bash bench/run-all.sh $(BUILD_DIR)

# Kills, full disks, failing writes (and the device's scenarios): one table (bench/reliability/).
reliability: build
	bash bench/reliability/run.sh $(BUILD_DIR)

# libFuzzer targets under ASan/UBSan, 1 M runs each (bench/fuzz/); `bash fuzz/run.sh --seconds 30` is the CI-length run.
fuzz: deps
	bash bench/fuzz/run_fuzz_bench.sh

clean:
	rm -rf $(BUILD_DIR)
