// known-wrong p10: validates its arguments, then spreads every step uniformly over the frames, keeps the hard alignment on frame 0 and returns the mean of H as every context
// expect: failed, score 4..5
// may pass: shape; choosing probabilities outside 0..1 or NaN throw std::invalid_argument; mismatched shapes or a threshold outside 0..1 throw std::invalid_argument
#include <stdexcept>

#include "monotonic_attention.h"

namespace attn {
namespace {
void check_probabilities(const Mat& P) {
  if (!((P.array() >= 0.f) && (P.array() <= 1.f)).all())
    throw std::invalid_argument("choosing probabilities must be in [0, 1]");
}
}  // namespace

Mat monotonic_expected_alignment(const Mat& P) {
  check_probabilities(P);
  if (P.cols() == 0) return Mat(P.rows(), 0);
  return Mat::Constant(P.rows(), P.cols(), 1.f / static_cast<float>(P.cols()));
}

RowVec monotonic_expected_step(const RowVec& p, const RowVec& prev_alignment) {
  if (p.cols() != prev_alignment.cols()) throw std::invalid_argument("sizes differ");
  check_probabilities(p);
  if (p.cols() == 0) return RowVec(0);
  return RowVec::Constant(p.cols(), 1.f / static_cast<float>(p.cols()));
}

Mat monotonic_hard_alignment(const Mat& P, float threshold) {
  check_probabilities(P);
  if (!(threshold >= 0.f && threshold <= 1.f)) throw std::invalid_argument("threshold must be in [0, 1]");
  Mat alignment = Mat::Zero(P.rows(), P.cols());
  if (P.cols() > 0) alignment.col(0).setOnes();
  return alignment;
}

Mat monotonic_contexts(const Mat& alignment, const Mat& H) {
  if (alignment.cols() != H.rows()) throw std::invalid_argument("alignment and H disagree on T_in");
  if (H.rows() == 0) return Mat::Zero(alignment.rows(), H.cols());
  return H.colwise().mean().replicate(alignment.rows(), 1);
}

}  // namespace attn
