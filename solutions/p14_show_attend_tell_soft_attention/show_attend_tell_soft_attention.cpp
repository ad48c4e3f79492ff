// p14 show_attend_tell_soft_attention — reference solution. The walkthrough is WALKTHROUGH.md beside it.
#include "show_attend_tell_soft_attention.h"

#include <cmath>
#include <stdexcept>

namespace attn {

SatStep sat_soft_attention(const Mat& annotations, const RowVec& h_prev, const SatParams& p) {
  // annotations is (L, D), h_prev is (1, n)
  // Wa is (D, k), Wh is (n, k), b is (1, k), v is (k,), w_beta is (n,)
  const Eigen::Index L = annotations.rows(), D = annotations.cols(), n = h_prev.size(), k = p.v.size();
  if (p.Wa.rows() != D || p.Wa.cols() != k)
    throw std::invalid_argument("sat_soft_attention: Wa must be (D, k), k = v.size()");
  if (p.Wh.rows() != n || p.Wh.cols() != k)
    throw std::invalid_argument("sat_soft_attention: Wh must be (n, k), n = h_prev.size()");
  if (p.b.size() != k) throw std::invalid_argument("sat_soft_attention: b needs k = v.size() entries");
  if (p.w_beta.size() != n) throw std::invalid_argument("sat_soft_attention: w_beta needs n entries");

  // pass 1: the gate β = σ(z), z = h_prev · w_beta + b_beta. In the form 1 / (1 + e^{-z}) the exp may
  // overflow to inf for z << 0, which still gives β = 0; e^z / (1 + e^z) would be inf / inf for z >> 0
  SatStep step;
  const float gate_logit = h_prev.dot(p.w_beta.transpose()) + p.b_beta;
  step.beta = 1.f / (1.f + std::exp(-gate_logit));
  step.alpha = Vec::Zero(L);
  step.context = RowVec::Zero(D);
  if (L == 0) return step;  // nothing to attend to: empty alpha, zero context

  // pass 2: scores e_i = v · tanh(a_i Wa + h_prev Wh + b). The state's term (1, k) is the same for every
  // location, so it is computed once and broadcast over the L rows; hidden is (L, k)
  const RowVec state_term = h_prev * p.Wh + p.b;
  const Mat hidden = ((annotations * p.Wa).rowwise() + state_term).array().tanh().matrix();
  const Vec scores = hidden * p.v;  // (L,)

  // pass 3: softmax over the L locations. |e_i| <= Σ|v| can pass the ~88 where float32 exp overflows:
  // subtracting the max makes every exponent <= 0 and the sum >= 1
  const Vec exp_scores = (scores.array() - scores.maxCoeff()).exp().matrix();
  step.alpha = exp_scores / exp_scores.sum();

  // pass 4: context = β Σ_i alpha_i a_i, a (1, L) × (L, D) product
  step.context = step.beta * (step.alpha.transpose() * annotations);
  return step;
}

RowVec sat_init_state(const Mat& annotations, const Mat& W_init, const RowVec& b_init) {
  // annotations is (L, D), W_init is (D, n), b_init is (1, n)
  if (annotations.rows() == 0)
    throw std::invalid_argument("sat_init_state: the mean of no annotations is undefined (L = 0)");
  if (W_init.rows() != annotations.cols())
    throw std::invalid_argument("sat_init_state: W_init must be (D, n)");
  if (b_init.size() != W_init.cols()) throw std::invalid_argument("sat_init_state: b_init needs n entries");

  // pass 1: the mean annotation over the L locations (a column mean: one value per feature), (1, D)
  const RowVec mean_annotation = annotations.colwise().mean();
  // pass 2: one tanh layer, (1, n)
  return (mean_annotation * W_init + b_init).array().tanh().matrix();
}

float doubly_stochastic_penalty(const Mat& alphas, float lambda) {
  // alphas is (T, L): row t is step t's distribution over the L locations
  if (!std::isfinite(lambda) || lambda < 0)
    throw std::invalid_argument("doubly_stochastic_penalty: lambda must be finite and >= 0");
  // pass 1: attention each location received over the whole caption, a column sum (1, L); every row of alphas
  // already sums to 1, so the row sums carry no information
  const RowVec received = alphas.colwise().sum();
  // pass 2: λ Σ_i (1 − received_i)²; with T = 0 every received_i is 0 and the penalty is λ L
  return lambda * (1.f - received.array()).square().sum();
}

Mat sat_attention_map(const Vec& alpha, int height, int width) {
  if (height < 1 || width < 1 || static_cast<Eigen::Index>(height) * width != alpha.size())
    throw std::invalid_argument("sat_attention_map: need height, width >= 1 and height * width == L");
  // location (h, w) is row h·width + w of the annotations: row-major, the opposite of Eigen's default
  // reshaped(), which would fill the map column by column
  Mat map(height, width);
  for (int row_h = 0; row_h < height; ++row_h)
    for (int col_w = 0; col_w < width; ++col_w) map(row_h, col_w) = alpha(row_h * width + col_w);
  return map;
}

}  // namespace attn
