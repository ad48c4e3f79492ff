// p01 sdpa_stable_softmax: a numerically stable masked softmax and scaled dot-product attention.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// Softmax of each row of scores (n_q, n_k) over the entries where keep is true (all entries without a mask).
// Subtracts the row maximum of the kept entries, so scores of any magnitude give finite results.
// Entries where keep is false get exactly 0; a row with no kept entry is all 0.
// Throws std::invalid_argument when keep's shape differs from scores'.
Mat softmax_rows(const Mat& scores, const std::optional<Mask>& keep = std::nullopt);

// softmax(scale * Q K^T, keep) V with scale = 1/sqrt(d_k) unless given.
//   Q: (n_q, d_k)   K: (n_k, d_k)   V: (n_k, d_v)   keep: (n_q, n_k), true = query i may attend to key j
// Returns output (n_q, d_v) and weights (n_q, n_k). A query with no allowed key gets zero weights and a zero
// output row; masked keys never influence the result, whatever their K and V rows hold (even NaN).
// Throws std::invalid_argument when Q.cols() != K.cols(), K.rows() != V.rows() or keep is not (n_q, n_k).
Attention scaled_dot_product_attention(const Mat& Q, const Mat& K, const Mat& V,
                                       const std::optional<Mask>& keep = std::nullopt,
                                       std::optional<float> scale = std::nullopt);

}  // namespace attn
