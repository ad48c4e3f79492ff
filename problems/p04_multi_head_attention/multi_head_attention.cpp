// p04 multi_head_attention — your solution. Statement: ./attnkata show p04   Grade: ./attnkata grade p04
#include "multi_head_attention.h"

#include <stdexcept>

namespace attn {

// Only this file is compiled for p04, so p01's softmax_rows is not available here: write (or copy in) your
// own stable masked row softmax above this function. About 15 lines.

MHAOut multi_head_attention(const Mat& query, const Mat& key, const Mat& value, const MHAParams& p,
                            const std::optional<Mask>& keep) {
  // TODO: check the shapes (throw std::invalid_argument), project Q', K', V', then for each head h take
  // columns [h*d_h, (h+1)*d_h), run masked scaled dot-product attention with scale 1/sqrt(d_h), write the
  // head's output into the same columns of the concatenation, and finish with concat * Wo + bo.
  // About 45 lines.
  throw std::logic_error("TODO: implement multi_head_attention");
}

}  // namespace attn
