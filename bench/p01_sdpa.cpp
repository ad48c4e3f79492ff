// p01 reference speed: scaled dot-product attention (n × n, d = 64) as GFLOP/s, next to the two Eigen GEMMs
// it is made of (Q Kᵀ and A V) on the same shapes. FLOPs counted: 4·n_q·n_k·d (two products).
// Run: build/default/bench/bench_p01_sdpa
#include <benchmark/benchmark.h>

#include "sdpa_stable_softmax.h"

namespace {

constexpr int kDim = 64;

void set_flops(benchmark::State& state, double n) {
  state.counters["GFLOP/s"] = benchmark::Counter(4.0 * n * n * kDim * static_cast<double>(state.iterations()),
                                                 benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void BM_sdpa(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const attn::Mat Q = attn::Mat::Random(n, kDim), K = attn::Mat::Random(n, kDim),
                  V = attn::Mat::Random(n, kDim);
  for (auto _ : state) benchmark::DoNotOptimize(attn::scaled_dot_product_attention(Q, K, V).output.data());
  set_flops(state, n);
}

// With a causal mask: the reference sums only allowed keys (so NaN in masked rows cannot leak), row by row.
void BM_sdpa_masked(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const attn::Mat Q = attn::Mat::Random(n, kDim), K = attn::Mat::Random(n, kDim),
                  V = attn::Mat::Random(n, kDim);
  attn::Mask causal(n, n);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n; ++j) causal(i, j) = j <= i;
  for (auto _ : state)
    benchmark::DoNotOptimize(attn::scaled_dot_product_attention(Q, K, V, causal).output.data());
  set_flops(state, n);
}

// The floor: the same two products with no softmax.
void BM_two_gemms(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const attn::Mat Q = attn::Mat::Random(n, kDim), K = attn::Mat::Random(n, kDim),
                  V = attn::Mat::Random(n, kDim);
  attn::Mat S(n, n), O(n, kDim);
  for (auto _ : state) {
    S.noalias() = Q * K.transpose();
    O.noalias() = S * V;
    benchmark::DoNotOptimize(O.data());
  }
  set_flops(state, n);
}

BENCHMARK(BM_sdpa)->Arg(128)->Arg(512)->Arg(2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_sdpa_masked)->Arg(128)->Arg(512)->Arg(2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_two_gemms)->Arg(128)->Arg(512)->Arg(2048)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
