// known-wrong p19: validates its arguments, then returns zeros of the right shapes (and p_t = 0)
// expect: failed, score 5..6
// may pass: shape; D below 1 throws std::invalid_argument; mismatched dimensions throw std::invalid_argument
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

LuongOut zeros(const Mat& src, const LuongParams& p) {
  return {RowVec::Zero(p.W_c.cols()), RowVec::Zero(src.cols()), Vec::Zero(src.rows()), 0.f};
}

}  // namespace

LuongOut luong_global(const RowVec& h_t, const Mat& src, const LuongParams& p) {
  check(h_t, src, p);
  return zeros(src, p);
}

LuongOut luong_local_p(const RowVec& h_t, const Mat& src, const LuongParams& p) {
  check(h_t, src, p);
  if (p.D < 1 || p.W_p.rows() != h_t.cols() || p.W_p.cols() != p.v_p.size())
    throw std::invalid_argument("luong_local_p: bad arguments");
  return zeros(src, p);
}

}  // namespace attn
