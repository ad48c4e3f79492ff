// p05 din_target_attention: the Deep Interest Network's local activation unit (Zhou et al. 2018), target
// attention over a user's behaviour history with un-normalised weights and sum pooling.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// The activation unit, one hidden layer of h sigmoid units:
//   W1: (4d, h)   b1: (1, h)   w2: (h,)   b2: a scalar
// Rows [0, d) of W1 read the target a, [d, 2d) the behaviour e_t, [2d, 3d) the difference a - e_t and
// [3d, 4d) the product a ⊙ e_t (the official code's order, [q, k, q - k, q * k] with q the target).
struct DinParams {
  Mat W1;
  RowVec b1;
  Vec w2;
  float b2 = 0;
};

// The user's interest in one candidate item and the weights that made it.
struct DinOut {
  RowVec user_interest;  // (1, d): v_U(a) = Σ_t w_t e_t
  Vec weights;           // (T,): w_t, exactly 0 for padded behaviours
};

// DIN target attention over the first `length` behaviours:
//   z_t = [a, e_t, a - e_t, a ⊙ e_t]        (1, 4d)
//   w_t = sigmoid(z_t W1 + b1) · w2 + b2    a scalar, NOT normalised: no softmax, w_t may be < 0 or > 1
//   user_interest = Σ_{t < length} w_t e_t  sum pooling: a history stacked twice gives twice the vector
//   behaviors: (T, d), rows [0, length) valid, rows [length, T) padding   target: (1, d)
// Padded rows are never read: they may hold anything (even NaN) and get weight exactly 0.
// length == 0 gives a zero vector and zero weights. Pre-activations of any size give finite weights.
// Throws std::invalid_argument when length < 0 or length > T, target is not (1, d), W1 is not (4d, h),
// b1 is not (1, h) or w2 is not (h,).
DinOut din_attention(const Mat& behaviors, const RowVec& target, int length, const DinParams& p);

}  // namespace attn
