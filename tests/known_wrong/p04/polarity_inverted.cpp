// known-wrong p04: mask polarity inverted (nn.MultiheadAttention's key_padding_mask convention)
// expect: failed, score 0..19
#include "multi_head_attention.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace attn {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("multi_head_attention: ") + what);
}

// Softmax of each row of scores (n_q, n_k) over the keys keep allows. Masked entries are never read (they may
// be NaN) and stay exactly 0; a row with no allowed key stays all 0.
Mat masked_softmax_rows(const Mat& scores, const std::optional<Mask>& keep) {
  const Eigen::Index n_q = scores.rows(), n_k = scores.cols();
  Mat weights = Mat::Zero(n_q, n_k);
  for (Eigen::Index query_i = 0; query_i < n_q; ++query_i) {
    auto allowed = [&](Eigen::Index key_j) { return !keep || !(*keep)(query_i, key_j); };
    float row_max = -INFINITY;
    bool any = false;
    for (Eigen::Index key_j = 0; key_j < n_k; ++key_j)
      if (allowed(key_j)) {
        row_max = any ? std::max(row_max, scores(query_i, key_j)) : scores(query_i, key_j);
        any = true;
      }
    if (!any) continue;
    // exp(s - max) is in (0, 1] and the sum is at least 1: no overflow, no division by zero
    float sum = 0.f;
    for (Eigen::Index key_j = 0; key_j < n_k; ++key_j)
      if (allowed(key_j)) sum += weights(query_i, key_j) = std::exp(scores(query_i, key_j) - row_max);
    weights.row(query_i) /= sum;
  }
  return weights;
}

}  // namespace

MHAOut multi_head_attention(const Mat& query, const Mat& key, const Mat& value, const MHAParams& p,
                            const std::optional<Mask>& keep) {
  // query is (n_q, d), key and value are (n_k, d); Wq, Wk, Wv, Wo are (d, d); bq, bk, bv, bo are (1, d)
  require(p.num_heads > 0, "num_heads must be positive");
  const Eigen::Index d = p.Wq.rows();
  for (const Mat* W : {&p.Wq, &p.Wk, &p.Wv, &p.Wo})
    require(W->rows() == d && W->cols() == d, "Wq, Wk, Wv and Wo must all be (d, d)");
  for (const RowVec* b : {&p.bq, &p.bk, &p.bv, &p.bo}) require(b->size() == d, "bq, bk, bv and bo must be (1, d)");
  require(d % p.num_heads == 0, "d must be divisible by num_heads");
  require(query.cols() == d && key.cols() == d && value.cols() == d, "query, key and value need d columns");
  require(key.rows() == value.rows(), "key and value need the same number of rows");
  const Eigen::Index n_q = query.rows(), n_k = key.rows();
  require(!keep || (keep->rows() == n_q && keep->cols() == n_k), "keep must be (n_q, n_k)");
  const Eigen::Index n_heads = p.num_heads, d_h = d / n_heads;
  // each head's scores are dot products of d_h features, so their spread grows like sqrt(d_h), not sqrt(d)
  const float scale = 1.f / std::sqrt(static_cast<float>(d_h));

  // pass 1: project. Q' is (n_q, d), K' and V' are (n_k, d). A product acts row by row, so a NaN in a
  // masked key or value row stays in that row of K' or V', where pass 2 never reads it.
  const Mat Qp = (query * p.Wq).rowwise() + p.bq;
  const Mat Kp = (key * p.Wk).rowwise() + p.bk;
  const Mat Vp = (value * p.Wv).rowwise() + p.bv;

  MHAOut out;
  out.avg_weights = Mat::Zero(n_q, n_k);
  Mat concat = Mat::Zero(n_q, d);  // (n_q, d): head h's output goes into columns [h*d_h, (h+1)*d_h)
  for (Eigen::Index head_h = 0; head_h < n_heads; ++head_h) {
    const Eigen::Index col0 = head_h * d_h;
    // pass 2: scores (n_q, n_k) on the head's column block, then the masked softmax
    const Mat scores = scale * (Qp.middleCols(col0, d_h) * Kp.middleCols(col0, d_h).transpose());
    Mat weights = masked_softmax_rows(scores, keep);
    // pass 3: the head's output (n_q, d_h), written into its own columns: that is the concatenation.
    // With a mask, sum only the allowed keys: a masked key has weight 0, but 0 * NaN is NaN.
    if (!keep) {
      concat.middleCols(col0, d_h) = weights * Vp.middleCols(col0, d_h);
    } else {
      for (Eigen::Index query_i = 0; query_i < n_q; ++query_i)
        for (Eigen::Index key_j = 0; key_j < n_k; ++key_j)
          if (!(*keep)(query_i, key_j))
            concat.row(query_i).segment(col0, d_h) += weights(query_i, key_j) * Vp.row(key_j).segment(col0, d_h);
    }
    out.avg_weights += weights;
    out.head_weights.push_back(std::move(weights));
  }
  out.avg_weights /= static_cast<float>(n_heads);

  // pass 4: output projection (n_q, d). Concat · Wo sums every head's block times its own d_h rows of Wo, so
  // the heads mix here. A fully masked query has a zero concat row, so its output row is exactly bo.
  out.output = (concat * p.Wo).rowwise() + p.bo;
  return out;
}

}  // namespace attn
