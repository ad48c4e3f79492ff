// known-wrong p23: decode attends before appending its own key and value (cannot see itself)
// expect: failed, score 0..22
#include "kv_cache_gqa_decoding.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace attn {
namespace {

using Index = Eigen::Index;

struct Dims {
  Index d_model, n_heads, n_kv_heads, group, d_head;
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
  if (cache.K.rows() == 0 && cache.V.rows() == 0) return;
  const Index kv_cols = dims.n_kv_heads * dims.d_head;
  require(cache.K.rows() == cache.V.rows(), fn, "cache K and V must have the same number of rows");
  require(cache.K.cols() == kv_cols && cache.V.cols() == kv_cols, fn,
          "cache K and V must have g*d_h columns");
}

// Query rows of Q (n, h·d_h) at positions t0 + i attend over the first t0 + i + self_visible cache rows.
Mat attend(const Mat& Q, const KVCache& cache, const GQAParams& p, const Dims& dims, Index t0,
           bool self_visible) {
  const Index n = Q.rows(), d_h = dims.d_head;
  const float scale = 1.f / std::sqrt(static_cast<float>(d_h));
  Mat heads = Mat::Zero(n, dims.n_heads * d_h);
  for (Index head_q = 0; head_q < dims.n_heads; ++head_q) {
    const Index head_kv = head_q / dims.group;
    const auto K_h = cache.K.middleCols(head_kv * d_h, d_h);
    const auto V_h = cache.V.middleCols(head_kv * d_h, d_h);
    const Mat scores = scale * (Q.middleCols(head_q * d_h, d_h) * K_h.transpose());
    for (Index query_i = 0; query_i < n; ++query_i) {
      const Index n_visible = t0 + query_i + (self_visible ? 1 : 0);
      if (n_visible == 0) continue;  // nothing to attend to: a zero row
      const auto s = scores.row(query_i).head(n_visible);
      const float row_max = s.maxCoeff();
      RowVec weights = (s.array() - row_max).exp().matrix();
      weights /= weights.sum();
      heads.block(query_i, head_q * d_h, 1, d_h) = weights * V_h.topRows(n_visible);
    }
  }
  return heads * p.Wo;
}

}  // namespace

Mat gqa_prefill(const Mat& X, const GQAParams& p, KVCache& cache) {
  const Dims dims = check_params(p, "gqa_prefill");
  require(X.cols() == dims.d_model, "gqa_prefill", "X must have d = Wq.rows() columns");
  check_cache(cache, dims, "gqa_prefill");
  const Index n = X.rows(), t0 = cache.K.rows(), kv_cols = dims.n_kv_heads * dims.d_head;
  cache.K.conservativeResize(t0 + n, kv_cols);
  cache.V.conservativeResize(t0 + n, kv_cols);
  cache.K.bottomRows(n) = X * p.Wk;
  cache.V.bottomRows(n) = X * p.Wv;
  return attend(X * p.Wq, cache, p, dims, t0, true);
}

Mat gqa_causal_attention(const Mat& X, const GQAParams& p) {
  KVCache scratch;
  return gqa_prefill(X, p, scratch);
}

RowVec gqa_decode_step(const RowVec& x_t, const GQAParams& p, KVCache& cache) {
  const Dims dims = check_params(p, "gqa_decode_step");
  require(x_t.cols() == dims.d_model, "gqa_decode_step", "x_t must have d = Wq.rows() columns");
  check_cache(cache, dims, "gqa_decode_step");
  const Index t = cache.K.rows(), kv_cols = dims.n_kv_heads * dims.d_head;
  if (t == 0) cache.K.resize(0, kv_cols), cache.V.resize(0, kv_cols);
  // wrong: attends over rows 0 .. t-1 first, appends x_t's key and value afterwards
  const RowVec y = attend(x_t * p.Wq, cache, p, dims, t, false).row(0);
  cache.K.conservativeResize(t + 1, kv_cols);
  cache.V.conservativeResize(t + 1, kv_cols);
  cache.K.row(t) = x_t * p.Wk;
  cache.V.row(t) = x_t * p.Wv;
  return y;
}

}  // namespace attn
