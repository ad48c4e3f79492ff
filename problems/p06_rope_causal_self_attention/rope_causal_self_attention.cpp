// p06 rope_causal_self_attention — your solution. Statement: ./attnkata show p06   Grade: ./attnkata grade p06
#include "rope_causal_self_attention.h"

#include <stdexcept>

namespace attn {

Mat apply_rope(const Mat& X, int pos0, float base) {
  // TODO: check d is even; for each row (position pos0 + row) and pair i, compute the angle in double and
  // rotate columns 2i and 2i+1. About 15 lines.
  throw std::logic_error("TODO: implement apply_rope");
}

Attention causal_self_attention_rope(const Mat& X, const Mat& Wq, const Mat& Wk, const Mat& Wv, int pos0) {
  // TODO: check shapes, project, apply_rope to Q and K, scaled scores, softmax over keys j <= t only,
  // multiply by V. About 25 lines.
  throw std::logic_error("TODO: implement causal_self_attention_rope");
}

}  // namespace attn
