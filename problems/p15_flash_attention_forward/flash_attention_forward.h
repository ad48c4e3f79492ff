// p15 flash_attention_forward: exact attention in tiles with the online softmax (FlashAttention forward),
// never holding an n_q×n_k matrix, returning each row's log-sum-exp.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// output: (n_q, d_v), row i = Σ_j softmax_j(scale·q_i·k_j) v_j over the keys row i may attend.
// logsumexp: (n_q,), entry i = log Σ_j exp(scale·q_i·k_j) over the same keys (what a backward pass keeps).
struct FlashOut {
  Mat output;
  Vec logsumexp;
};

// Tiled scaled dot-product attention, one block of block_q query rows against one block of block_k key rows
// at a time, with a running max m, a running sum l and an unnormalised accumulator per query row; each row
// is divided by its l once, after its last key block (FlashAttention-2's deferred normalisation).
//   Q: (n_q, d)   K: (n_k, d)   V: (n_k, d_v)   block_q, block_k >= 1 (any size: a block larger than the
//   input is the whole input, and the last block may be shorter)
//   causal: query i attends to keys j <= i (top-left aligned; needs n_q == n_k). Key blocks that lie wholly
//     after the query block's last row are skipped: their rows of K and V are never read.
//   scale: multiplies q·k; std::nullopt means 1/sqrt(d).
//   key_valid: (n_k,), false = a padding key. Padded keys get no weight and their rows of K and V are never
//     used (NaN there cannot leak). std::nullopt means every key is valid.
// A row with no key it may attend (every key padded, n_k = 0, or causal with keys 0..i all padded) gets an
// all-zero output row and logsumexp -infinity, never NaN: a block in which a row sees nothing must not
// evaluate exp((-inf) - (-inf)).
// Never allocates anything of size n_q×n_k: memory beyond the inputs and outputs is O(block_q·block_k +
// block_q·d_v).
// Throws std::invalid_argument when block_q <= 0 or block_k <= 0, d = 0, K.cols() != d, V.rows() != n_k,
// key_valid has a size other than n_k, causal with n_q != n_k, or scale is not finite.
FlashOut flash_attention_forward(const Mat& Q, const Mat& K, const Mat& V, int block_q, int block_k,
                                 bool causal = false, std::optional<float> scale = std::nullopt,
                                 const std::optional<Keep>& key_valid = std::nullopt);

}  // namespace attn
