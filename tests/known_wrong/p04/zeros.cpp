// known-wrong p04: validates its arguments as the header says, then returns zeros of the right shapes
// expect: failed, score 5..6
// may pass: shape; d not divisible by num_heads throws std::invalid_argument; num_heads of 0 or less throws std::invalid_argument; mismatched weight and input shapes throw std::invalid_argument
#include "multi_head_attention.h"

#include <stdexcept>

namespace attn {

MHAOut multi_head_attention(const Mat& query, const Mat& key, const Mat& value, const MHAParams& p,
                            const std::optional<Mask>& keep) {
  const Eigen::Index d = p.Wq.rows(), n_q = query.rows(), n_k = key.rows();
  bool ok = p.num_heads > 0 && d % p.num_heads == 0;
  for (const Mat* W : {&p.Wq, &p.Wk, &p.Wv, &p.Wo}) ok = ok && W->rows() == d && W->cols() == d;
  for (const RowVec* b : {&p.bq, &p.bk, &p.bv, &p.bo}) ok = ok && b->size() == d;
  ok = ok && query.cols() == d && key.cols() == d && value.cols() == d && key.rows() == value.rows();
  ok = ok && (!keep || (keep->rows() == n_q && keep->cols() == n_k));
  if (!ok) throw std::invalid_argument("multi_head_attention: bad arguments");
  return {Mat::Zero(n_q, d), Mat::Zero(n_q, n_k), std::vector<Mat>(p.num_heads, Mat::Zero(n_q, n_k))};
}

}  // namespace attn
