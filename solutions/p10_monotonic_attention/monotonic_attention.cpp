// p10 monotonic_attention — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "monotonic_attention.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace attn {
namespace {

using Index = Eigen::Index;

void check_probabilities(const Mat& P, const char* fn) {
  // written as !(0 <= p <= 1) so that NaN fails too
  for (Index i = 0; i < P.rows(); ++i)
    for (Index j = 0; j < P.cols(); ++j)
      if (!(P(i, j) >= 0.f && P(i, j) <= 1.f))
        throw std::invalid_argument(std::string(fn) + ": choosing probabilities must be in [0, 1]");
}

// α_i from p_i and α_{i-1}, both (1, T_in). No division and no cumulative product: q only ever gets
// multiplied by (1 - p) in [0, 1] and added to, so it stays in [0, 1] and cannot overflow or turn 0/0.
RowVec expected_step(const RowVec& p, const RowVec& prev_alignment) {
  const Index T_in = p.cols();
  RowVec alignment(T_in);
  float q = 0.f;  // q_j: probability that the scan of this step reaches frame j without having stopped
  for (Index frame_j = 0; frame_j < T_in; ++frame_j) {
    // reach j by passing j-1 (not stopping there), or by starting at j (where step i-1 stopped)
    q = (frame_j == 0 ? 0.f : (1.f - p(frame_j - 1)) * q) + prev_alignment(frame_j);
    alignment(frame_j) = p(frame_j) * q;
  }
  return alignment;
}

}  // namespace

RowVec monotonic_expected_step(const RowVec& p, const RowVec& prev_alignment) {
  if (p.cols() != prev_alignment.cols())
    throw std::invalid_argument("monotonic_expected_step: p and prev_alignment need the same T_in");
  check_probabilities(p, "monotonic_expected_step");
  return expected_step(p, prev_alignment);
}

Mat monotonic_expected_alignment(const Mat& P) {
  // P is (T_out, T_in); the result is (T_out, T_in), row i = α_i
  check_probabilities(P, "monotonic_expected_alignment");
  const Index T_out = P.rows(), T_in = P.cols();
  Mat alignment(T_out, T_in);
  if (T_in == 0) return alignment;

  // pass 1: the initial alignment δ_0: before the first output step the scan sits on frame 0
  RowVec prev = RowVec::Zero(T_in);
  prev(0) = 1.f;
  // pass 2: one recursion per output step, each starting from the previous step's alignment
  for (Index step_i = 0; step_i < T_out; ++step_i) {
    alignment.row(step_i) = expected_step(P.row(step_i), prev);
    prev = alignment.row(step_i);
  }
  return alignment;
}

Mat monotonic_hard_alignment(const Mat& P, float threshold) {
  // P is (T_out, T_in); the result is (T_out, T_in), one-hot rows, then zero rows once a scan finds nothing
  check_probabilities(P, "monotonic_hard_alignment");
  if (!(threshold >= 0.f && threshold <= 1.f))
    throw std::invalid_argument("monotonic_hard_alignment: threshold must be in [0, 1]");
  const Index T_out = P.rows(), T_in = P.cols();
  Mat alignment = Mat::Zero(T_out, T_in);

  // each step scans forward from where the previous one stopped (t_{i-1} itself included: a step may stay
  // on the same frame). Over all steps the scans read O(T_out + T_in) entries: linear time, online.
  Index start = 0;  // t_{i-1}; t_{-1} = 0
  for (Index step_i = 0; step_i < T_out; ++step_i) {
    Index chosen = start;
    while (chosen < T_in && !(P(step_i, chosen) >= threshold)) ++chosen;
    // the scan ran off the end: this step attends to nothing, and neither does any later one (there is no
    // frame left to stop at)
    if (chosen == T_in) break;
    alignment(step_i, chosen) = 1.f;
    start = chosen;
  }
  return alignment;
}

Mat monotonic_contexts(const Mat& alignment, const Mat& H) {
  // alignment is (T_out, T_in), H is (T_in, d); the result is (T_out, d)
  if (alignment.cols() != H.rows())
    throw std::invalid_argument("monotonic_contexts: alignment needs one column per row of H");
  Mat contexts = Mat::Zero(alignment.rows(), H.cols());
  for (Index step_i = 0; step_i < alignment.rows(); ++step_i)
    for (Index frame_j = 0; frame_j < alignment.cols(); ++frame_j) {
      // skip zero weights rather than multiply: 0 * NaN is NaN, and a frame nobody chose may not exist yet
      const float weight = alignment(step_i, frame_j);
      if (weight != 0.f) contexts.row(step_i) += weight * H.row(frame_j);
    }
  return contexts;
}

}  // namespace attn
