// known-wrong p19: validates its arguments, then weighs the source uniformly (global: all S, p_t = -1; local-p: the window around (S-1)/2)
// expect: failed, score 5..6
// may pass: shape; D below 1 throws std::invalid_argument; mismatched dimensions throw std::invalid_argument
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "luong_global_local_attention.h"

namespace attn {

namespace {

void check(const RowVec& h_t, const Mat& src, const LuongParams& p) {
  const Eigen::Index n_t = h_t.cols(), n_s = src.cols();
  bool ok = src.rows() >= 1 && p.W_c.rows() == n_s + n_t;
  if (p.score == LuongScore::Dot) ok = ok && n_t == n_s;
  if (p.score == LuongScore::General) ok = ok && p.W_a.rows() == n_t && p.W_a.cols() == n_s;
  if (p.score == LuongScore::Concat) ok = ok && p.W_a.rows() == n_t + n_s && p.W_a.cols() == p.v_a.size();
  if (!ok) throw std::invalid_argument("luong: bad arguments");
}

// uniform weights over rows first..last, context and h_tilde from them
LuongOut uniform(const RowVec& h_t, const Mat& src, const LuongParams& p, Eigen::Index first,
                 Eigen::Index last, float p_t) {
  const Eigen::Index count = last - first + 1, n_s = src.cols();
  LuongOut out;
  out.weights = Vec::Zero(src.rows());
  out.weights.segment(first, count).setConstant(1.f / static_cast<float>(count));
  out.context = src.middleRows(first, count).colwise().mean();
  out.h_tilde =
      (out.context * p.W_c.topRows(n_s) + h_t * p.W_c.bottomRows(h_t.cols())).array().tanh().matrix();
  out.p_t = p_t;
  return out;
}

}  // namespace

LuongOut luong_global(const RowVec& h_t, const Mat& src, const LuongParams& p) {
  check(h_t, src, p);
  return uniform(h_t, src, p, 0, src.rows() - 1, -1.f);
}

LuongOut luong_local_p(const RowVec& h_t, const Mat& src, const LuongParams& p) {
  check(h_t, src, p);
  if (p.D < 1 || p.W_p.rows() != h_t.cols() || p.W_p.cols() != p.v_p.size())
    throw std::invalid_argument("luong_local_p: bad arguments");
  const double centre = 0.5 * static_cast<double>(src.rows() - 1);
  const auto first = std::max<Eigen::Index>(0, static_cast<Eigen::Index>(std::ceil(centre - p.D)));
  const auto last =
      std::min<Eigen::Index>(src.rows() - 1, static_cast<Eigen::Index>(std::floor(centre + p.D)));
  return uniform(h_t, src, p, first, last, static_cast<float>(centre));
}

}  // namespace attn
