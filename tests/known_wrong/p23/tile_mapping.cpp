// known-wrong p23: query head q reads KV head q % n_kv_heads (tile), not q / (n_heads / n_kv_heads)
// expect: failed, score 0..27
// One routine does the work: causal grouped-query attention of n new tokens against a cache that
// already holds t0 tokens. Full attention is that routine with an empty cache; a decode step is that
// routine with n = 1.
#include "kv_cache_gqa_decoding.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace attn {
namespace {

using Index = Eigen::Index;

struct Dims {
  Index d_model, n_heads, n_kv_heads, group, d_head;  // group = n_heads / n_kv_heads query heads per KV head
};

void require(bool ok, const char* fn, const char* what) {
  if (!ok) throw std::invalid_argument(std::string(fn) + ": " + what);
}

Dims check_params(const GQAParams& p, const char* fn) {
  require(p.n_heads > 0 && p.n_kv_heads > 0, fn, "n_heads and n_kv_heads must be positive");
  require(p.n_heads % p.n_kv_heads == 0, fn, "n_heads must be a multiple of n_kv_heads");
  require(p.Wq.cols() > 0 && p.Wq.cols() % p.n_heads == 0, fn,
          "Wq.cols() must be a positive multiple of n_heads");
  Dims dims{p.Wq.rows(), p.n_heads, p.n_kv_heads, p.n_heads / p.n_kv_heads, p.Wq.cols() / p.n_heads};
  const Index kv_cols = dims.n_kv_heads * dims.d_head;
  require(p.Wk.rows() == dims.d_model && p.Wk.cols() == kv_cols, fn, "Wk must be (d, n_kv_heads*d_h)");
  require(p.Wv.rows() == dims.d_model && p.Wv.cols() == kv_cols, fn, "Wv must be (d, n_kv_heads*d_h)");
  require(p.Wo.rows() == p.Wq.cols() && p.Wo.cols() == dims.d_model, fn, "Wo must be (n_heads*d_h, d)");
  return dims;
}

void check_cache(const KVCache& cache, const Dims& dims, const char* fn) {
  if (cache.K.rows() == 0 && cache.V.rows() == 0) return;  // empty: 0×0 or 0×(g·d_h)
  const Index kv_cols = dims.n_kv_heads * dims.d_head;
  require(cache.K.rows() == cache.V.rows(), fn, "cache K and V must have the same number of rows");
  require(cache.K.cols() == kv_cols && cache.V.cols() == kv_cols, fn,
          "cache K and V must have g*d_h columns");
}

}  // namespace

Mat gqa_prefill(const Mat& X, const GQAParams& p, KVCache& cache) {
  // X is (n, d); cache.K and cache.V are (t0, g·d_h) and become (t0 + n, g·d_h)
  const Dims dims = check_params(p, "gqa_prefill");
  require(X.cols() == dims.d_model, "gqa_prefill", "X must have d = Wq.rows() columns");
  check_cache(cache, dims, "gqa_prefill");
  const Index n = X.rows(), t0 = cache.K.rows(), d_h = dims.d_head;
  const Index kv_cols = dims.n_kv_heads * d_h;

  // pass 1: project. Q is (n, h·d_h); the new keys and values are appended to the cache before anyone
  // attends, so token t0 + i finds its own key at row t0 + i.
  const Mat Q = X * p.Wq;
  cache.K.conservativeResize(t0 + n, kv_cols);
  cache.V.conservativeResize(t0 + n, kv_cols);
  cache.K.bottomRows(n) = X * p.Wk;
  cache.V.bottomRows(n) = X * p.Wv;

  // pass 2: attention per query head. heads is (n, h·d_h), query head q in columns [q·d_h, (q+1)·d_h).
  const float scale = 1.f / std::sqrt(static_cast<float>(d_h));
  Mat heads(n, dims.n_heads * d_h);
  for (Index head_q = 0; head_q < dims.n_heads; ++head_q) {
    // consecutive query heads share one KV head (repeat_interleave, not tile)
    const Index head_kv = head_q % dims.n_kv_heads;  // wrong: tiles the KV heads
    const auto K_h = cache.K.middleCols(head_kv * d_h, d_h);  // (t0 + n, d_h)
    const auto V_h = cache.V.middleCols(head_kv * d_h, d_h);  // (t0 + n, d_h)
    // scores (n, t0 + n); entries right of the causal boundary are computed but never read
    const Mat scores = scale * (Q.middleCols(head_q * d_h, d_h) * K_h.transpose());
    for (Index query_i = 0; query_i < n; ++query_i) {
      const Index n_visible = t0 + query_i + 1;  // cache rows 0 .. t0 + i, itself included
      const auto s = scores.row(query_i).head(n_visible);
      const float row_max = s.maxCoeff();
      // every exponent is <= 0 and the largest is exp(0) = 1: no overflow, and the sum is >= 1
      RowVec weights = (s.array() - row_max).exp().matrix();
      weights /= weights.sum();
      heads.block(query_i, head_q * d_h, 1, d_h) = weights * V_h.topRows(n_visible);
    }
  }

  // pass 3: mix the heads. output is (n, d)
  return heads * p.Wo;
}

Mat gqa_causal_attention(const Mat& X, const GQAParams& p) {
  // X is (n, d): causal attention of a whole sequence = a prefill into a throwaway cache
  KVCache scratch;
  return gqa_prefill(X, p, scratch);
}

RowVec gqa_decode_step(const RowVec& x_t, const GQAParams& p, KVCache& cache) {
  // x_t is (1, d) at position t = cache.K.rows(): a prefill of one token, which needs no mask
  return gqa_prefill(Mat(x_t), p, cache).row(0);
}

}  // namespace attn
