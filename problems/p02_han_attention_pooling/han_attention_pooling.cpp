// p02 han_attention_pooling — your solution. Statement: ./attnkata show p02   Grade: ./attnkata grade p02
#include "han_attention_pooling.h"

#include <stdexcept>

namespace attn {

Pooled han_attention_pool(const Mat& H, const Mat& W, const RowVec& b, const Vec& u_w, int length) {
  // TODO: check the shapes and length; score the first `length` rows with u_w · tanh(h_t W + b);
  // softmax those scores (subtract the max); sum alpha_t h_t over the valid rows only. About 20 lines.
  throw std::logic_error("TODO: implement han_attention_pool");
}

}  // namespace attn
