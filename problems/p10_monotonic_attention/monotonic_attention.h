// p10 monotonic_attention: hard monotonic attention (Raffel et al. 2017): the expected alignment used in
// training, the hard alignment used at test time, and the context vectors they select.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// Choosing probabilities P: (T_out, T_in), p_ij = σ(e_ij) in [0, 1]: the probability that output step i stops
// its left-to-right scan at input frame j. Row i of every alignment below is output step i (0-based); the
// step before row 0 is the initial alignment δ_0 (all mass on frame 0).

// The expected (soft) alignment of the hard monotonic process, computed without dividing:
//   q_i0 = α_{i-1,0},  q_ij = (1 - p_{i,j-1}) q_{i,j-1} + α_{i-1,j},  α_ij = p_ij q_ij,  α_{-1} = δ_0
//   P: (T_out, T_in)  ->  (T_out, T_in)
// Entries are in [0, 1]; each row sums to at most 1 and never more than the row before (mass that passes the
// last frame is lost: the probability that no frame was chosen). Row i depends only on rows 0..i of P, and
// column j only on columns 0..j. T_in = 0 gives a (T_out, 0) result.
// Throws std::invalid_argument when an entry of P is outside [0, 1] or NaN.
Mat monotonic_expected_alignment(const Mat& P);

// One decoder step of the same recursion: α_i from p_i and α_{i-1} (δ_0 before the first step).
//   p: (1, T_in)   prev_alignment: (1, T_in)  ->  (1, T_in)
// Chaining it from δ_0 over the rows of P gives monotonic_expected_alignment(P) row by row.
// Throws std::invalid_argument when p and prev_alignment differ in size, or an entry of p is outside [0, 1]
// or NaN.
RowVec monotonic_expected_step(const RowVec& p, const RowVec& prev_alignment);

// The hard (test-time) alignment: t_{-1} = 0; row i is one-hot at the first j >= t_{i-1} with
// p_ij >= threshold (a tie chooses), and t_i = j. If no such j exists, row i and every later row are all 0.
//   P: (T_out, T_in)  ->  (T_out, T_in), entries exactly 0 or 1
// Throws std::invalid_argument when an entry of P is outside [0, 1] or NaN, or threshold is outside [0, 1]
// or NaN.
Mat monotonic_hard_alignment(const Mat& P, float threshold = 0.5f);

// Contexts c_i = Σ_j α_ij h_j for any alignment (expected or hard).
//   alignment: (T_out, T_in)   H: (T_in, d)  ->  (T_out, d)
// A frame whose weight is exactly 0 is never read: its row of H may hold NaN or inf (in a stream, frames past
// the last chosen one have not been encoded yet). T_in = 0 gives zero contexts.
// Throws std::invalid_argument when alignment.cols() != H.rows().
Mat monotonic_contexts(const Mat& alignment, const Mat& H);

}  // namespace attn
