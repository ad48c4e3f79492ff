// p16 attention_backward — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
// The backward pass restates each forward line it differentiates, then the line that undoes it (as llm.c
// does).
#include "attention_backward.h"

#include <cmath>
#include <stdexcept>

namespace attn {

namespace {

// dX = P ∘ (dP − D 1ᵀ) for P and dP of either storage order (sdpa_backward keeps P row-major).
template <class Matrix>
Matrix softmax_backward(const Matrix& P, const Matrix& dP) {
  // forward:  P_ik = exp(X_ik) / Σ_l exp(X_il)
  // local:    ∂P_ik/∂X_ij = P_ik (δ_kj − P_ij)
  // backward: dX_ij = Σ_k dP_ik P_ik (δ_kj − P_ij) = P_ij (dP_ij − D_i),  D_i = Σ_k P_ik dP_ik
  // so the m×m Jacobian of each row is never built: one dot product per row replaces it
  using Scalar = typename Matrix::Scalar;
  const Eigen::Matrix<Scalar, Eigen::Dynamic, 1> D = (P.array() * dP.array()).rowwise().sum();  // (n,)
  // where P_ij = 0 (a masked entry) the product is exactly 0; Σ_j dX_ij = D_i − D_i Σ_j P_ij = 0
  return (P.array() * (dP.colwise() - D).array()).matrix();
}

}  // namespace

template <class Scalar>
MatT<Scalar> softmax_rows_backward(const MatT<Scalar>& P, const MatT<Scalar>& dP) {
  // P is (n, m), dP is (n, m)
  if (P.rows() != dP.rows() || P.cols() != dP.cols())
    throw std::invalid_argument("softmax_rows_backward: P and dP must have the same shape");
  return softmax_backward(P, dP);
}

template <class Scalar>
AttnGrads<Scalar> sdpa_backward(const MatT<Scalar>& Q, const MatT<Scalar>& K, const MatT<Scalar>& V,
                                const MatT<Scalar>& dO, bool causal) {
  // Q is (n_q, d_k), K is (n_k, d_k), V is (n_k, d_v), dO is (n_q, d_v)
  using Index = Eigen::Index;
  const Index n_q = Q.rows(), n_k = K.rows(), d_k = Q.cols(), d_v = V.cols();
  if (d_k == 0)
    throw std::invalid_argument("sdpa_backward: d_k must be at least 1 (the scale is 1/sqrt(d_k))");
  if (K.cols() != d_k) throw std::invalid_argument("sdpa_backward: Q and K need the same d_k");
  if (V.rows() != n_k) throw std::invalid_argument("sdpa_backward: K and V need the same n_k");
  if (dO.rows() != n_q || dO.cols() != d_v)
    throw std::invalid_argument("sdpa_backward: dO must have the shape of O, (n_q, d_v)");
  if (causal && n_q != n_k) throw std::invalid_argument("sdpa_backward: causal attention needs n_q == n_k");

  AttnGrads<Scalar> grads{MatT<Scalar>::Zero(n_q, d_k), MatT<Scalar>::Zero(n_k, d_k),
                          MatT<Scalar>::Zero(n_k, d_v)};
  if (n_q == 0 || n_k == 0) return grads;  // nothing to attend to: O = 0 whatever the inputs
  const Scalar scale = Scalar(1) / std::sqrt(static_cast<Scalar>(d_k));

  // pass 1: recompute the forward. P starts as the scores S = s Q Kᵀ (n_q, n_k) and becomes their row
  // softmax over the visible keys. Every pass below reads P (and dP, dS) one query row at a time, so they are
  // stored row-major: a row of a column-major n×n matrix is n scattered floats.
  using RowMajor = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
  RowMajor P = scale * (Q * K.transpose());
  for (Index query_i = 0; query_i < n_q; ++query_i) {
    const Index n_visible = causal ? query_i + 1 : n_k;  // keys 0 .. n_visible-1
    auto weights = P.row(query_i).head(n_visible);
    // subtract the row max: every exponent is <= 0 and the sum is >= 1, so scores of 1e4 stay finite
    weights = (weights.array() - weights.maxCoeff()).exp().matrix();
    weights /= weights.sum();
    // masked keys get exactly 0, so their dS_ij is 0 below: masked pairs contribute nothing
    P.row(query_i).tail(n_k - n_visible).setZero();
  }

  // pass 2: backward through O = P V, i.e. O_i = Σ_j P_ij V_j
  //   dV_j  = Σ_i P_ij dO_i   ->  dV = Pᵀ dO  (n_k, d_v)
  //   dP_ij = dO_i · V_j      ->  dP = dO Vᵀ  (n_q, n_k)
  grads.dV.noalias() = P.transpose() * dO;
  const RowMajor dP = dO * V.transpose();

  // pass 3: backward through P = softmax(S), row by row: dS = P ∘ (dP − D), D_i = Σ_j P_ij dP_ij.
  // (D_i also equals dO_i · O_i, FlashAttention's form when P is not kept; here P is at hand, and Σ P dP
  // cancels exactly in a saturated row, where P_ij = 1 makes D_i = dP_ij bit for bit.)
  const RowMajor dS = softmax_backward(P, dP);  // (n_q, n_k)

  // pass 4: backward through S = s Q Kᵀ, i.e. S_ij = s Q_i · K_j
  //   dQ_i = s Σ_j dS_ij K_j  ->  dQ = s dS K   (n_q, d_k)
  //   dK_j = s Σ_i dS_ij Q_i  ->  dK = s dSᵀ Q  (n_k, d_k)
  grads.dQ.noalias() = scale * (dS * K);
  grads.dK.noalias() = scale * (dS.transpose() * Q);
  return grads;
}

template MatT<float> softmax_rows_backward<float>(const MatT<float>&, const MatT<float>&);
template MatT<double> softmax_rows_backward<double>(const MatT<double>&, const MatT<double>&);
template AttnGrads<float> sdpa_backward<float>(const MatT<float>&, const MatT<float>&, const MatT<float>&,
                                               const MatT<float>&, bool);
template AttnGrads<double> sdpa_backward<double>(const MatT<double>&, const MatT<double>&,
                                                 const MatT<double>&, const MatT<double>&, bool);

}  // namespace attn
