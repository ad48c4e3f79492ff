// known-wrong p14: validates its arguments, then attends uniformly with no gate (beta = 1), h0 = 0, no penalty, a flat map
// expect: failed, score 7..8
// may pass: shape; mismatched attention parameters throw std::invalid_argument; sat_init_state rejects mismatched shapes and an empty annotation set; a negative or non-finite λ throws std::invalid_argument; a grid whose H·W is not L throws std::invalid_argument
#include <cmath>
#include <stdexcept>

#include "show_attend_tell_soft_attention.h"

namespace attn {

SatStep sat_soft_attention(const Mat& annotations, const RowVec& h_prev, const SatParams& p) {
  const Eigen::Index L = annotations.rows(), D = annotations.cols(), n = h_prev.size(), k = p.v.size();
  if (p.Wa.rows() != D || p.Wa.cols() != k || p.Wh.rows() != n || p.Wh.cols() != k || p.b.size() != k ||
      p.w_beta.size() != n)
    throw std::invalid_argument("sat_soft_attention: bad arguments");
  if (L == 0) return {RowVec::Zero(D), Vec::Zero(0), 1.f};
  return {annotations.colwise().mean(), Vec::Constant(L, 1.f / static_cast<float>(L)), 1.f};
}

RowVec sat_init_state(const Mat& annotations, const Mat& W_init, const RowVec& b_init) {
  if (annotations.rows() == 0 || W_init.rows() != annotations.cols() || b_init.size() != W_init.cols())
    throw std::invalid_argument("sat_init_state: bad arguments");
  return RowVec::Zero(W_init.cols());  // the usual LSTM default, ignoring the image
}

float doubly_stochastic_penalty(const Mat& alphas, float lambda) {
  if (!std::isfinite(lambda) || lambda < 0) throw std::invalid_argument("doubly_stochastic_penalty: bad lambda");
  return 0.f;  // no regulariser
}

Mat sat_attention_map(const Vec& alpha, int height, int width) {
  if (height < 1 || width < 1 || static_cast<Eigen::Index>(height) * width != alpha.size())
    throw std::invalid_argument("sat_attention_map: bad grid");
  return Mat::Constant(height, width, 1.f / static_cast<float>(alpha.size()));
}

}  // namespace attn
