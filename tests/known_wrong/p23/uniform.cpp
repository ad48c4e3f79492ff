// known-wrong p23: validates its arguments and fills the cache, then weighs every visible position equally
// expect: failed, score 7..8
// may pass: shape; bad head counts throw std::invalid_argument; wrong Wk Wv Wo or input shapes throw std::invalid_argument; a cache of the wrong width or with K and V of different lengths throws; a rejected call leaves the cache unchanged
#include <stdexcept>

#include "kv_cache_gqa_decoding.h"

namespace attn {

namespace {

// the width g·d_h of the cache; throws when the parameters, the input or the cache do not fit
Eigen::Index check(const Mat& X, const GQAParams& p, const KVCache& cache) {
  const Eigen::Index d = p.Wq.rows();
  bool ok = p.n_heads > 0 && p.n_kv_heads > 0 && p.n_heads % p.n_kv_heads == 0 && p.Wq.cols() > 0 &&
            p.Wq.cols() % p.n_heads == 0;
  if (!ok) throw std::invalid_argument("gqa: bad head counts");
  const Eigen::Index kv_cols = p.n_kv_heads * (p.Wq.cols() / p.n_heads);
  ok = p.Wk.rows() == d && p.Wk.cols() == kv_cols && p.Wv.rows() == d && p.Wv.cols() == kv_cols &&
       p.Wo.rows() == p.Wq.cols() && p.Wo.cols() == d && X.cols() == d;
  if (cache.K.rows() != 0 || cache.V.rows() != 0)
    ok = ok && cache.K.rows() == cache.V.rows() && cache.K.cols() == kv_cols && cache.V.cols() == kv_cols;
  if (!ok) throw std::invalid_argument("gqa: bad shapes");
  return kv_cols;
}

}  // namespace

Mat gqa_prefill(const Mat& X, const GQAParams& p, KVCache& cache) {
  const Eigen::Index kv_cols = check(X, p, cache), t0 = cache.K.rows(), n = X.rows();
  const Eigen::Index d_h = p.Wq.cols() / p.n_heads, group = p.n_heads / p.n_kv_heads;
  cache.K.conservativeResize(t0 + n, kv_cols);
  cache.V.conservativeResize(t0 + n, kv_cols);
  cache.K.bottomRows(n) = X * p.Wk;
  cache.V.bottomRows(n) = X * p.Wv;
  Mat heads(n, p.Wq.cols());
  for (Eigen::Index i = 0; i < n; ++i)
    for (Eigen::Index q = 0; q < p.n_heads; ++q)
      heads.block(i, q * d_h, 1, d_h) = cache.V.block(0, (q / group) * d_h, t0 + i + 1, d_h).colwise().mean();
  return heads * p.Wo;
}

Mat gqa_causal_attention(const Mat& X, const GQAParams& p) {
  KVCache scratch;
  return gqa_prefill(X, p, scratch);
}

RowVec gqa_decode_step(const RowVec& x_t, const GQAParams& p, KVCache& cache) {
  return gqa_prefill(Mat(x_t), p, cache).row(0);
}

}  // namespace attn
