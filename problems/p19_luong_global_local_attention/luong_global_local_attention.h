// p19 luong_global_local_attention: Luong's dot / general / concat scores, the attentional state h̃_t, and
// local-p attention with a Gaussian window (Luong, Pham, Manning, EMNLP 2015).
#pragma once

#include <attnkata/attn.h>

namespace attn {

enum class LuongScore { Dot, General, Concat };

// Parameters of one Luong attention layer. n_t = h_t.cols() (target state), n_s = src.cols() (source states).
//   score: which score function the layer uses
//   W_a:   General: (n_t, n_s).  Concat: (n_t + n_s, a), rows 0..n_t-1 multiply h_t.  Dot: unused.
//   v_a:   Concat: (a,).  Dot and General: unused.
//   W_c:   (n_s + n_t, d_out): h̃_t = tanh([c_t, h_t] W_c), rows 0..n_s-1 multiply the context c_t
//   W_p:   (n_t, d_p) and v_p: (d_p,): the predicted position, local-p only
//   D:     half-width of the local window, local-p only; must be >= 1 there
struct LuongParams {
  LuongScore score;
  Mat W_a;
  Vec v_a;
  Mat W_c;
  Mat W_p;
  Vec v_p;
  int D;
};

// h_tilde (1, d_out); context (1, n_s); weights (S,), one per source position; p_t the window centre.
struct LuongOut {
  RowVec h_tilde;
  RowVec context;
  Vec weights;
  float p_t;
};

// Global attention of one target state over the whole source sentence.
//   h_t: (1, n_t)   src: (S, n_s), S >= 1, row s is the encoder state h̄_s
// score(s) = Dot:     h_t · h̄_s                      (needs n_t == n_s)
//            General: h_t W_a h̄_sᵀ
//            Concat:  v_aᵀ tanh([h_t, h̄_s] W_a)
// weights = softmax over all S positions (sums to 1), context = Σ_s weights(s) h̄_s,
// h_tilde = tanh([context, h_t] W_c). W_p, v_p and D are ignored; p_t is set to -1 (no window).
// Throws std::invalid_argument when S == 0 or a parameter used by the chosen score, or W_c, has the wrong
// shape (including Dot with n_t != n_s).
LuongOut luong_global(const RowVec& h_t, const Mat& src, const LuongParams& p);

// Local-p attention: predict a centre, attend only to a window around it, favour positions near the centre.
//   p_t     = (S - 1) · sigmoid(tanh(h_t W_p) v_p)                in [0, S-1] (0-based form of Luong's S·σ)
//   window  = { integer s : |s - p_t| <= D } ∩ [0, S-1]          never empty
//   weights(s) = softmax over the window of score(s) · exp(-(s - p_t)² / (2σ²)),  σ = D/2,  for s in window
//   weights(s) = 0 exactly outside the window
// The Gaussian factor is applied after the softmax and nothing renormalises: the weights sum to less than 1.
// context = Σ_s weights(s) h̄_s and h_tilde = tanh([context, h_t] W_c), as in luong_global.
// Source rows outside the window are never read (NaN there cannot leak).
// Throws std::invalid_argument as luong_global does, and also when D < 1 or W_p, v_p have the wrong shape.
LuongOut luong_local_p(const RowVec& h_t, const Mat& src, const LuongParams& p);

}  // namespace attn
