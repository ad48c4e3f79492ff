// p15 reference speed and memory: tiled attention with the online softmax (the reference, 64×64 to 256×256
// blocks) versus dense attention that holds the whole n×n score matrix, and the floor both are measured
// against: the two Eigen GEMMs Q Kᵀ and S V on the same shapes with no softmax. d = 64, n = 512 … 8192.
// Counters: GFLOP/s (4·n²·d FLOPs per call, 2·n²·d when causal) and peak_MiB, the rise of this process's peak
// resident memory over one benchmark (reset through /proc/self/clear_refs; -1 when it cannot be read).
// Run: build/default/bench/bench_p15_flash_attention_forward
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>

#include "flash_attention_forward.h"

namespace {

using attn::Mat;
constexpr int kDim = 64, kBlock = 64;

long status_kib(const std::string& key) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(key, 0) == 0) return std::stol(line.substr(key.size()));
  return -1;
}

// Resets the peak resident size to the current one; returns the current one (KiB), or -1.
long reset_peak() {
  malloc_trim(0);
  std::ofstream clear("/proc/self/clear_refs");
  return (clear << "5" << std::flush) ? status_kib("VmRSS:") : -1;
}

void set_counters(benchmark::State& state, double n, double flops_per_call, long start_kib) {
  state.counters["GFLOP/s"] = benchmark::Counter(flops_per_call * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  const long peak = start_kib < 0 ? -1 : status_kib("VmHWM:");
  state.counters["peak_MiB"] = peak < 0 ? -1.0 : std::max(0L, peak - start_kib) / 1024.0;
  state.counters["n"] = n;
}

struct Inputs {
  Mat Q, K, V;
  explicit Inputs(int n) : Q(Mat::Random(n, kDim)), K(Mat::Random(n, kDim)), V(Mat::Random(n, kDim)) {}
};

// The reference with square tiles of range(1) (64, 128, 256): O(n·d) memory beyond the inputs.
void BM_tiled(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0)), block = static_cast<int>(state.range(1));
  const Inputs in(n);
  const long start = reset_peak();
  for (auto _ : state)
    benchmark::DoNotOptimize(attn::flash_attention_forward(in.Q, in.K, in.V, block, block).output.data());
  set_counters(state, n, 4.0 * n * n * kDim, start);
}

// The reference, causal: blocks above the diagonal are skipped, so about half the work.
void BM_tiled_causal(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const Inputs in(n);
  const long start = reset_peak();
  for (auto _ : state)
    benchmark::DoNotOptimize(
        attn::flash_attention_forward(in.Q, in.K, in.V, kBlock, kBlock, true).output.data());
  set_counters(state, n, 2.0 * n * n * kDim, start);
}

// Dense: the (n, n) score matrix (transposed, one query per column), a stable softmax per column, then P V.
void BM_dense(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const Inputs in(n);
  const float scale = 1.f / std::sqrt(static_cast<float>(kDim));
  const long start = reset_peak();
  for (auto _ : state) {
    Mat scores_t = in.K * (scale * in.Q).transpose();
    for (Eigen::Index i = 0; i < n; ++i) {
      auto col = scores_t.col(i);
      col = (col.array() - col.maxCoeff()).exp().matrix();
      col /= col.sum();
    }
    const Mat out = (in.V.transpose() * scores_t).transpose();
    benchmark::DoNotOptimize(out.data());
  }
  set_counters(state, n, 4.0 * n * n * kDim, start);
}

// The floor: the two products alone, S = Q Kᵀ and O = S V, into preallocated matrices.
void BM_two_gemms(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const Inputs in(n);
  Mat S(n, n), O(n, kDim);
  const long start = reset_peak();
  for (auto _ : state) {
    S.noalias() = in.Q * in.K.transpose();
    O.noalias() = S * in.V;
    benchmark::DoNotOptimize(O.data());
  }
  set_counters(state, n, 4.0 * n * n * kDim, start);
}

BENCHMARK(BM_tiled)
    ->ArgsProduct({{512, 1024, 2048, 4096, 8192}, {64, 128, 256}})
    ->ArgNames({"n", "block"})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_tiled_causal)->RangeMultiplier(2)->Range(512, 8192)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_dense)->RangeMultiplier(2)->Range(512, 8192)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_two_gemms)->RangeMultiplier(2)->Range(512, 8192)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
