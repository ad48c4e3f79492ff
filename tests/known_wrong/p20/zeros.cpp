// known-wrong p20: validates its arguments as the header says, then returns zeros of the right shapes
// expect: failed, score 5..6
// may pass: shape; mismatched shapes throw std::invalid_argument; a step with mismatched sizes or a wrong state throws and leaves the state unchanged
#include <stdexcept>

#include "linear_attention_rnn.h"

namespace attn {

Mat elu_feature_map(const Mat& X) { return Mat::Zero(X.rows(), X.cols()); }

Mat linear_attention(const Mat& Q, const Mat& K, const Mat& V, bool causal) {
  if (Q.cols() != K.cols() || K.rows() != V.rows() || (causal && Q.rows() != K.rows()))
    throw std::invalid_argument("linear_attention: bad shapes");
  return Mat::Zero(Q.rows(), V.cols());
}

RowVec linear_attention_step(const RowVec& q, const RowVec& k, const RowVec& v, LinearAttnState& state) {
  const Eigen::Index d_k = k.size(), d_v = v.size();
  if (q.size() != d_k) throw std::invalid_argument("linear_attention_step: q and k differ in size");
  const bool empty = state.S.size() == 0 && state.z.size() == 0;
  if (!empty && (state.S.rows() != d_k || state.S.cols() != d_v || state.z.size() != d_k))
    throw std::invalid_argument("linear_attention_step: bad state");
  if (empty) {
    state.S = Mat::Zero(d_k, d_v);
    state.z = Vec::Zero(d_k);
  }
  return RowVec::Zero(d_v);
}

}  // namespace attn
