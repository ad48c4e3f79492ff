// p27 pointer_generator_coverage: one decoder step of a pointer-generator with coverage (See et al. 2017).
#pragma once

#include <attnkata/attn.h>

namespace attn {

// The learned parameters, row convention (x W). d_enc = encoder state size (2n for a BiLSTM), d_dec = decoder
// state size, d_x = decoder input size, h = attention hidden size, d_ff = hidden size of the vocabulary
// layer, V = size of the fixed vocabulary.
//   attention:  W_h (d_enc, h)   W_s (d_dec, h)   w_c (1, h)   b_attn (1, h)   v (h,)
//   vocabulary: V1 (d_dec + d_enc, d_ff)   b1 (1, d_ff)   V2 (d_ff, V)   b2 (1, V)
//   p_gen:      w_hstar (d_enc,)   w_s (d_dec,)   w_x (d_x,)   b_ptr scalar
struct PGParams {
  Mat W_h, W_s;
  RowVec w_c, b_attn;
  Vec v;
  Mat V1;
  RowVec b1;
  Mat V2;
  RowVec b2;
  Vec w_hstar, w_s, w_x;
  float b_ptr = 0.f;
};

// What one step returns.
//   final_dist (V + n_oov,)  P(w) over the extended vocabulary; sums to 1
//   attention  (T,)          a^t; exactly 0 at padded positions i >= valid_len
//   p_gen                    probability of generating from the vocabulary rather than copying
//   coverage_loss            Σ_i min(a^t_i, c^t_i), in [0, 1]
//   new_coverage (T,)        c^{t+1} = c^t + a^t
struct PGStep {
  Vec final_dist;
  Vec attention;
  float p_gen = 0.f;
  float coverage_loss = 0.f;
  Vec new_coverage;
};

// One decoder step t.
//   enc: (T, d_enc) encoder states; rows i >= valid_len are padding and are never read (may hold NaN)
//   src_ext_ids: T ids in the extended vocabulary: [0, V) in-vocabulary words, [V, V + n_oov) the source's
//                out-of-vocabulary words; entries at padded positions are not read
//   n_oov >= 0, 1 <= valid_len <= T, s_t: (1, d_dec) decoder state, x_t: (1, d_x) decoder input,
//   coverage: (T,) c^t = sum of earlier attention vectors (zeros at t = 0)
// e_i = vᵀ tanh(h_i W_h + s_t W_s + c_i w_c + b_attn); a = softmax of e over i < valid_len; h* = Σ_i a_i h_i;
// P_vocab = softmax(([s_t, h*] V1 + b1) V2 + b2); p_gen = σ(h*·w_hstar + s_t·w_s + x_t·w_x + b_ptr);
// P(w) = p_gen P_vocab(w) [w < V] + (1 − p_gen) Σ_{i : src_i = w} a_i, a scatter-ADD: repeated ids accumulate.
// Throws std::invalid_argument on mismatched shapes, n_oov < 0, valid_len outside [1, T], or a valid
// position's id outside [0, V + n_oov).
PGStep pointer_generator_step(const Mat& enc, const std::vector<int>& src_ext_ids, int n_oov, int valid_len,
                              const RowVec& s_t, const RowVec& x_t, const Vec& coverage, const PGParams& p);

}  // namespace attn
