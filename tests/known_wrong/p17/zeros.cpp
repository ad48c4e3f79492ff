// known-wrong p17: validates its arguments, then returns y = 0, zero pair weights and a zero pooled vector
// expect: failed, score 5..6
// may pass: shape; V x and w that disagree on m throw std::invalid_argument; W b h or p of the wrong size throws std::invalid_argument
#include <stdexcept>

#include "afm_attentional_fm.h"

namespace attn {

AfmOut afm_forward(const Mat& V, const Vec& x, const AfmParams& params) {
  const Eigen::Index m = V.rows(), k = V.cols(), t = params.W.cols();
  if (x.size() != m || params.w.size() != m || params.W.rows() != k || params.b.size() != t ||
      params.h.size() != t || params.p.size() != k)
    throw std::invalid_argument("afm_forward: bad arguments");
  AfmOut out;
  out.pair_weights = Vec::Zero(m * (m - 1) / 2);
  out.pooled = RowVec::Zero(k);
  return out;
}

}  // namespace attn
