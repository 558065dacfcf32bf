// How much this machine's cores slow each other down, with no training and no communication: the
// ceiling for data-parallel ranks that share one machine. Two kernels, each run on one core alone,
// then on every core at once (one thread pinned to each):
//   fma     AVX2 fused multiply-adds on registers only (the arithmetic units: shared when two
//           virtual CPUs are hyper-threads of one physical core);
//   stream  a[i] = b[i] + s * c[i] over arrays far larger than the caches (the memory bus).
// Prints one JSON object per kernel: {"kernel", "cores", "one_core", "per_core_all_busy", "ratio",
// "unit"}; ratio 1.0 means the cores do not slow each other.
//   edgeloop_core_scaling_probe [--seconds S]
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;
using Float8 = float __attribute__((vector_size(32)));

constexpr int kAccumulators = 10;               // enough independent chains to hide the FMA latency
constexpr int64_t kFmaRepeats = 1 << 20;        // inner loop length between clock reads
constexpr int64_t kStreamFloats = 8 << 20;      // 32 MiB per array, three arrays per thread
constexpr double kFlopsPerFma = 2.0 * 8;        // 8 lanes, multiply and add

void pin_to_cpu(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

// GFLOP/s of register-only FMAs for `seconds`.
__attribute__((target("avx2,fma"))) double fma_rate(double seconds) {
  Float8 accumulators[kAccumulators];
  for (int index = 0; index < kAccumulators; ++index) accumulators[index] = Float8{} + 1.0f + index * 1e-3f;
  const Float8 multiplier = Float8{} + 0.999999f, addend = Float8{} + 1e-7f;
  int64_t fmas = 0;
  const auto started = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int64_t repeat = 0; repeat < kFmaRepeats; ++repeat) {
      for (int index = 0; index < kAccumulators; ++index) accumulators[index] = accumulators[index] * multiplier + addend;
    }
    fmas += kFmaRepeats * kAccumulators;
    elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  }
  float sink = 0;
  for (int index = 0; index < kAccumulators; ++index) sink += accumulators[index][0];
  if (sink == 42.0f) std::puts("");   // keeps the loop from being optimised away
  return fmas * kFlopsPerFma / elapsed / 1e9;
}

// GB/s of the triad (three arrays touched per element) for `seconds`.
double stream_rate(double seconds) {
  std::vector<float> a(kStreamFloats, 0.0f), b(kStreamFloats, 1.0f), c(kStreamFloats, 2.0f);
  const float scale = 3.0f;
  int64_t passes = 0;
  const auto started = Clock::now();
  double elapsed = 0;
  while (elapsed < seconds) {
    for (int64_t index = 0; index < kStreamFloats; ++index) a[index] = b[index] + scale * c[index];
    ++passes;
    elapsed = std::chrono::duration<double>(Clock::now() - started).count();
  }
  if (a[passes % kStreamFloats] == 42.0f) std::puts("");
  return passes * kStreamFloats * 3.0 * sizeof(float) / elapsed / 1e9;
}

// The kernel's rate on each of `cores` threads running at once, one pinned to each CPU.
template <typename Kernel>
double per_core_rate(Kernel kernel, int cores, double seconds) {
  std::vector<double> rates(cores);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int cpu = 0; cpu < cores; ++cpu) {
    threads.emplace_back([&, cpu] {
      pin_to_cpu(cpu);
      ++ready;
      while (ready.load() < cores) {}   // start together
      rates[cpu] = kernel(seconds);
    });
  }
  for (auto& thread : threads) thread.join();
  double sum = 0;
  for (double rate : rates) sum += rate;
  return sum / cores;
}

template <typename Kernel>
void report(const char* name, const char* unit, Kernel kernel, int cores, double seconds) {
  const double alone = per_core_rate(kernel, 1, seconds);
  const double all_busy = per_core_rate(kernel, cores, seconds);
  std::printf("{\"kernel\": \"%s\", \"cores\": %d, \"one_core\": %.2f, \"per_core_all_busy\": %.2f, \"ratio\": %.3f, "
              "\"unit\": \"%s\"}\n", name, cores, alone, all_busy, all_busy / alone, unit);
}

}  // namespace

int main(int argc, char** argv) {
  double seconds = 3;
  for (int index = 1; index < argc; ++index) {
    if (std::strcmp(argv[index], "--seconds") == 0 && index + 1 < argc) {
      seconds = std::atof(argv[++index]);
    } else {
      std::fprintf(stderr, "usage: edgeloop_core_scaling_probe [--seconds S]\n");
      return 2;
    }
  }
  const int cores = static_cast<int>(std::thread::hardware_concurrency());
  report("fma", "GFLOP/s", fma_rate, cores, seconds);
  report("stream", "GB/s", stream_rate, cores, seconds);
  return 0;
}
