// known-wrong p24: validates its arguments, then runs the block with every position weighted 1/N (y_i = mean of g)
// expect: failed, score 4..5
// may pass: shape; mismatched shapes or an unknown kind throw std::invalid_argument
#include <stdexcept>

#include "nonlocal_spacetime_block.h"

namespace attn {

Mat nonlocal_block(const Mat& X, const NonLocalParams& p) {
  const Eigen::Index C = X.cols(), N = X.rows();
  const bool known = p.kind == NonLocalKind::Gaussian || p.kind == NonLocalKind::EmbeddedGaussian ||
                     p.kind == NonLocalKind::DotProduct || p.kind == NonLocalKind::Concatenation;
  bool ok = known && p.W_g.rows() == C && p.W_z.rows() == p.W_g.cols() && p.W_z.cols() == C && p.b_z.size() == C;
  if (p.kind != NonLocalKind::Gaussian)
    ok = ok && p.W_theta.rows() == C && p.W_phi.rows() == C && p.W_theta.cols() == p.W_phi.cols();
  if (p.kind == NonLocalKind::Concatenation) ok = ok && p.w_f.size() == 2 * p.W_theta.cols();
  if (!ok) throw std::invalid_argument("nonlocal_block: bad arguments");
  if (N == 0) return Mat(0, C);
  const RowVec y = (X * p.W_g).colwise().mean();  // the same context for every position
  Mat Z = (y * p.W_z).replicate(N, 1);
  Z.rowwise() += p.b_z;
  return Z + X;
}

}  // namespace attn
