// p10 monotonic_attention — your solution. Statement: ./attnkata show p10   Grade: ./attnkata grade p10
#include "monotonic_attention.h"

#include <stdexcept>

namespace attn {

RowVec monotonic_expected_step(const RowVec& p, const RowVec& prev_alignment) {
  // TODO: check the sizes and that every p is in [0, 1] (NaN too); then one left-to-right pass with a running
  // q: q = (1 - p_{j-1}) q + prev_j, alpha_j = p_j q. No cumulative product, no division. About 12 lines.
  throw std::logic_error("TODO: implement monotonic_expected_step (about 12 lines)");
}

Mat monotonic_expected_alignment(const Mat& P) {
  // TODO: check P; start from delta_0 (all mass on frame 0) and apply the step to each row of P in turn,
  // feeding each result in as the next previous alignment. About 10 lines.
  throw std::logic_error("TODO: implement monotonic_expected_alignment (about 10 lines)");
}

Mat monotonic_hard_alignment(const Mat& P, float threshold) {
  // TODO: check P and the threshold; for each row scan forward from the previous choice (itself included) to
  // the first p >= threshold; if the scan runs off the end, stop: that row and all later ones stay 0. About
  // 15 lines.
  throw std::logic_error("TODO: implement monotonic_hard_alignment (about 15 lines)");
}

Mat monotonic_contexts(const Mat& alignment, const Mat& H) {
  // TODO: check that alignment has one column per row of H; c_i = sum_j alpha_ij h_j over the frames whose
  // weight is not exactly 0 (never read the others: they may hold NaN). About 10 lines.
  throw std::logic_error("TODO: implement monotonic_contexts (about 10 lines)");
}

}  // namespace attn
