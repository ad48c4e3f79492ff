// known-wrong p20: validates its arguments, echoes the input as φ, and weighs every visible key equally (the mean of the values)
// expect: failed, score 5..6
// may pass: shape; mismatched shapes throw std::invalid_argument; a step with mismatched sizes or a wrong state throws and leaves the state unchanged
#include <stdexcept>

#include "linear_attention_rnn.h"

namespace attn {

Mat elu_feature_map(const Mat& X) { return X; }

Mat linear_attention(const Mat& Q, const Mat& K, const Mat& V, bool causal) {
  if (Q.cols() != K.cols() || K.rows() != V.rows() || (causal && Q.rows() != K.rows()))
    throw std::invalid_argument("linear_attention: bad shapes");
  Mat out = Mat::Zero(Q.rows(), V.cols());
  if (V.rows() == 0) return out;
  if (!causal) return V.colwise().mean().replicate(Q.rows(), 1);
  RowVec sum = RowVec::Zero(V.cols());
  for (Eigen::Index i = 0; i < Q.rows(); ++i) {
    sum += V.row(i);
    out.row(i) = sum / static_cast<float>(i + 1);  // the mean of values 0..i
  }
  return out;
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
  // the running mean of the values: every S row holds the running sum, z the count
  state.S.rowwise() += v;
  state.z.array() += 1;
  if (d_k == 0) return v;
  return state.S.row(0) / state.z(0);
}

}  // namespace attn
