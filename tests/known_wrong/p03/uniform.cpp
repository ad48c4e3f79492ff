// known-wrong p03: validates its arguments, then weighs the valid pixels uniformly (every query reads the mean of the valid values; the mask helper marks every pixel valid)
// expect: failed, score 6..7
// may pass: shape; num_heads that is not positive or does not divide d throws std::invalid_argument; mismatched shapes throw std::invalid_argument; detr_pixel_valid with a size or extent out of range throws std::invalid_argument
#include <stdexcept>

#include "detr_query_cross_attention.h"

namespace attn {

Keep detr_pixel_valid(int H, int W, int valid_h, int valid_w) {
  if (H <= 0 || W <= 0 || valid_h < 0 || valid_h > H || valid_w < 0 || valid_w > W)
    throw std::invalid_argument("detr_pixel_valid: bad arguments");
  return Keep::Constant(Eigen::Index{H} * W, true);
}

Attention detr_cross_attention(const Mat& tgt, const Mat& query_pos, const Mat& memory, const Mat& pos,
                               const Keep& pixel_valid, const MHAParams& p) {
  const Eigen::Index d = p.Wq.rows();
  bool ok = p.num_heads > 0 && d % p.num_heads == 0;
  for (const Mat* W : {&p.Wq, &p.Wk, &p.Wv, &p.Wo}) ok = ok && W->rows() == d && W->cols() == d;
  for (const RowVec* b : {&p.bq, &p.bk, &p.bv, &p.bo}) ok = ok && b->size() == d;
  ok = ok && tgt.cols() == d && query_pos.cols() == d && memory.cols() == d && pos.cols() == d;
  ok = ok && query_pos.rows() == tgt.rows() && pos.rows() == memory.rows() && pixel_valid.size() == memory.rows();
  if (!ok) throw std::invalid_argument("detr_cross_attention: bad arguments");
  // uniform weights over the valid pixels; every query reads the mean of their value rows, never a padded row
  const Eigen::Index n_queries = tgt.rows(), n_valid = pixel_valid.count();
  Attention out{Mat::Zero(n_queries, d), Mat::Zero(n_queries, memory.rows())};
  RowVec mean = RowVec::Zero(d);
  for (Eigen::Index j = 0; j < memory.rows(); ++j)
    if (pixel_valid(j)) {
      out.weights.col(j).setConstant(1.f / static_cast<float>(n_valid));
      mean += (memory.row(j) * p.Wv + p.bv) / static_cast<float>(n_valid);
    }
  out.output = ((n_valid > 0 ? RowVec(mean * p.Wo) : RowVec::Zero(d)) + p.bo).replicate(n_queries, 1);
  return out;
}

}  // namespace attn
