// p04 multi_head_attention: multi-head attention with the semantics of PyTorch's nn.MultiheadAttention.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// output (n_q, d); avg_weights (n_q, n_k), the mean of the heads' weights; head_weights: one (n_q, n_k)
// matrix per head.
struct MHAOut {
  Mat output;
  Mat avg_weights;
  std::vector<Mat> head_weights;
};

// Multi-head attention in the row convention (Y = X W + b, W is (in, out)):
//   Q' = query Wq + bq,  K' = key Wk + bk,  V' = value Wv + bv          all (rows, d)
//   head h = softmax(Q'_h K'_hᵀ / sqrt(d_h), keep) V'_h,  d_h = d / num_heads
//   output = [head 0, ..., head num_heads-1] Wo + bo
// Heads are packed in columns: head h is columns [h*d_h, (h+1)*d_h) of Q', K', V' and of the concatenation.
//   query: (n_q, d)   key: (n_k, d)   value: (n_k, d)   Wq, Wk, Wv, Wo: (d, d)   bq, bk, bv, bo: (1, d)
//   keep: (n_q, n_k), true = query i MAY attend to key j, shared by all heads. nn.MultiheadAttention's
//         key_padding_mask and bool attn_mask use the opposite polarity (true = ignore).
// Masked keys get exactly 0 weight and never influence the result, whatever their key/value rows hold
// (even NaN). A query with no allowed key gets zero weights in every head, so its output row is bo.
// Throws std::invalid_argument when num_heads <= 0, d % num_heads != 0, a weight is not (d, d), a bias is
// not (1, d), query/key/value do not have d columns, key and value row counts differ, or keep is not
// (n_q, n_k).
MHAOut multi_head_attention(const Mat& query, const Mat& key, const Mat& value, const MHAParams& p,
                            const std::optional<Mask>& keep = std::nullopt);

}  // namespace attn
