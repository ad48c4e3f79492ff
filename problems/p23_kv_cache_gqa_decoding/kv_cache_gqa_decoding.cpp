// p23 kv_cache_gqa_decoding — your solution. Statement: ./attnkata show p23   Grade: ./attnkata grade p23
#include "kv_cache_gqa_decoding.h"

#include <stdexcept>

namespace attn {

Mat gqa_prefill(const Mat& X, const GQAParams& p, KVCache& cache) {
  // TODO: check the head counts, the weight, input and cache shapes (before touching the cache); append
  // X Wk and X Wv to the cache; for each query head q, with KV head q / (n_heads / n_kv_heads), let row i
  // (position t0 + i) attend with a stable softmax over cache rows 0 .. t0 + i; concatenate the heads and
  // multiply by Wo. About 50 lines.
  throw std::logic_error("TODO: implement gqa_prefill");
}

Mat gqa_causal_attention(const Mat& X, const GQAParams& p) {
  // TODO: a prefill into a fresh cache. About 3 lines.
  throw std::logic_error("TODO: implement gqa_causal_attention");
}

RowVec gqa_decode_step(const RowVec& x_t, const GQAParams& p, KVCache& cache) {
  // TODO: a prefill of one token, or a direct single-query version. About 3 lines.
  throw std::logic_error("TODO: implement gqa_decode_step");
}

}  // namespace attn
