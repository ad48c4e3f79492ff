// p07 reference speed and memory: Longformer attention (radius r = 32, 2 global tokens, d = d_v = 16) against
// dense masked attention (the whole n×n score matrix, the mask evaluated on the fly, softmax, times V) over
// n. Counters: peak_MiB = growth of the resident high-water mark during one call (/proc/self/clear_refs +
// VmHWM), time/row = time per query row. Run: build/default/bench/bench_p07_longformer_sliding_global
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cmath>
#include <fstream>
#include <string>
#include <vector>

#include "longformer_sliding_global.h"

namespace {

using attn::Mat;
using Index = Eigen::Index;

constexpr int kRadius = 32, kDim = 16;

std::vector<int> globals_of(Index n) {
  return {0, static_cast<int>(n / 2)};
}

long status_kib(const char* field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(field, 0) == 0) return std::stol(line.substr(std::string(field).size()));
  return -1;
}

// The growth of the resident set's high-water mark during one call, in MiB (-1 when it cannot be measured).
template <class F>
double peak_mib(F&& call) {
  malloc_trim(0);  // free heap pages go back to the system, so the call's allocations show as new pages
  {
    std::ofstream clear("/proc/self/clear_refs");
    if (!clear || !(clear << "5").flush()) return -1;
  }
  const long before = status_kib("VmRSS:");
  call();
  const long peak = status_kib("VmHWM:");
  return before < 0 || peak < 0 ? -1 : static_cast<double>(peak - before) / 1024.0;
}

// Dense masked attention: S = Q Kᵀ / sqrt(d) as (n, n) (transposed: column i is query i's scores), a softmax
// of each column over the keys the pattern allows, then Sᵀ V.
Mat dense_masked(const Mat& Q, const Mat& K, const Mat& V, Index r, const std::vector<int>& listed) {
  const Index n = Q.rows();
  std::vector<char> g(static_cast<size_t>(n), 0);
  for (const int t : listed) g[static_cast<size_t>(t)] = 1;
  Mat St = (1.f / std::sqrt(static_cast<float>(Q.cols()))) * K * Q.transpose();
  for (Index i = 0; i < n; ++i) {
    auto s = St.col(i);
    auto allowed = [&](Index j) {
      return std::abs(i - j) <= r || g[static_cast<size_t>(i)] || g[static_cast<size_t>(j)];
    };
    float top = -INFINITY;
    for (Index j = 0; j < n; ++j)
      if (allowed(j)) top = std::max(top, s(j));
    s = (s.array() - top).exp().matrix();
    for (Index j = 0; j < n; ++j)
      if (!allowed(j)) s(j) = 0;
    s /= s.sum();
  }
  return St.transpose() * V;
}

void counters(benchmark::State& state, Index n, double peak) {
  state.counters["peak_MiB"] = peak;
  state.counters["time/row"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * static_cast<double>(n),
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

void BM_longformer(benchmark::State& state) {
  const Index n = state.range(0);
  const Mat Q = Mat::Random(n, kDim), K = Mat::Random(n, kDim), V = Mat::Random(n, kDim);
  const std::vector<int> globals = globals_of(n);
  const double peak = peak_mib(
      [&] { benchmark::DoNotOptimize(attn::longformer_attention(Q, K, V, kRadius, globals).data()); });
  for (auto _ : state) benchmark::DoNotOptimize(attn::longformer_attention(Q, K, V, kRadius, globals).data());
  counters(state, n, peak);
}

void BM_dense_masked(benchmark::State& state) {
  const Index n = state.range(0);
  const Mat Q = Mat::Random(n, kDim), K = Mat::Random(n, kDim), V = Mat::Random(n, kDim);
  const std::vector<int> globals = globals_of(n);
  const double peak =
      peak_mib([&] { benchmark::DoNotOptimize(dense_masked(Q, K, V, kRadius, globals).data()); });
  for (auto _ : state) benchmark::DoNotOptimize(dense_masked(Q, K, V, kRadius, globals).data());
  counters(state, n, peak);
}

BENCHMARK(BM_longformer)
    ->Arg(512)
    ->Arg(2048)
    ->Arg(8192)
    ->Arg(65536)
    ->Arg(200000)
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_dense_masked)->Arg(512)->Arg(2048)->Arg(8192)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
