// p17 afm_attentional_fm: Attentional Factorization Machine, attention over the pairwise interactions of the
// fields of one example (Xiao et al., IJCAI 2017).
#pragma once

#include <attnkata/attn.h>

namespace attn {

// The learned parameters, for m fields with k-dimensional embeddings and t attention units (row convention):
//   w0: global bias   w: (m,) linear weights   W: (k, t)   b: (1, t)   h: (t,)   p: (k,)
// The official TensorFlow code calls h "attention_p" and p "prediction": here the names are the paper's.
struct AfmParams {
  float w0 = 0;
  Vec w;
  Mat W;
  RowVec b;
  Vec h;
  Vec p;
};

// y: the prediction. pair_weights: (m(m-1)/2,) one attention weight per pair of fields, in lexicographic
// order (0,1), (0,2), …, (0,m-1), (1,2), …, (m-2,m-1). pooled: (1, k) the attention-pooled interaction
// Σ a_ij e_ij, the paper's f_Att, which p projects to a scalar.
struct AfmOut {
  float y = 0;
  Vec pair_weights;
  RowVec pooled;
};

// One example's AFM prediction.
//   V: (m, k) the embedding of each field's feature   x: (m,) each field's value (1 for a one-hot field)
// For every pair i < j of present fields (x_i != 0 and x_j != 0):
//   e_ij  = (v_i ⊙ v_j) x_i x_j                  (1, k)
//   a'_ij = hᵀ ReLU(e_ij W + b)                   the attention logit
//   a_ij  = softmax of a' over the present pairs
//   pooled = Σ a_ij e_ij,   y = w0 + Σ_i w_i x_i + p · pooled
// A field with x_i = 0 is absent (the paper's R_x holds pairs of non-zero features only): its pairs get
// weight exactly 0 and take no part in the softmax, and its row of V is never read (NaN there cannot leak).
// With fewer than two present fields (m = 0 and m = 1 included) every weight is 0, pooled is 0 and y is
// w0 + Σ_i w_i x_i. Logits may exceed float32 exp's range (≈ 88): the softmax subtracts their maximum.
// Throws std::invalid_argument when x.size(), w.size() != m; W.rows() != k; b.size() or h.size() != W.cols();
// or p.size() != k.
AfmOut afm_forward(const Mat& V, const Vec& x, const AfmParams& params);

}  // namespace attn
