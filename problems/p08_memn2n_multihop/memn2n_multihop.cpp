// p08 memn2n_multihop — your solution. Statement: ./attnkata show p08   Grade: ./attnkata grade p08
#include "memn2n_multihop.h"

#include <stdexcept>

namespace attn {

Mat memn2n_position_encoding(int J, int d) {
  // TODO: check J, d >= 0; fill (J, d) with l_kj = (1 - j/J) - (k/d)(1 - 2j/J), j and k 1-based. About 8
  // lines.
  throw std::logic_error("TODO: implement memn2n_position_encoding");
}

RowVec memn2n_encode_sentence(const Mat& word_embeddings) {
  // TODO: multiply the words by the position encoding element-wise and sum over the words. About 3 lines.
  throw std::logic_error("TODO: implement memn2n_encode_sentence");
}

MemN2NOut memn2n_hops(const RowVec& query, const std::vector<Mat>& mem_in, const std::vector<Mat>& mem_out) {
  // TODO: check the sizes; per hop: scores M u, softmax over memories, o = pᵀ C, u += o. About 25 lines.
  throw std::logic_error("TODO: implement memn2n_hops");
}

}  // namespace attn
