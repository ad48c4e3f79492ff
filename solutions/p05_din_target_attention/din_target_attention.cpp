// p05 din_target_attention — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "din_target_attention.h"

#include <stdexcept>

namespace attn {

DinOut din_attention(const Mat& behaviors, const RowVec& target, int length, const DinParams& p) {
  // behaviors is (T, d), target is (1, d); W1 is (4d, h), b1 is (1, h), w2 is (h,)
  const Eigen::Index T = behaviors.rows(), d = behaviors.cols(), h = p.W1.cols();
  if (target.cols() != d)
    throw std::invalid_argument("din_attention: target must be (1, d), d = behaviors.cols()");
  if (p.W1.rows() != 4 * d) throw std::invalid_argument("din_attention: W1 must be (4d, h)");
  if (p.b1.cols() != h) throw std::invalid_argument("din_attention: b1 must be (1, h) with h = W1.cols()");
  if (p.w2.size() != h) throw std::invalid_argument("din_attention: w2 must have h = W1.cols() entries");
  if (length < 0 || length > T)
    throw std::invalid_argument("din_attention: need 0 <= length <= behaviors.rows()");
  DinOut result{RowVec::Zero(d), Vec::Zero(T)};
  if (length == 0) return result;  // no behaviour: the sum is empty, zero vector and zero weights
  // only the valid behaviours are ever read, so padding (even NaN) cannot leak
  const auto behaviors_valid = behaviors.topRows(length);  // (length, d)

  // pass 1: split W1 by the four blocks of z_t = [a, e_t, a - e_t, a ⊙ e_t]. Multiplying out,
  //   z_t W1 = a W_a + e_t W_e + (a - e_t) W_d + (a ⊙ e_t) W_p
  //          = a (W_a + W_d)  +  e_t (W_e - W_d + diag(a) W_p)
  // The first term depends on the target alone: one (1, h) row for the whole history. The second is one
  // (d, h) matrix applied to every behaviour, so the (length, 4d) concatenation is never built.
  const auto W_a = p.W1.topRows(d), W_e = p.W1.middleRows(d, d), W_d = p.W1.middleRows(2 * d, d),
             W_p = p.W1.bottomRows(d);
  const RowVec target_term = target * (W_a + W_d) + p.b1;                           // (1, h)
  const Mat behavior_map = W_e - W_d + target.transpose().asDiagonal() * Mat(W_p);  // (d, h)

  // pass 2: hidden units. sigmoid(x) = 1 / (1 + exp(-x)): for x < -88 exp(-x) is inf and the unit is
  // exactly 0, for x > 17 it rounds to 1; never exp(x) / (1 + exp(x)), which is inf / inf = NaN past 88
  const Mat pre_activation = (behaviors_valid * behavior_map).rowwise() + target_term;  // (length, h)
  const Mat hidden = (1.0f + (-pre_activation.array()).exp()).inverse().matrix();       // (length, h)

  // pass 3: one weight per behaviour, w_t = hidden_t · w2 + b2. No softmax: the paper drops the
  // normalisation to keep the intensity of the user's interest, so weights are not in [0, 1] nor sum to 1
  const Vec weights = (hidden * p.w2).array() + p.b2;  // (length,)
  result.weights.head(length) = weights;

  // pass 4: sum pooling, user_interest = Σ_t w_t e_t = wᵀ E over the valid rows, (1, length) x (length, d)
  result.user_interest = weights.transpose() * behaviors_valid;
  return result;
}

}  // namespace attn
