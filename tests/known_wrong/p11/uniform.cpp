// known-wrong p11: validates its arguments, then weighs every region equally (each word attends to the mean region) and pools honestly
// expect: failed, score 5..6
// may pass: shape; regions and words of different or zero widths throw std::invalid_argument; no regions or no words throws std::invalid_argument; a negative or non-finite λ1 or a λ2 that is not finite and positive throws
#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "scan_stacked_cross_attention.h"

namespace attn {

ScanOut scan_t2i(const Mat& regions, const Mat& words, float lambda1, float lambda2) {
  if (regions.cols() != words.cols() || regions.cols() == 0 || regions.rows() == 0 || words.rows() == 0 ||
      !std::isfinite(lambda1) || lambda1 < 0 || !std::isfinite(lambda2) || lambda2 <= 0)
    throw std::invalid_argument("scan_t2i: bad arguments");
  const Eigen::Index k = regions.rows(), n = words.rows();
  ScanOut out;
  out.alpha = Mat::Constant(k, n, 1.f / static_cast<float>(k));
  const RowVec mean = regions.colwise().mean();
  out.attended = mean.replicate(n, 1);
  out.relevance.resize(n);
  for (Eigen::Index j = 0; j < n; ++j)
    out.relevance(j) = words.row(j).dot(mean) / std::max(words.row(j).norm() * mean.norm(), 1e-8f);
  const float top = out.relevance.maxCoeff();
  out.s_lse = top + std::log((lambda2 * (out.relevance.array() - top)).exp().sum()) / lambda2;
  out.s_avg = out.relevance.mean();
  return out;
}

}  // namespace attn
