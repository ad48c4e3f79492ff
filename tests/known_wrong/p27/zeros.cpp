// known-wrong p27: validates its arguments, then returns zeros of the right shapes
// expect: failed, score 5..6
// may pass: shape; source ids outside 0..V+n_oov throw std::invalid_argument; valid_len outside 1..T throws std::invalid_argument; mismatched shapes throw std::invalid_argument
#include "pointer_generator_coverage.h"

#include <stdexcept>

namespace attn {

PGStep pointer_generator_step(const Mat& enc, const std::vector<int>& src_ext_ids, int n_oov, int valid_len,
                              const RowVec& s_t, const RowVec& x_t, const Vec& coverage, const PGParams& p) {
  const Eigen::Index T = enc.rows(), d_enc = enc.cols(), d_dec = s_t.size(), h = p.v.size(), V = p.b2.size();
  if (static_cast<Eigen::Index>(src_ext_ids.size()) != T || coverage.size() != T || valid_len < 1 ||
      valid_len > T || n_oov < 0 || p.W_h.rows() != d_enc || p.W_h.cols() != h || p.W_s.rows() != d_dec ||
      p.W_s.cols() != h || p.w_c.size() != h || p.b_attn.size() != h || p.V1.rows() != d_dec + d_enc ||
      p.b1.size() != p.V1.cols() || p.V2.rows() != p.V1.cols() || p.V2.cols() != V ||
      p.w_hstar.size() != d_enc || p.w_s.size() != d_dec || p.w_x.size() != x_t.size())
    throw std::invalid_argument("pointer_generator_step: bad arguments");
  for (int i = 0; i < valid_len; ++i)
    if (src_ext_ids[i] < 0 || src_ext_ids[i] >= V + n_oov)
      throw std::invalid_argument("pointer_generator_step: id out of range");
  PGStep step;
  step.final_dist = Vec::Zero(V + n_oov);
  step.attention = Vec::Zero(T);
  step.new_coverage = Vec::Zero(T);
  return step;
}

}  // namespace attn
