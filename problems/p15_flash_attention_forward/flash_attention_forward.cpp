// p15 flash_attention_forward — your solution. Statement: ./attnkata show p15   Grade: ./attnkata grade p15
#include "flash_attention_forward.h"

#include <stdexcept>

namespace attn {

FlashOut flash_attention_forward(const Mat& Q, const Mat& K, const Mat& V, int block_q, int block_k,
                                 bool causal, std::optional<float> scale,
                                 const std::optional<Keep>& key_valid) {
  // TODO: check the arguments; then for each block of block_q query rows keep a running max m, a running sum
  // l and an unnormalised (rows, d_v) accumulator; for each block of block_k keys (in causal mode only those
  // that start at or before the query block's last row) compute the scaled scores, mask padded keys and
  // future keys to -inf, update m, rescale l and the accumulator by exp(m - m'), add exp(score - m') and its
  // P V; guard the rows that have seen no allowed key yet (exp((-inf) - (-inf)) is NaN). At the end divide
  // each row by l once and set logsumexp = m + log l (zeros and -inf where l = 0). About 60 lines.
  throw std::logic_error("TODO: implement flash_attention_forward");
}

}  // namespace attn
