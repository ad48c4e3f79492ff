// p18 bahdanau_additive_attention — your solution. Statement: ./attnkata show p18   Grade: ./attnkata grade p18
#include "bahdanau_additive_attention.h"

#include <stdexcept>

namespace attn {

Attention additive_attention(const Mat& queries, const Mat& keys, const Mat& values, const AdditiveParams& p,
                             int valid_len) {
  // TODO: check valid_len and the shapes; project the valid keys once (keys W_k) and the queries (queries
  // W_q); for each query score the valid keys with w_vᵀ tanh(q̂ + k̂), take a stable softmax over them, and sum
  // their value rows. Padded keys get weight 0 and are never read. About 25 lines.
  throw std::logic_error("TODO: implement additive_attention");
}

}  // namespace attn
