// p16 reference speed: the backward pass of scaled dot-product attention (sdpa_backward, which recomputes P)
// against the dense forward pass it differentiates, n × n with d_k = d_v = 64, float and double. FLOPs
// counted as matrix products only: forward 4·n²·d (S = Q Kᵀ, O = P V), backward 10·n²·d (S again, dV = Pᵀ dO,
// dP = dO Vᵀ, dQ = dS K, dK = dSᵀ Q). "extra_MiB" is the peak resident memory one call adds (VmHWM after
// resetting it through /proc/self/clear_refs, minus VmRSS before), -1 when /proc cannot be used.
// Run: build/default/bench/bench_p16_attention_backward
#include <benchmark/benchmark.h>
#include <malloc.h>

#include <cmath>
#include <fstream>
#include <string>

#include "attention_backward.h"

namespace {

constexpr int kDim = 64;

// The forward pass, dense, written as the reference's pass 1: P = s Q Kᵀ stored row-major (each query's
// softmax runs over contiguous memory), the row max subtracted, then O = P V.
template <class Scalar>
attn::MatT<Scalar> sdpa_forward(const attn::MatT<Scalar>& Q, const attn::MatT<Scalar>& K,
                                const attn::MatT<Scalar>& V, bool causal) {
  const Scalar scale = Scalar(1) / std::sqrt(static_cast<Scalar>(Q.cols()));
  Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> P = scale * (Q * K.transpose());
  for (Eigen::Index query_i = 0; query_i < P.rows(); ++query_i) {
    const Eigen::Index n_visible = causal ? query_i + 1 : P.cols();
    auto weights = P.row(query_i).head(n_visible);
    weights = (weights.array() - weights.maxCoeff()).exp().matrix();
    weights /= weights.sum();
    P.row(query_i).tail(P.cols() - n_visible).setZero();
  }
  return P * V;
}

// kB from a "Name:   1234 kB" line of /proc/self/status, or -1.
double status_kib(const std::string& name) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);)
    if (line.rfind(name + ":", 0) == 0) return std::stod(line.substr(name.size() + 1));
  return -1;
}

// The peak memory one call of f adds, in MiB (-1: not measured).
template <class F>
double extra_mib(F&& f) {
  const double before = status_kib("VmRSS");
  if (!(std::ofstream("/proc/self/clear_refs") << "5") || before < 0) return -1;
  f();
  const double peak = status_kib("VmHWM");
  return peak < 0 ? -1 : (peak - before) / 1024;
}

void report(benchmark::State& state, double n, double flops_per_n2d, double mib) {
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops_per_n2d * n * n * kDim * static_cast<double>(state.iterations()),
                         benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
  state.counters["extra_MiB"] = mib;
}

template <class Scalar>
void forward(benchmark::State& state, bool causal) {
  using M = attn::MatT<Scalar>;
  const int n = static_cast<int>(state.range(0));
  const M Q = M::Random(n, kDim), K = M::Random(n, kDim), V = M::Random(n, kDim);
  const double mib = extra_mib([&] { benchmark::DoNotOptimize(sdpa_forward(Q, K, V, causal).data()); });
  for (auto _ : state) benchmark::DoNotOptimize(sdpa_forward(Q, K, V, causal).data());
  report(state, n, 4, mib);
}

template <class Scalar>
void backward(benchmark::State& state, bool causal) {
  using M = attn::MatT<Scalar>;
  const int n = static_cast<int>(state.range(0));
  const M Q = M::Random(n, kDim), K = M::Random(n, kDim), V = M::Random(n, kDim), dO = M::Random(n, kDim);
  const double mib =
      extra_mib([&] { benchmark::DoNotOptimize(attn::sdpa_backward(Q, K, V, dO, causal).dQ.data()); });
  for (auto _ : state) benchmark::DoNotOptimize(attn::sdpa_backward(Q, K, V, dO, causal).dQ.data());
  report(state, n, 10, mib);
}

// The floor of the backward: its five products alone, on preallocated buffers.
void BM_backward_gemms(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const attn::Mat Q = attn::Mat::Random(n, kDim), K = attn::Mat::Random(n, kDim),
                  V = attn::Mat::Random(n, kDim), dO = attn::Mat::Random(n, kDim);
  attn::Mat S(n, n), dP(n, n), dQ(n, kDim), dK(n, kDim), dV(n, kDim);
  for (auto _ : state) {
    S.noalias() = Q * K.transpose();
    dV.noalias() = S.transpose() * dO;
    dP.noalias() = dO * V.transpose();
    dQ.noalias() = dP * K;
    dK.noalias() = dP.transpose() * Q;
    benchmark::DoNotOptimize(dK.data());
  }
  report(state, n, 10, 0);
}

void BM_forward(benchmark::State& state) {
  forward<float>(state, false);
}
void BM_backward(benchmark::State& state) {
  backward<float>(state, false);
}
void BM_forward_causal(benchmark::State& state) {
  forward<float>(state, true);
}
void BM_backward_causal(benchmark::State& state) {
  backward<float>(state, true);
}
void BM_forward_double(benchmark::State& state) {
  forward<double>(state, false);
}
void BM_backward_double(benchmark::State& state) {
  backward<double>(state, false);
}

BENCHMARK(BM_forward)->Arg(128)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_backward)->Arg(128)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_backward_gemms)->Arg(128)->Arg(512)->Arg(1024)->Arg(2048)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_forward_causal)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_backward_causal)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_forward_double)->Arg(1024)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_backward_double)->Arg(1024)->Unit(benchmark::kMicrosecond);

}  // namespace

int main(int argc, char** argv) {
  // a fixed mmap threshold: every buffer above 128 KiB is its own mapping, returned to the system when freed,
  // so one call's peak is visible in VmHWM (glibc otherwise raises the threshold and recycles freed buffers)
  mallopt(M_MMAP_THRESHOLD, 128 * 1024);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
