// known-wrong p16: validates its arguments, then returns zero gradients of the right shapes
// expect: failed, score 5..6
// may pass: shape; mismatched shapes or d_k = 0 throw std::invalid_argument; causal with n_q ≠ n_k throws std::invalid_argument
#include <stdexcept>

#include "attention_backward.h"

namespace attn {

template <class Scalar>
MatT<Scalar> softmax_rows_backward(const MatT<Scalar>& P, const MatT<Scalar>& dP) {
  if (P.rows() != dP.rows() || P.cols() != dP.cols()) throw std::invalid_argument("bad shapes");
  return MatT<Scalar>::Zero(P.rows(), P.cols());
}

template <class Scalar>
AttnGrads<Scalar> sdpa_backward(const MatT<Scalar>& Q, const MatT<Scalar>& K, const MatT<Scalar>& V,
                                const MatT<Scalar>& dO, bool causal) {
  if (Q.cols() == 0 || K.cols() != Q.cols() || V.rows() != K.rows() || dO.rows() != Q.rows() ||
      dO.cols() != V.cols() || (causal && Q.rows() != K.rows()))
    throw std::invalid_argument("bad shapes");
  return {MatT<Scalar>::Zero(Q.rows(), Q.cols()), MatT<Scalar>::Zero(K.rows(), K.cols()),
          MatT<Scalar>::Zero(V.rows(), V.cols())};
}

template MatT<float> softmax_rows_backward<float>(const MatT<float>&, const MatT<float>&);
template MatT<double> softmax_rows_backward<double>(const MatT<double>&, const MatT<double>&);
template AttnGrads<float> sdpa_backward<float>(const MatT<float>&, const MatT<float>&, const MatT<float>&,
                                               const MatT<float>&, bool);
template AttnGrads<double> sdpa_backward<double>(const MatT<double>&, const MatT<double>&,
                                                 const MatT<double>&, const MatT<double>&, bool);

}  // namespace attn
