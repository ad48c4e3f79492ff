// p17 afm_attentional_fm — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "afm_attentional_fm.h"

#include <stdexcept>
#include <vector>

namespace attn {

AfmOut afm_forward(const Mat& V, const Vec& x, const AfmParams& params) {
  // V is (m, k), x is (m,); w is (m,), W is (k, t), b is (1, t), h is (t,), p is (k,)
  const Eigen::Index m = V.rows(), k = V.cols(), t = params.W.cols();
  if (x.size() != m) throw std::invalid_argument("afm_forward: x needs one value per row of V");
  if (params.w.size() != m) throw std::invalid_argument("afm_forward: w needs one weight per field");
  if (params.W.rows() != k) throw std::invalid_argument("afm_forward: W needs k = V.cols() rows");
  if (params.b.size() != t || params.h.size() != t)
    throw std::invalid_argument("afm_forward: b and h need t = W.cols() entries");
  if (params.p.size() != k) throw std::invalid_argument("afm_forward: p needs k = V.cols() entries");

  // pass 1: the linear part, and empty attention: pairs of absent fields keep weight 0
  const Eigen::Index n_pairs = m * (m - 1) / 2;
  AfmOut out;
  out.y = params.w0 + params.w.dot(x);
  out.pair_weights = Vec::Zero(n_pairs);
  out.pooled = RowVec::Zero(k);

  // pass 2: the interactions e_ij = (v_i ⊙ v_j) x_i x_j of the present pairs, one row each, in lexicographic
  // order; pair_of_row[r] is the index of row r's pair among all m(m-1)/2. Absent fields' rows of V are never
  // read, so a NaN there cannot reach the result through 0 * NaN
  Mat interactions(n_pairs, k);
  std::vector<Eigen::Index> pair_of_row;
  Eigen::Index pair = 0;
  for (Eigen::Index field_i = 0; field_i < m; ++field_i)
    for (Eigen::Index field_j = field_i + 1; field_j < m; ++field_j, ++pair) {
      if (x(field_i) == 0 || x(field_j) == 0) continue;
      interactions.row(static_cast<Eigen::Index>(pair_of_row.size())) =
          V.row(field_i).cwiseProduct(V.row(field_j)) * (x(field_i) * x(field_j));
      pair_of_row.push_back(pair);
    }
  const Eigen::Index n_present = static_cast<Eigen::Index>(pair_of_row.size());
  if (n_present == 0) return out;                        // fewer than two present fields: no interaction term
  const auto present = interactions.topRows(n_present);  // (n_present, k)

  // pass 3: attention logits a'_r = hᵀ ReLU(e_r W + b), all present pairs in one product: (n_present,)
  const Mat hidden = ((present * params.W).rowwise() + params.b).cwiseMax(0.f);  // (n_present, t)
  const Vec logits = hidden * params.h;

  // pass 4: softmax over the present pairs. h is unbounded, so logits can pass float32 exp's overflow at
  // ~88.7: subtracting the max makes every exponent <= 0 and the sum >= 1
  const Vec exp_logits = (logits.array() - logits.maxCoeff()).exp().matrix();
  const Vec attention = exp_logits / exp_logits.sum();

  // pass 5: pool the interactions with their weights and project: pooled = Σ a_r e_r (1, k), y += p · pooled
  out.pooled = attention.transpose() * present;
  out.y += out.pooled.dot(params.p);
  for (Eigen::Index row = 0; row < n_present; ++row)
    out.pair_weights(pair_of_row[static_cast<size_t>(row)]) = attention(row);
  return out;
}

}  // namespace attn
