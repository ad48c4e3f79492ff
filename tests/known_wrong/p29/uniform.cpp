// known-wrong p29: validates its arguments, then weighs every token of a group equally (x + the mean of the group's x Wv Wo)
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
  Mat out = X;
  for (int p = 0; p < N; ++p) {
    const auto rows = Eigen::seqN(p, T, N);
    const Mat patch = X(rows, Eigen::all);  // an IndexedView cannot enter a product in Eigen 3.4.0: copy it
    const RowVec mean = (patch * w.Wv * w.Wo).colwise().mean();
    out(rows, Eigen::all).rowwise() += mean;
  }
  return out;
}

Mat space_attention(const Mat& X, int T, int N, const AttnWeights& w) {
  check(X, T, N), check(X, w);
  Mat out = X;
  for (int t = 0; t < T; ++t)
    out.middleRows(Eigen::Index{t} * N, N).rowwise() +=
        (X.middleRows(Eigen::Index{t} * N, N) * w.Wv * w.Wo).colwise().mean();
  return out;
}

Mat divided_space_time_attention(const Mat& X, int T, int N, const AttnWeights& time,
                                 const AttnWeights& space) {
  check(X, T, N), check(X, time), check(X, space);
  return space_attention(time_attention(X, T, N, time), T, N, space);
}

Mat joint_space_time_attention(const Mat& X, const AttnWeights& w) {
  check(X, w);
  if (X.rows() == 0) return X;
  Mat out = X;
  out.rowwise() += (X * w.Wv * w.Wo).colwise().mean();
  return out;
}

}  // namespace attn
