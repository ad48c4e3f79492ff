// p23 reference speed: generating n tokens with a KV cache (one gqa_decode_step per token) versus recomputing
// causal attention over the whole prefix at every step (gqa_causal_attention on rows 0..t, keep row t), and a
// single prefill of all n tokens for scale. d_model 256, 8 query heads on 2 KV heads, d_h = 32.
// Reported per generated token ("time/token"). Run: build/default/bench/bench_p23_kv_cache_gqa_decoding
#include <benchmark/benchmark.h>

#include <cmath>

#include "kv_cache_gqa_decoding.h"

namespace {

constexpr int kDModel = 256, kHeads = 8, kKVHeads = 2, kDHead = kDModel / kHeads;

attn::GQAParams make_params() {
  const float s = 1.f / std::sqrt(static_cast<float>(kDModel));
  attn::GQAParams p;
  p.Wq = s * attn::Mat::Random(kDModel, kHeads * kDHead);
  p.Wk = s * attn::Mat::Random(kDModel, kKVHeads * kDHead);
  p.Wv = s * attn::Mat::Random(kDModel, kKVHeads * kDHead);
  p.Wo = s * attn::Mat::Random(kHeads * kDHead, kDModel);
  p.n_heads = kHeads, p.n_kv_heads = kKVHeads;
  return p;
}

void per_token(benchmark::State& state, int n_tokens) {
  state.SetItemsProcessed(state.iterations() * n_tokens);
  state.counters["time/token"] =
      benchmark::Counter(static_cast<double>(state.iterations()) * n_tokens,
                         benchmark::Counter::kIsRate | benchmark::Counter::kInvert);
}

// Token t costs O(t·g·d_h) attention plus the projections of one row.
void BM_decode_with_cache(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const attn::GQAParams p = make_params();
  const attn::Mat X = attn::Mat::Random(n, kDModel);
  for (auto _ : state) {
    attn::KVCache cache;
    for (int t = 0; t < n; ++t) benchmark::DoNotOptimize(attn::gqa_decode_step(X.row(t), p, cache).data());
  }
  per_token(state, n);
}

// Token t recomputes every projection and the (t+1)×(t+1) causal attention of the prefix: O(t²) per token.
void BM_recompute_full_prefix(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const attn::GQAParams p = make_params();
  const attn::Mat X = attn::Mat::Random(n, kDModel);
  for (auto _ : state)
    for (int t = 0; t < n; ++t) {
      const attn::Mat out = attn::gqa_causal_attention(X.topRows(t + 1), p);
      benchmark::DoNotOptimize(out.data());
    }
  per_token(state, n);
}

// The whole prompt at once: what a prefill costs per token when every row is known in advance.
void BM_prefill_all(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  const attn::GQAParams p = make_params();
  const attn::Mat X = attn::Mat::Random(n, kDModel);
  for (auto _ : state) {
    attn::KVCache cache;
    benchmark::DoNotOptimize(attn::gqa_prefill(X, p, cache).data());
  }
  per_token(state, n);
}

BENCHMARK(BM_decode_with_cache)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_recompute_full_prefix)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_prefill_all)->Arg(128)->Arg(512)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
