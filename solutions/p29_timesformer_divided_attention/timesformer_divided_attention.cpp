// p29 timesformer_divided_attention — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
// One routine does the work: residual single-head attention inside one group of rows. The layers differ only
// in the groups: a patch's T tokens (time), a frame's N tokens (space), or every row of X (joint).
#include "timesformer_divided_attention.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace attn {
namespace {

using Index = Eigen::Index;

void require(bool ok, const char* fn, const char* what) {
  if (!ok) throw std::invalid_argument(std::string(fn) + ": " + what);
}

void check_weights(const AttnWeights& w, Index d, const char* fn) {
  require(w.Wq.rows() == d && w.Wk.rows() == d && w.Wv.rows() == d, fn,
          "Wq, Wk and Wv need d = X.cols() rows");
  require(w.Wq.cols() > 0 && w.Wk.cols() == w.Wq.cols(), fn, "Wq and Wk need the same d_k >= 1 columns");
  require(w.Wo.rows() == w.Wv.cols() && w.Wo.cols() == d, fn, "Wo must be (Wv.cols(), d)");
}

void check_clip(const Mat& X, int T, int N, const char* fn) {
  require(T >= 1 && N >= 1, fn, "T and N must be at least 1");
  require(X.rows() == static_cast<Index>(T) * N, fn, "X must have T*N rows");
}

// Z + Attn(Z) for one group of rows Z (L, d): the L tokens attend to each other and to nothing else.
Mat attend_within(const Mat& Z, const AttnWeights& w) {
  // pass 1: project. q and k are (L, d_k), v is (L, d_v)
  const Mat q = Z * w.Wq, k = Z * w.Wk, v = Z * w.Wv;
  // pass 2: scores (L, L), row i = query i against every key of the group, scaled by 1/sqrt(d_k)
  const float scale = 1.f / std::sqrt(static_cast<float>(w.Wq.cols()));
  Mat weights = scale * (q * k.transpose());
  // pass 3: softmax over each row. Subtracting the row max makes every exponent <= 0 and the sum >= 1
  const Vec row_max = weights.rowwise().maxCoeff();
  weights = (weights.colwise() - row_max).array().exp().matrix();
  const Vec row_sum = weights.rowwise().sum();  // a named vector: the division cannot read its own output
  weights.array().colwise() /= row_sum.array();
  // pass 4: mix the values, project back to d, add the residual. (L, L) (L, d_v) (d_v, d)
  return Z + weights * v * w.Wo;
}

}  // namespace

Mat time_attention(const Mat& X, int T, int N, const AttnWeights& w) {
  check_clip(X, T, N, "time_attention");
  check_weights(w, X.cols(), "time_attention");
  // X is (T·N, d), frame-major: patch p's tokens are rows p, N + p, ..., (T-1)·N + p, a stride-N slice
  Mat out(X.rows(), X.cols());
  for (Index patch = 0; patch < N; ++patch) {
    const auto patch_rows = Eigen::seqN(patch, T, N);
    out(patch_rows, Eigen::all) = attend_within(X(patch_rows, Eigen::all), w);  // (T, d)
  }
  return out;
}

Mat space_attention(const Mat& X, int T, int N, const AttnWeights& w) {
  check_clip(X, T, N, "space_attention");
  check_weights(w, X.cols(), "space_attention");
  // frame t's tokens are the contiguous rows [t·N, (t+1)·N)
  Mat out(X.rows(), X.cols());
  for (Index frame = 0; frame < T; ++frame)
    out.middleRows(frame * N, N) = attend_within(X.middleRows(frame * N, N), w);  // (N, d)
  return out;
}

Mat divided_space_time_attention(const Mat& X, int T, int N, const AttnWeights& time,
                                 const AttnWeights& space) {
  const char* fn = "divided_space_time_attention";
  check_clip(X, T, N, fn);
  check_weights(time, X.cols(), fn);
  check_weights(space, X.cols(), fn);
  // time first, then space on its result: token (t, p) reaches (t', p') through (t', p) in two steps
  return space_attention(time_attention(X, T, N, time), T, N, space);
}

Mat joint_space_time_attention(const Mat& X, const AttnWeights& w) {
  check_weights(w, X.cols(), "joint_space_time_attention");
  if (X.rows() == 0) return X;  // no tokens, nothing to attend to: (0, d)
  // X is (n, d): one group of every row, (n, n) scores
  return attend_within(X, w);
}

}  // namespace attn
