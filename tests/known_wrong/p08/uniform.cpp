// known-wrong p08: validates arguments, weights every word 1 (bag of words), every hop reads the mean of C
// expect: failed, score 4..5
// may pass: shape; mismatched sizes throw std::invalid_argument
#include "memn2n_multihop.h"

#include <stdexcept>

namespace attn {

Mat memn2n_position_encoding(int J, int d) {
  if (J < 0 || d < 0) throw std::invalid_argument("memn2n_position_encoding");
  return Mat::Ones(J, d);
}

RowVec memn2n_encode_sentence(const Mat& word_embeddings) {
  return word_embeddings.colwise().sum();
}

MemN2NOut memn2n_hops(const RowVec& query, const std::vector<Mat>& mem_in, const std::vector<Mat>& mem_out) {
  if (mem_in.size() != mem_out.size()) throw std::invalid_argument("memn2n_hops");
  MemN2NOut out{query, {}};
  for (size_t hop = 0; hop < mem_in.size(); ++hop) {
    const Mat& C = mem_out[hop];
    if (mem_in[hop].cols() != query.cols() || C.cols() != query.cols() || mem_in[hop].rows() != C.rows())
      throw std::invalid_argument("memn2n_hops");
    // uniform weights 1/n; u += their read-out, the mean of the rows of C (nothing for n = 0)
    const Vec p = Vec::Constant(C.rows(), 1.f / static_cast<float>(C.rows()));
    if (C.rows() > 0) out.u_final += p.transpose() * C;
    out.hop_weights.push_back(p);
  }
  return out;
}

}  // namespace attn
