// p12 mult_crossmodal_attention — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "mult_crossmodal_attention.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace attn {
namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("mult_crossmodal_attention: ") + what);
}

void check_layer_norm(Eigen::Index d, const LayerNormParams& ln) {
  require(d > 0, "LayerNorm needs at least one feature");
  require(ln.gamma.size() == d && ln.beta.size() == d, "gamma and beta need one entry per feature");
  require(ln.eps >= 0, "eps must be >= 0");  // false for NaN too
}

void check_block(const Mat& target, const Mat& source, const Keep& source_valid, const CrossmodalParams& p) {
  const Eigen::Index d = target.cols();
  check_layer_norm(d, p.ln);
  require(p.mha.num_heads > 0, "num_heads must be positive");
  require(d % p.mha.num_heads == 0, "d must be divisible by num_heads");
  for (const Mat* W : {&p.mha.Wq, &p.mha.Wk, &p.mha.Wv, &p.mha.Wo})
    require(W->rows() == d && W->cols() == d, "Wq, Wk, Wv and Wo must be (d, d)");
  for (const RowVec* b : {&p.mha.bq, &p.mha.bk, &p.mha.bv, &p.mha.bo})
    require(b->size() == d, "bq, bk, bv and bo must be (1, d)");
  require(source.cols() == d, "source needs the target's d columns");
  require(source_valid.size() == source.rows(), "source_valid needs one entry per source frame");
}

}  // namespace

Mat layer_norm(const Mat& X, const LayerNormParams& ln) {
  // X is (n, d); gamma and beta are (1, d)
  check_layer_norm(X.cols(), ln);
  const float d = static_cast<float>(X.cols());
  Mat Y(X.rows(), X.cols());
  for (Eigen::Index row_i = 0; row_i < X.rows(); ++row_i) {
    // pass 1: the mean; pass 2: the population variance of the centred row. The one-pass E[x²] − mean²
    // cancels catastrophically in float32 when |mean| ≫ std (a row at 20 ± 1 loses ~4 of its 7 digits)
    const float mean = X.row(row_i).sum() / d;
    const RowVec centred = X.row(row_i).array() - mean;
    const float var = centred.squaredNorm() / d;
    // eps inside the root: a constant row is 0 / sqrt(eps) = 0, so it becomes beta, never 0/0
    Y.row(row_i) = (centred.array() / std::sqrt(var + ln.eps)) * ln.gamma.array() + ln.beta.array();
  }
  return Y;
}

Mat crossmodal_block(const Mat& target, const Mat& source, const Keep& source_valid,
                     const CrossmodalParams& p) {
  // target is (T_a, d), source is (T_b, d), source_valid is (T_b,)
  check_block(target, source, source_valid, p);
  const MHAParams& mha = p.mha;
  const Eigen::Index d = target.cols(), n_heads = mha.num_heads, d_h = d / n_heads;

  // pass 1: keep the valid source frames only, in order: (n_valid, d). Padded rows are never read again, so
  // NaN there cannot reach a product (0 · NaN would still be NaN)
  std::vector<Eigen::Index> frames;
  for (Eigen::Index frame_j = 0; frame_j < source.rows(); ++frame_j)
    if (source_valid(frame_j)) frames.push_back(frame_j);
  if (frames.empty()) return target.rowwise() + mha.bo;  // nothing to attend to: zero heads, output bias only

  // pass 2: ONE LayerNorm, shared: the same gamma and beta normalise the query side and the key/value side
  const Mat target_ln = layer_norm(target, p.ln);                      // (T_a, d)
  const Mat source_ln = layer_norm(source(frames, Eigen::all), p.ln);  // (n_valid, d)

  // pass 3: project. Q is (T_a, d); K and V are (n_valid, d)
  const Mat Q = (target_ln * mha.Wq).rowwise() + mha.bq;
  const Mat K = (source_ln * mha.Wk).rowwise() + mha.bk;
  const Mat V = (source_ln * mha.Wv).rowwise() + mha.bv;

  // pass 4: each head attends on its column block [h·d_h, (h+1)·d_h) and writes its output back there
  const float scale = 1.f / std::sqrt(static_cast<float>(d_h));
  Mat concat(target.rows(), d);  // (T_a, d)
  for (Eigen::Index head_h = 0; head_h < n_heads; ++head_h) {
    const Eigen::Index col0 = head_h * d_h;
    const Mat scores =
        scale * (Q.middleCols(col0, d_h) * K.middleCols(col0, d_h).transpose());  // (T_a, n_valid)
    // stable softmax over the source frames of each target row: subtract the row's max, so exp is in (0, 1]
    Mat weights = (scores.colwise() - scores.rowwise().maxCoeff()).array().exp().matrix();
    weights.array().colwise() /= weights.rowwise().sum().array();
    concat.middleCols(col0, d_h) = weights * V.middleCols(col0, d_h);
  }

  // pass 5: output projection, then the residual on the raw target (official code; the paper adds LN(target))
  return target + ((concat * mha.Wo).rowwise() + mha.bo);
}

Mat mult_fuse(const Mat& target, const std::vector<Mat>& sources, const std::vector<Keep>& valids,
              const std::vector<CrossmodalParams>& params) {
  require(!sources.empty(), "mult_fuse needs at least one source");
  require(valids.size() == sources.size() && params.size() == sources.size(),
          "sources, valids and params need one entry per source");
  // check every block before computing any: a bad last source should not cost the work of the first ones
  for (size_t s = 0; s < sources.size(); ++s) check_block(target, sources[s], valids[s], params[s]);

  // Z is (T_a, S·d): source s fills columns [s·d, (s+1)·d)
  const Eigen::Index d = target.cols();
  Mat Z(target.rows(), static_cast<Eigen::Index>(sources.size()) * d);
  for (size_t s = 0; s < sources.size(); ++s)
    Z.middleCols(static_cast<Eigen::Index>(s) * d, d) =
        crossmodal_block(target, sources[s], valids[s], params[s]);
  return Z;
}

}  // namespace attn
