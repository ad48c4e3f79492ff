// p08 memn2n_multihop: end-to-end memory network over a dialogue history, position encoding and multi-hop
// attention.
#pragma once

#include <attnkata/attn.h>

#include <vector>

namespace attn {

// The paper's position encoding (Sukhbaatar et al. 2015, section 4.1), with 1-based word j <= J and dimension
// k <= d:  l_kj = (1 - j/J) - (k/d)(1 - 2j/J).
// Returns (J, d): row j-1 holds the weights of word j, entry (j-1, k-1) = l_kj. J = 0 gives a (0, d) matrix.
// Throws std::invalid_argument when J < 0 or d < 0.
Mat memn2n_position_encoding(int J, int d);

// Sentence vector m = Σ_j l_j ⊙ w_j, where w_j is row j-1 of word_embeddings (J, d) and l_j row j-1 of
// memn2n_position_encoding(J, d). Returns (1, d); a sentence with no words (J = 0) gives zeros.
RowVec memn2n_encode_sentence(const Mat& word_embeddings);

// What memn2n_hops returns: u_final = u^{K+1} (1, d) and one weight vector p^k (n_k,) per hop, in hop order.
struct MemN2NOut {
  RowVec u_final;
  std::vector<Vec> hop_weights;
};

// K hops of memory attention, k = 1..K:  p^k = softmax(M^k u^kᵀ),  o^k = p^kᵀ C^k,  u^{k+1} = u^k + o^k.
//   query: u^1 (1, d)   mem_in[k-1]: M^k (n_k, d) input memories   mem_out[k-1]: C^k (n_k, d) output memories
// No scaling of the scores (the paper has none). A hop over n_k = 0 memories has o^k = 0 and an empty weight
// vector, so u passes through unchanged; K = 0 returns the query. Weight tying (A^{k+1} = C^k, or the same
// memories at every hop) is the caller's choice: pass the same matrix twice.
// Throws std::invalid_argument when mem_in.size() != mem_out.size(), when M^k or C^k does not have d columns,
// or when M^k and C^k have different numbers of rows.
MemN2NOut memn2n_hops(const RowVec& query, const std::vector<Mat>& mem_in, const std::vector<Mat>& mem_out);

}  // namespace attn
