// p14 show_attend_tell_soft_attention — your solution.
// Statement: ./attnkata show p14   Grade: ./attnkata grade p14
#include "show_attend_tell_soft_attention.h"

#include <stdexcept>

namespace attn {

SatStep sat_soft_attention(const Mat& annotations, const RowVec& h_prev, const SatParams& p) {
  // TODO: check the shapes; score every location with v · tanh(a_i Wa + h_prev Wh + b) (the state's term is
  // the same for every row: compute it once), take a stable softmax over the L locations, gate with
  // β = σ(h_prev · w_beta + b_beta) and return β · alphaᵀ annotations. L = 0: empty alpha, zero
  // context. About 25 lines.
  throw std::logic_error("TODO: implement sat_soft_attention (about 25 lines)");
}

RowVec sat_init_state(const Mat& annotations, const Mat& W_init, const RowVec& b_init) {
  // TODO: check the shapes and L >= 1; tanh of (the mean of the annotation rows) W_init + b_init.
  // About 8 lines.
  throw std::logic_error("TODO: implement sat_init_state (about 8 lines)");
}

float doubly_stochastic_penalty(const Mat& alphas, float lambda) {
  // TODO: reject a negative or non-finite lambda; for each location i sum alpha over the T steps, and add up
  // (1 − that sum)² over the locations, times lambda. About 6 lines.
  throw std::logic_error("TODO: implement doubly_stochastic_penalty (about 6 lines)");
}

Mat sat_attention_map(const Vec& alpha, int height, int width) {
  // TODO: check the grid; map(h, w) = alpha(h·width + w), row by row (not Eigen's column-major reshaped()).
  // About 6 lines.
  throw std::logic_error("TODO: implement sat_attention_map (about 6 lines)");
}

}  // namespace attn
