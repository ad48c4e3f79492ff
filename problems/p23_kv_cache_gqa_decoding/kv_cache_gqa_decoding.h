// p23 kv_cache_gqa_decoding: causal self-attention with grouped-query heads, and token-by-token decoding with
// a key/value cache.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// Projections of grouped-query attention, no biases, row convention (Y = X W):
//   d = d_model = Wq.rows(),  h = n_heads,  g = n_kv_heads,  d_h = Wq.cols() / h
//   Wq: (d, h·d_h)   Wk, Wv: (d, g·d_h)   Wo: (h·d_h, d)
// Query head q is columns [q·d_h, (q+1)·d_h) of X Wq; KV head k is columns [k·d_h, (k+1)·d_h) of X Wk and X
// Wv. Query head q reads KV head q / (h/g) (integer division): consecutive query heads share a KV head, as HF
// repeat_kv and torch.repeat_interleave do. g = h is ordinary multi-head attention, g = 1 multi-query
// attention.
struct GQAParams {
  Mat Wq, Wk, Wv, Wo;
  int n_heads = 1, n_kv_heads = 1;
};

// The keys and values of every token seen so far: K and V are (t, g·d_h), row j = x_j Wk and x_j Wv.
// A default-constructed cache (0×0) is empty; it grows by one row per decoded token.
struct KVCache {
  Mat K, V;
};

// Full causal self-attention, no cache (the definition, and the "prefill" of a prompt):
//   X: (n, d)  ->  (n, d);  row i = Concat_q(softmax_{j ≤ i}(Q_q(i)·K_kv(q)(j) / sqrt(d_h)) V_kv(q)) Wo
// n = 0 gives a (0, d) result.
// Throws std::invalid_argument when n_heads <= 0, n_kv_heads <= 0, n_heads % n_kv_heads != 0,
// Wq.cols() % n_heads != 0 (or Wq has no columns), Wk/Wv are not (d, g·d_h), Wo is not (h·d_h, d), or
// X.cols() != d.
Mat gqa_causal_attention(const Mat& X, const GQAParams& p);

// Prefill into a cache: appends the n rows of X Wk and X Wv to cache (which may already hold t0 tokens) and
// returns their outputs (n, d). Row i of X is position t0 + i and attends to cache rows 0 .. t0 + i.
// With an empty cache the result equals gqa_causal_attention(X, p).
// Throws std::invalid_argument as gqa_causal_attention does, and when the cache is not empty and K, V are not
// both (t0, g·d_h). A call that throws leaves the cache unchanged.
Mat gqa_prefill(const Mat& X, const GQAParams& p, KVCache& cache);

// One decoding step for the token x_t (1, d) at position t = cache.K.rows(): appends x_t Wk and x_t Wv as row
// t of the cache first, then attends with the single query x_t Wq over cache rows 0 .. t (the token sees
// itself; no mask is needed). Returns the output row (1, d). After the step the cache is (t+1, g·d_h): h/g
// times smaller than the (t+1, h·d_h) of multi-head attention. Throws std::invalid_argument as gqa_prefill
// does (x_t.cols() != d included); the cache is then unchanged.
RowVec gqa_decode_step(const RowVec& x_t, const GQAParams& p, KVCache& cache);

}  // namespace attn
