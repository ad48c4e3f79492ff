// known-wrong p28: validates its arguments, then returns zero gates and a zero output of the right shapes
// expect: failed, score 5..6
// may pass: shape; an even or non-square kernel throws std::invalid_argument; bad H or W or an empty map throws std::invalid_argument; MLP weights of the wrong shape throw std::invalid_argument
#include <stdexcept>

#include "cbam_channel_spatial.h"

namespace attn {
namespace {

void check_channel(const Mat& F, const CbamParams& p) {
  const Eigen::Index C = F.cols(), h = p.W0.cols();
  if (F.rows() < 1 || C < 1 || p.W0.rows() != C || p.b0.size() != h || p.W1.rows() != h || p.W1.cols() != C ||
      p.b1.size() != C)
    throw std::invalid_argument("cbam: bad channel arguments");
}

void check_spatial(const Mat& F, int H, int W, const CbamParams& p) {
  const Mat &Ka = p.spatial_kernel[0], &Km = p.spatial_kernel[1];
  if (H < 1 || W < 1 || F.rows() != Eigen::Index{H} * W || F.cols() < 1 || Ka.rows() != Ka.cols() ||
      Km.rows() != Km.cols() || Ka.rows() != Km.rows() || Ka.rows() % 2 == 0)
    throw std::invalid_argument("cbam: bad spatial arguments");
}

}  // namespace

RowVec cbam_channel_attention(const Mat& F, const CbamParams& p) {
  check_channel(F, p);
  return RowVec::Zero(F.cols());
}

Mat cbam_spatial_attention(const Mat& F, int H, int W, const CbamParams& p) {
  check_spatial(F, H, W, p);
  return Mat::Zero(H, W);
}

CbamOut cbam(const Mat& F, int H, int W, const CbamParams& p) {
  check_channel(F, p);
  check_spatial(F, H, W, p);
  return {Mat::Zero(F.rows(), F.cols()), RowVec::Zero(F.cols()), Mat::Zero(H, W)};
}

}  // namespace attn
