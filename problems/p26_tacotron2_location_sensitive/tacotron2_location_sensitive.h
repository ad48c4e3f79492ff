// p26 tacotron2_location_sensitive: location-sensitive attention with cumulative weights (Tacotron 2,
// Chorowski).
#pragma once

#include <attnkata/attn.h>

#include <vector>

namespace attn {

// The learned parameters, row convention (x W), no biases (as in NVIDIA's and torchaudio's Tacotron 2).
// d_q = query size, d_e = memory (encoder) size, d_a = attention size, n_f = number of location filters,
// r = kernel width (odd).
//   W_query: (d_q, d_a)   W_memory: (d_e, d_a)   W_location: (n_f, d_a)   v: (d_a,)
//   conv: n_f filters, each (2, r): row 0 reads α_prev, row 1 reads α_cum. conv[f](c, u) is PyTorch's
//         Conv1d(2, n_f, r, padding = (r-1)/2, bias = False).weight[f, c, u].
struct LsaParams {
  Mat W_query, W_memory;
  std::vector<Mat> conv;
  Mat W_location;
  Vec v;
};

// What the batch function returns: alignments (T_out, T_in), row i = α_i;
// contexts (T_out, d_e), row i = c_i.
struct LsaOut {
  Mat alignments;
  Mat contexts;
};

// The attention state between decoder steps: α_prev = the previous step's weights, α_cum = the sum of all
// earlier steps' weights. Both (T_in,), all zeros before step 0.
struct LsaState {
  Vec alpha_prev;
  Vec alpha_cum;
};

// What one step returns: alignment (T_in,) = α_i, context (1, d_e) = c_i, and the state for the next step,
// next = {α_i, state.alpha_cum + α_i}.
struct LsaStep {
  Vec alignment;
  RowVec context;
  LsaState next;
};

// One decoder step of location-sensitive attention.
//   memory: (T_in, d_e) encoder outputs; rows j >= valid_len are padding, never read (may hold NaN)
//   processed_memory: (T_in, d_a) = memory W_memory, computed once per utterance by the caller;
//                     rows j >= valid_len are never read
//   query: (1, d_q) the attention-RNN output of this step   0 <= valid_len <= T_in
//   state: α_prev and α_cum, (T_in,) each
// F = Conv1d over [α_prev; α_cum]: a cross-correlation, zero outside 0..T_in-1, output length T_in:
//   F(j, f) = Σ_{c,u} conv[f](c, u) α_c[j + u - (r-1)/2];   L = F W_location   (T_in, d_a)
// e_j = vᵀ tanh(query W_query + processed_memory_j + L_j) for j < valid_len;
// α = softmax of e over j < valid_len; context = Σ_{j < valid_len} α_j memory_j.
// Padded entries of alignment are exactly 0. valid_len = 0 gives a zero alignment and context, and
// next = {0, state.alpha_cum}.
// Throws std::invalid_argument when valid_len < 0 or > T_in; when a parameter's shape does not match
// (W_query rows != d_q, W_memory rows != d_e, W_query, W_memory or W_location columns != v.size(),
// W_location rows != n_f, conv empty, a filter not (2, r) with one r for all); when r is even; when
// processed_memory is not (T_in, d_a); or when a state vector's size is not T_in.
LsaStep location_sensitive_step(const Mat& memory, const Mat& processed_memory, const RowVec& query,
                                int valid_len, const LsaParams& p, const LsaState& state);

// The whole teacher-forced pass: processed_memory = memory W_memory once, the state starts at zero,
// and step i uses query row i, so step 0's location term is exactly 0 (content-only additive attention).
//   memory: (T_in, d_e), rows >= valid_len never read   queries: (T_out, d_q)   0 <= valid_len <= T_in
// Returns alignments (T_out, T_in) and contexts (T_out, d_e); T_out = 0 gives empty (0, T_in) and (0, d_e).
// A kernel wider than T_in is fine (zero padding). Throws std::invalid_argument as location_sensitive_step.
LsaOut location_sensitive_attention(const Mat& memory, const Mat& queries, int valid_len, const LsaParams& p);

}  // namespace attn
