// p03 detr_query_cross_attention: DETR's decoder cross-attention, object queries against a flattened feature
// map.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// The pixel validity of one image in a padded batch, on its H×W feature map. DETR pads every image of a batch
// at the bottom and on the right to the largest size, so the image covers rows 0..valid_h-1 and columns
// 0..valid_w-1 of the map. Returns (H·W,) with entry h·W + w (the set's flattening rule) true when h <
// valid_h and w < valid_w. valid_h = 0 or valid_w = 0 gives an all-false mask. Throws std::invalid_argument
// when H <= 0, W <= 0, valid_h is not in [0, H] or valid_w is not in [0, W].
Keep detr_pixel_valid(int H, int W, int valid_h, int valid_w);

// Cross-attention of DETR's decoder (facebookresearch/detr TransformerDecoderLayer.multihead_attn):
//   Q' = (tgt + query_pos) Wq + bq       (N_q, d)   positional terms are added before the projections
//   K' = (memory + pos) Wk + bk          (HW, d)
//   V' = memory Wv + bv                  (HW, d)    no positional term in the values
//   head h = softmax over the valid pixels of (Q'_h K'_hᵀ / sqrt(d_h)), times V'_h;  d_h = d / num_heads
//   output = [head 0, ..., head num_heads-1] Wo + bo;  weights = the mean of the heads' weights
// Heads are packed in columns: head h is columns [h*d_h, (h+1)*d_h) of Q', K', V' and of the concatenation.
//   tgt: (N_q, d) the decoder state of the object queries (all zeros in DETR's first decoder layer)
//   query_pos: (N_q, d) the learned object-query embeddings
//   memory: (HW, d) the encoder's feature map, row h·W + w is pixel (h, w)
//   pos: (HW, d) the spatial positional encodings of the same pixels
//   pixel_valid: (HW,) true = a pixel of the image, false = padding (DETR's mask and nn.MultiheadAttention's
//                key_padding_mask are the opposite: true = padding)
//   p: Wq, Wk, Wv, Wo (d, d) and bq, bk, bv, bo (1, d), with d = Wq.rows()
// Returns output (N_q, d) and weights (N_q, HW). Invalid pixels get weight exactly 0 and their memory and pos
// rows are never read, so NaN or 1e30 there cannot leak. With no valid pixel every weight is 0 and every
// output row is bo. Throws std::invalid_argument when num_heads <= 0, d % num_heads != 0, a weight is not (d,
// d), a bias is not (1, d), tgt, query_pos, memory or pos does not have d columns, query_pos and tgt differ
// in rows, pos and memory differ in rows, or pixel_valid does not have one entry per memory row.
Attention detr_cross_attention(const Mat& tgt, const Mat& query_pos, const Mat& memory, const Mat& pos,
                               const Keep& pixel_valid, const MHAParams& p);

}  // namespace attn
