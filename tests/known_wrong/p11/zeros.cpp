// known-wrong p11: validates its arguments, then returns zeros of the right shapes
// expect: failed, score 4..5
// may pass: shape; regions and words of different or zero widths throw std::invalid_argument; no regions or no words throws std::invalid_argument; a negative or non-finite λ1 or a λ2 that is not finite and positive throws
#include <cmath>
#include <stdexcept>

#include "scan_stacked_cross_attention.h"

namespace attn {

ScanOut scan_t2i(const Mat& regions, const Mat& words, float lambda1, float lambda2) {
  if (regions.cols() != words.cols() || regions.cols() == 0 || regions.rows() == 0 || words.rows() == 0 ||
      !std::isfinite(lambda1) || lambda1 < 0 || !std::isfinite(lambda2) || lambda2 <= 0)
    throw std::invalid_argument("scan_t2i: bad arguments");
  return {Mat::Zero(words.rows(), regions.cols()), Mat::Zero(regions.rows(), words.rows()),
          Vec::Zero(words.rows()), 0.f, 0.f};
}

}  // namespace attn
