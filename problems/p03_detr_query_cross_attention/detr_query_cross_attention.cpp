// p03 detr_query_cross_attention — your solution. Statement: ./attnkata show p03   Grade: ./attnkata grade
// p03
#include "detr_query_cross_attention.h"

#include <stdexcept>

namespace attn {

Keep detr_pixel_valid(int H, int W, int valid_h, int valid_w) {
  // TODO: check the sizes (throw std::invalid_argument), then mark pixel (h, w) valid at index h * W + w when
  // h < valid_h and w < valid_w. About 8 lines.
  throw std::logic_error("TODO: implement detr_pixel_valid");
}

// Only this file is compiled for p03, so p04's multi_head_attention is not available here: write (or copy in)
// what you need of it.

Attention detr_cross_attention(const Mat& tgt, const Mat& query_pos, const Mat& memory, const Mat& pos,
                               const Keep& pixel_valid, const MHAParams& p) {
  // TODO: check the shapes (throw std::invalid_argument); collect the valid pixels; project
  // Q' = (tgt + query_pos) Wq + bq, K' = (memory + pos) Wk + bk and V' = memory Wv + bv on the valid rows
  // only; for each head h (columns [h*d_h, (h+1)*d_h)) take a stable softmax of Q'_h K'_hᵀ / sqrt(d_h) over
  // the valid pixels, write its weights into those pixels' columns and its output into the head's columns of
  // the concatenation; finish with concat * Wo + bo and the mean of the heads' weights. About 45 lines.
  throw std::logic_error("TODO: implement detr_cross_attention");
}

}  // namespace attn
