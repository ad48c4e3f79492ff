// p03 detr_query_cross_attention — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "detr_query_cross_attention.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace attn {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("detr_query_cross_attention: ") + what);
}

}  // namespace

Keep detr_pixel_valid(int H, int W, int valid_h, int valid_w) {
  require(H > 0 && W > 0, "H and W must be positive");
  require(0 <= valid_h && valid_h <= H && 0 <= valid_w && valid_w <= W,
          "valid_h and valid_w must fit the map");
  // the image sits in the top-left corner; pixel (h, w) is row h·W + w of the flattened map
  Keep valid = Keep::Constant(Eigen::Index{H} * W, false);
  for (int h = 0; h < valid_h; ++h)
    for (int w = 0; w < valid_w; ++w) valid(Eigen::Index{h} * W + w) = true;
  return valid;
}

Attention detr_cross_attention(const Mat& tgt, const Mat& query_pos, const Mat& memory, const Mat& pos,
                               const Keep& pixel_valid, const MHAParams& p) {
  // tgt, query_pos: (N_q, d); memory, pos: (HW, d); pixel_valid: (HW,); Wq..Wo: (d, d); bq..bo: (1, d)
  require(p.num_heads > 0, "num_heads must be positive");
  const Eigen::Index d = p.Wq.rows();
  for (const Mat* W : {&p.Wq, &p.Wk, &p.Wv, &p.Wo})
    require(W->rows() == d && W->cols() == d, "Wq, Wk, Wv and Wo must all be (d, d)");
  for (const RowVec* b : {&p.bq, &p.bk, &p.bv, &p.bo}) require(b->size() == d, "biases must be (1, d)");
  require(d % p.num_heads == 0, "d must be divisible by num_heads");
  require(tgt.cols() == d && query_pos.cols() == d && memory.cols() == d && pos.cols() == d,
          "tgt, query_pos, memory and pos need d columns");
  require(query_pos.rows() == tgt.rows(), "query_pos needs one row per object query (tgt's rows)");
  require(pos.rows() == memory.rows(), "pos needs one row per pixel (memory's rows)");
  require(pixel_valid.size() == memory.rows(), "pixel_valid needs one entry per pixel (memory's rows)");
  const Eigen::Index n_queries = tgt.rows(), n_pixels = memory.rows();
  const Eigen::Index n_heads = p.num_heads, d_h = d / n_heads;
  const float scale = 1.f / std::sqrt(static_cast<float>(d_h));  // per head: dot products of d_h features

  // pass 1: the valid pixels, in map order. Everything after reads only these rows, so an invalid pixel's
  // memory and pos (NaN, 1e30, anything) never reach a product, a max or a sum.
  std::vector<Eigen::Index> valid_rows;
  for (Eigen::Index pixel_p = 0; pixel_p < n_pixels; ++pixel_p)
    if (pixel_valid(pixel_p)) valid_rows.push_back(pixel_p);
  const Eigen::Index n_valid = static_cast<Eigen::Index>(valid_rows.size());

  // pass 2: project. Positions are added before the projections, to the queries and keys only: they steer
  // where a query looks, while what it reads back (V') is the image content alone.
  const Mat memory_valid = memory(valid_rows, Eigen::all);                                // (n_valid, d)
  const Mat Qp = ((tgt + query_pos) * p.Wq).rowwise() + p.bq;                             // (N_q, d)
  const Mat Kp = ((memory_valid + pos(valid_rows, Eigen::all)) * p.Wk).rowwise() + p.bk;  // (n_valid, d)
  const Mat Vp = (memory_valid * p.Wv).rowwise() + p.bv;                                  // (n_valid, d)

  Attention out{Mat(), Mat::Zero(n_queries, n_pixels)};
  Mat concat = Mat::Zero(n_queries, d);  // head h's output goes into columns [h*d_h, (h+1)*d_h)
  for (Eigen::Index head_h = 0; head_h < n_heads && n_valid > 0; ++head_h) {
    const Eigen::Index col0 = head_h * d_h;
    // pass 3: scores (N_q, n_valid) and a softmax per query row. Subtracting each row's own maximum keeps
    // every exponent <= 0 (no overflow) and the row sum >= 1 (no 0/0), however far the row sits from the
    // others. The maxima and sums go into vectors first: weights is not read while it is being written.
    Mat weights = scale * (Qp.middleCols(col0, d_h) * Kp.middleCols(col0, d_h).transpose());
    const Vec row_max = weights.rowwise().maxCoeff();
    weights = (weights.colwise() - row_max).array().exp().matrix();
    const Vec row_sum = weights.rowwise().sum();
    weights.array().colwise() /= row_sum.array();
    // pass 4: the head's output (N_q, d_h) in its own columns of the concatenation; its weights, divided by
    // the number of heads, into the valid pixels' columns of the mean. Invalid columns stay exactly 0.
    concat.middleCols(col0, d_h) = weights * Vp.middleCols(col0, d_h);
    for (Eigen::Index valid_j = 0; valid_j < n_valid; ++valid_j)
      out.weights.col(valid_rows[valid_j]) += weights.col(valid_j) / static_cast<float>(n_heads);
  }

  // pass 5: output projection (N_q, d). With no valid pixel the concatenation is zero and every row is bo.
  out.output = (concat * p.Wo).rowwise() + p.bo;
  return out;
}

}  // namespace attn
