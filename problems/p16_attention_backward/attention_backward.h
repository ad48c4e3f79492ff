// p16 attention_backward: the backward pass of the row softmax and of scaled dot-product attention,
// templated on the scalar (float is graded against autograd, double against finite differences).
#pragma once

#include <attnkata/attn.h>

namespace attn {

template <class Scalar>
using MatT = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;  // MatT<float> is attn::Mat

// The gradients of a scalar loss L with respect to the three inputs of attention.
//   dQ: (n_q, d_k)   dK: (n_k, d_k)   dV: (n_k, d_v)
template <class Scalar>
struct AttnGrads {
  MatT<Scalar> dQ, dK, dV;
};

// Backward of a row-wise softmax P = softmax(X), given its output P and the upstream gradient dP = ∂L/∂P:
//   P: (n, m)   dP: (n, m)   ->   dX = ∂L/∂X: (n, m)
//   dX_ij = P_ij (dP_ij − D_i),   D_i = Σ_k P_ik dP_ik
// Each row of P is a softmax (sums to 1 over its allowed entries, 0 elsewhere) or all zero (a fully masked
// row). Where P_ij = 0 the result is exactly 0; every row of dX sums to 0.
// Throws std::invalid_argument when P and dP differ in shape.
template <class Scalar>
MatT<Scalar> softmax_rows_backward(const MatT<Scalar>& P, const MatT<Scalar>& dP);

// Backward of scaled dot-product attention, recomputing the forward pass from Q and K:
//   Q: (n_q, d_k)   K: (n_k, d_k)   V: (n_k, d_v)   dO = ∂L/∂O: (n_q, d_v)
//   forward  S = s Q Kᵀ (n_q, n_k) with s = 1/sqrt(d_k),  P = softmax of each row of S,  O = P V (n_q, d_v)
//   returns  dQ = ∂L/∂Q (n_q, d_k),  dK = ∂L/∂K (n_k, d_k),  dV = ∂L/∂V (n_k, d_v)
// causal: query i sees keys j <= i only (top-left; needs n_q == n_k); masked pairs contribute nothing.
// The softmax subtracts each row's maximum, so scores of 1e4 give finite gradients.
// n_q = 0 or n_k = 0 (nothing to attend to: O = 0) gives all-zero gradients of the shapes above.
// Throws std::invalid_argument when K.cols() != d_k, V.rows() != n_k, dO is not (n_q, d_v), d_k = 0, or
// causal with n_q != n_k.
template <class Scalar>
AttnGrads<Scalar> sdpa_backward(const MatT<Scalar>& Q, const MatT<Scalar>& K, const MatT<Scalar>& V,
                                const MatT<Scalar>& dO, bool causal = false);

// Your .cpp defines the two templates and instantiates them for float and double (the stub shows how): the
// tests are compiled separately and link against exactly these four functions.
extern template MatT<float> softmax_rows_backward<float>(const MatT<float>&, const MatT<float>&);
extern template MatT<double> softmax_rows_backward<double>(const MatT<double>&, const MatT<double>&);
extern template AttnGrads<float> sdpa_backward<float>(const MatT<float>&, const MatT<float>&,
                                                      const MatT<float>&, const MatT<float>&, bool);
extern template AttnGrads<double> sdpa_backward<double>(const MatT<double>&, const MatT<double>&,
                                                        const MatT<double>&, const MatT<double>&, bool);

}  // namespace attn
