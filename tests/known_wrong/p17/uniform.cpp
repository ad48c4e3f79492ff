// known-wrong p17: validates its arguments, then weighs every pair of present fields the same (FM's sum / P, h and W unused)
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
  out.y = params.w0 + params.w.dot(x);
  out.pair_weights = Vec::Zero(m * (m - 1) / 2);
  out.pooled = RowVec::Zero(k);
  Eigen::Index pair = 0, n_present = 0;
  for (Eigen::Index i = 0; i < m; ++i)
    for (Eigen::Index j = i + 1; j < m; ++j, ++pair)
      if (x(i) != 0 && x(j) != 0) {
        out.pair_weights(pair) = 1;
        out.pooled += V.row(i).cwiseProduct(V.row(j)) * (x(i) * x(j));
        ++n_present;
      }
  if (n_present == 0) return out;
  out.pair_weights /= static_cast<float>(n_present);
  out.pooled /= static_cast<float>(n_present);
  out.y += out.pooled.dot(params.p);
  return out;
}

}  // namespace attn
