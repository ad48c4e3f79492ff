// known-wrong p24: validates its arguments, then returns zeros of the shape of X
// expect: failed, score 4..5
// may pass: shape; mismatched shapes or an unknown kind throw std::invalid_argument
#include <stdexcept>

#include "nonlocal_spacetime_block.h"

namespace attn {

Mat nonlocal_block(const Mat& X, const NonLocalParams& p) {
  const Eigen::Index C = X.cols();
  const bool known = p.kind == NonLocalKind::Gaussian || p.kind == NonLocalKind::EmbeddedGaussian ||
                     p.kind == NonLocalKind::DotProduct || p.kind == NonLocalKind::Concatenation;
  bool ok = known && p.W_g.rows() == C && p.W_z.rows() == p.W_g.cols() && p.W_z.cols() == C && p.b_z.size() == C;
  if (p.kind != NonLocalKind::Gaussian)
    ok = ok && p.W_theta.rows() == C && p.W_phi.rows() == C && p.W_theta.cols() == p.W_phi.cols();
  if (p.kind == NonLocalKind::Concatenation) ok = ok && p.w_f.size() == 2 * p.W_theta.cols();
  if (!ok) throw std::invalid_argument("nonlocal_block: bad arguments");
  return Mat::Zero(X.rows(), C);
}

}  // namespace attn
