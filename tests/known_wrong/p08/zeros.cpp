// known-wrong p08: validates every argument as the header says, then returns zeros of the right shapes
// expect: failed, score 4..5
// may pass: shape; mismatched sizes throw std::invalid_argument
#include "memn2n_multihop.h"

#include <stdexcept>

namespace attn {

Mat memn2n_position_encoding(int J, int d) {
  if (J < 0 || d < 0) throw std::invalid_argument("memn2n_position_encoding");
  return Mat::Zero(J, d);
}

RowVec memn2n_encode_sentence(const Mat& word_embeddings) {
  return RowVec::Zero(word_embeddings.cols());
}

MemN2NOut memn2n_hops(const RowVec& query, const std::vector<Mat>& mem_in, const std::vector<Mat>& mem_out) {
  if (mem_in.size() != mem_out.size()) throw std::invalid_argument("memn2n_hops");
  MemN2NOut out{RowVec::Zero(query.cols()), {}};
  for (size_t hop = 0; hop < mem_in.size(); ++hop) {
    if (mem_in[hop].cols() != query.cols() || mem_out[hop].cols() != query.cols() ||
        mem_in[hop].rows() != mem_out[hop].rows())
      throw std::invalid_argument("memn2n_hops");
    out.hop_weights.push_back(Vec::Zero(mem_in[hop].rows()));
  }
  return out;
}

}  // namespace attn
