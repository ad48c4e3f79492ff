// p21 squeeze_excitation: Squeeze-and-Excitation channel attention (Hu et al. 2018) on a flattened map.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// What squeeze_excitation returns.
struct SEOut {
  Mat output;    // (H·W, C): output(p, c) = U(p, c) · scale(c), the recalibrated map
  RowVec scale;  // (1, C): the channel gate s, every entry in [0, 1]
};

// Squeeze-and-Excitation on one image's feature map, no batch.
//   U: (H·W, C), row p = h·W + w is pixel (h, w); PyTorch's (C, H, W) x is x.permute(1, 2, 0)
//      reshaped to (H·W, C)
//   W1: (C, C_r)   b1: (1, C_r)   W2: (C_r, C)   b2: (1, C)   C_r = W1.cols(), any size (C / r in the paper)
// squeeze:   z = the mean of U's rows, (1, C): one average per channel over all H·W pixels
// excite:    s = sigmoid(ReLU(z W1 + b1) W2 + b2), (1, C)
// scale:     output = U diag(s): column c of U times s_c; the rows (pixels) are never mixed.
// Row convention: a PyTorch 1×1 conv weight (C_r, C, 1, 1) gives W1 = weight[:, :, 0, 0]ᵀ.
// Every gate is in [0, 1] and finite for any logit: in float32 it rounds to exactly 1.0f above a logit of
// about 17.3 and to 0.0f below about -104, and an exp that overflows must not turn it into NaN.
// Throws std::invalid_argument when U has no rows (no pixel to average), W1.rows() != C, b1.cols() != C_r,
// W2.rows() != C_r, W2.cols() != C or b2.cols() != C.
SEOut squeeze_excitation(const Mat& U, const Mat& W1, const RowVec& b1, const Mat& W2, const RowVec& b2);

}  // namespace attn
