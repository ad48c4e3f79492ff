// p28 cbam_channel_spatial — your solution. Statement: ./attnkata show p28   Grade: ./attnkata grade p28
#include "cbam_channel_spatial.h"

#include <stdexcept>

namespace attn {

RowVec cbam_channel_attention(const Mat& F, const CbamParams& p) {
  // TODO: check the MLP shapes against C = F.cols(); pool F over its rows (the pixels) into an average and a
  // maximum (1, C); run both through the shared MLP ReLU(z W0 + b0) W1 + b1; add the two results and apply a
  // sigmoid that cannot overflow. About 15 lines.
  throw std::logic_error("TODO: implement cbam_channel_attention (about 15 lines)");
}

Mat cbam_spatial_attention(const Mat& F, int H, int W, const CbamParams& p) {
  // TODO: check H, W, F.rows() == H*W and the kernels (square, same size, odd k); build the channel-mean and
  // channel-max maps (H, W) with pixel (h, w) taken from row h*W + w; cross-correlate [mean; max] with
  // {K_avg, K_max}, zero padding (k-1)/2, add the bias and apply the sigmoid. About 25 lines.
  throw std::logic_error("TODO: implement cbam_spatial_attention (about 25 lines)");
}

CbamOut cbam(const Mat& F, int H, int W, const CbamParams& p) {
  // TODO: M_c from F; F' = F scaled column by column by M_c; M_s from F' (not from F); scale row h*W + w of
  // F' by M_s(h, w). About 10 lines.
  throw std::logic_error("TODO: implement cbam (about 10 lines)");
}

}  // namespace attn
