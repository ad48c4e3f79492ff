// p13 bidaf_attention_flow — your solution. Statement: ./attnkata show p13   Grade: ./attnkata grade p13
#include "bidaf_attention_flow.h"

#include <stdexcept>

namespace attn {

BidafOut bidaf_attention(const Mat& H, const Mat& U, const Vec& w, int context_len, int query_len) {
  // TODO: check shapes and lengths; S on the valid block from three terms; C2Q row softmax and Ũ = A U;
  // Q2C softmax of the row maxima and h̃ = bᵀ H; assemble G. About 45 lines.
  throw std::logic_error("TODO: implement bidaf_attention");
}

}  // namespace attn
