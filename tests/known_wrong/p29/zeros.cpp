// known-wrong p29: validates its arguments, then returns zeros of the right shape
// expect: failed, score 5..6
// may pass: shape; a clip size that does not match X throws std::invalid_argument; weights of the wrong shapes throw std::invalid_argument
#include <stdexcept>

#include "timesformer_divided_attention.h"

namespace attn {

namespace {

void check(const Mat& X, const AttnWeights& w) {
  const Eigen::Index d = X.cols();
  if (w.Wq.rows() != d || w.Wk.rows() != d || w.Wv.rows() != d || w.Wq.cols() == 0 ||
      w.Wk.cols() != w.Wq.cols() || w.Wo.rows() != w.Wv.cols() || w.Wo.cols() != d)
    throw std::invalid_argument("bad weights");
}

void check(const Mat& X, int T, int N) {
  if (T < 1 || N < 1 || X.rows() != Eigen::Index{T} * N) throw std::invalid_argument("bad clip size");
}

}  // namespace

Mat time_attention(const Mat& X, int T, int N, const AttnWeights& w) {
  check(X, T, N), check(X, w);
  return Mat::Zero(X.rows(), X.cols());
}

Mat space_attention(const Mat& X, int T, int N, const AttnWeights& w) {
  check(X, T, N), check(X, w);
  return Mat::Zero(X.rows(), X.cols());
}

Mat divided_space_time_attention(const Mat& X, int T, int N, const AttnWeights& time,
                                 const AttnWeights& space) {
  check(X, T, N), check(X, time), check(X, space);
  return Mat::Zero(X.rows(), X.cols());
}

Mat joint_space_time_attention(const Mat& X, const AttnWeights& w) {
  check(X, w);
  return Mat::Zero(X.rows(), X.cols());
}

}  // namespace attn
