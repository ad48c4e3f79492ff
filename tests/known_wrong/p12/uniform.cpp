// known-wrong p12: validates its arguments, echoes the input as its LayerNorm, and weighs the valid source frames uniformly (target + the projected mean of the valid frames)
// expect: failed, score 5..6
// may pass: shape; bad layer_norm arguments throw std::invalid_argument; mismatched block shapes and head counts throw std::invalid_argument; mult_fuse with empty or mismatched lists throws std::invalid_argument
#include <stdexcept>

#include "mult_crossmodal_attention.h"

namespace attn {
namespace {

void check_norm(Eigen::Index d, const LayerNormParams& ln) {
  if (d == 0 || ln.gamma.size() != d || ln.beta.size() != d || !(ln.eps >= 0))
    throw std::invalid_argument("layer_norm: bad arguments");
}

void check_block(const Mat& target, const Mat& source, const Keep& valid, const CrossmodalParams& p) {
  const Eigen::Index d = target.cols();
  check_norm(d, p.ln);
  const MHAParams& m = p.mha;
  bool ok = m.num_heads > 0 && d % m.num_heads == 0 && source.cols() == d && valid.size() == source.rows();
  for (const Mat* W : {&m.Wq, &m.Wk, &m.Wv, &m.Wo}) ok = ok && W->rows() == d && W->cols() == d;
  for (const RowVec* b : {&m.bq, &m.bk, &m.bv, &m.bo}) ok = ok && b->size() == d;
  if (!ok) throw std::invalid_argument("crossmodal_block: bad arguments");
}

}  // namespace

Mat layer_norm(const Mat& X, const LayerNormParams& ln) {
  check_norm(X.cols(), ln);
  return X;
}

Mat crossmodal_block(const Mat& target, const Mat& source, const Keep& source_valid, const CrossmodalParams& p) {
  check_block(target, source, source_valid, p);
  // every valid frame weighs 1/n in every head: each head reads the mean of its V' block
  RowVec mean = RowVec::Zero(target.cols());
  int n = 0;
  for (Eigen::Index j = 0; j < source.rows(); ++j)
    if (source_valid(j)) mean += layer_norm(source.row(j), p.ln) * p.mha.Wv + p.mha.bv, ++n;
  if (n > 0) mean /= static_cast<float>(n);
  return target.rowwise() + (mean * p.mha.Wo + p.mha.bo);
}

Mat mult_fuse(const Mat& target, const std::vector<Mat>& sources, const std::vector<Keep>& valids,
              const std::vector<CrossmodalParams>& params) {
  if (sources.empty() || valids.size() != sources.size() || params.size() != sources.size())
    throw std::invalid_argument("mult_fuse: bad lists");
  for (size_t s = 0; s < sources.size(); ++s) check_block(target, sources[s], valids[s], params[s]);
  const Eigen::Index d = target.cols();
  Mat Z(target.rows(), static_cast<Eigen::Index>(sources.size()) * d);
  for (size_t s = 0; s < sources.size(); ++s)
    Z.middleCols(static_cast<Eigen::Index>(s) * d, d) = crossmodal_block(target, sources[s], valids[s], params[s]);
  return Z;
}

}  // namespace attn
