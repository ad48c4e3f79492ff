// p16 attention_backward — your solution. Statement: ./attnkata show p16   Grade: ./attnkata grade p16
#include "attention_backward.h"

#include <stdexcept>

namespace attn {

template <class Scalar>
MatT<Scalar> softmax_rows_backward(const MatT<Scalar>& P, const MatT<Scalar>& dP) {
  // TODO: check that P and dP have the same shape; D_i = Σ_k P_ik dP_ik for each row; return
  // P_ij (dP_ij − D_i). About 5 lines.
  throw std::logic_error("TODO: implement softmax_rows_backward (about 5 lines)");
}

template <class Scalar>
AttnGrads<Scalar> sdpa_backward(const MatT<Scalar>& Q, const MatT<Scalar>& K, const MatT<Scalar>& V,
                                const MatT<Scalar>& dO, bool causal) {
  // TODO: check the shapes (and n_q == n_k when causal); recompute P = softmax(Q Kᵀ / sqrt(d_k)) row by row
  // over the visible keys, subtracting the row max; then, line by line backwards through O = P V and
  // S = s Q Kᵀ: dV = Pᵀ dO, dP = dO Vᵀ, dS = softmax_rows_backward(P, dP), dQ = s dS K, dK = s dSᵀ Q.
  // About 30 lines.
  throw std::logic_error("TODO: implement sdpa_backward (about 30 lines)");
}

// The tests link against these four instantiations: keep them.
template MatT<float> softmax_rows_backward<float>(const MatT<float>&, const MatT<float>&);
template MatT<double> softmax_rows_backward<double>(const MatT<double>&, const MatT<double>&);
template AttnGrads<float> sdpa_backward<float>(const MatT<float>&, const MatT<float>&, const MatT<float>&,
                                               const MatT<float>&, bool);
template AttnGrads<double> sdpa_backward<double>(const MatT<double>&, const MatT<double>&,
                                                 const MatT<double>&, const MatT<double>&, bool);

}  // namespace attn
