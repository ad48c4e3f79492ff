// p07 longformer_sliding_global — your solution. Statement: ./attnkata show p07   Grade: ./attnkata grade p07
#include "longformer_sliding_global.h"

#include <stdexcept>

namespace attn {

Mask longformer_mask(int n, int radius, const std::vector<int>& global_tokens) {
  // TODO: check n, radius and every global index; start from an all-false (n, n) mask, mark each row's window
  // (clipped to 0 .. n-1), then the whole row and the whole column of every global token. About 15 lines.
  throw std::logic_error("TODO: implement longformer_mask");
}

Mat longformer_attention(const Mat& Q, const Mat& K, const Mat& V, int radius,
                         const std::vector<int>& global_tokens) {
  // TODO: check the shapes, radius and the global indices (repeats allowed); for each row list its keys
  // without building an n×n matrix (a global row: all n; any other row: its window plus the globals outside
  // it, each key once), take a stable softmax of the scaled scores over them and sum their value rows. About
  // 45 lines.
  throw std::logic_error("TODO: implement longformer_attention");
}

}  // namespace attn
