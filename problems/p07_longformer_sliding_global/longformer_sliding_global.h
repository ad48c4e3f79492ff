// p07 longformer_sliding_global: Longformer self-attention, a sliding window of radius r around every token
// plus symmetric global tokens, computed without any n×n buffer.
#pragma once

#include <attnkata/attn.h>

#include <vector>

namespace attn {

// The Longformer pattern as an (n, n) mask, true = may attend:
//   keep(i, j) = |i - j| <= radius  or  i in G  or  j in G          G = the set of global_tokens
// Row i of a token that is not global holds its window i-radius .. i+radius (clipped to 0 .. n-1) and every
// global token; the row of a global token is all true. The mask is symmetric. global_tokens may come in any
// order and may repeat an index (G is the set of the listed indices). n = 0 gives a 0×0 mask.
// Throws std::invalid_argument when n < 0, radius < 0, or a global index is outside 0 .. n-1.
Mask longformer_mask(int n, int radius, const std::vector<int>& global_tokens);

// Sliding-window plus global self-attention over n tokens:
//   Q, K: (n, d)   V: (n, d_v)   ->   (n, d_v)
//   out(i) = Σ_{j : keep(i, j)} softmax_j( Q(i)·K(j) / sqrt(d) ) V(j)      keep as in longformer_mask
// Each key counts once: a global token inside row i's window is still one key, and a repeated index in
// global_tokens is still one token. Every row has at least one key (itself), so no row is empty.
// Row i of a token that is not global reads only Q(i) and the K and V rows of its keys: other rows may hold
// anything, even NaN, and row i does not change. A global token's row is full attention over all n tokens.
// No n×n matrix (scores, weights or mask): memory O(n·(d + d_v) + n) beyond the inputs, work
// O(n·(2·radius + 1 + |G|)·(d + d_v) + |G|·n·(d + d_v)). n = 200 000 fits in the problem's 1 GiB limit.
// n = 0 gives a (0, d_v) result.
// Throws std::invalid_argument when K or V has a different number of rows than Q, K.cols() != Q.cols(),
// Q.cols() == 0, radius < 0, or a global index is outside 0 .. n-1.
Mat longformer_attention(const Mat& Q, const Mat& K, const Mat& V, int radius,
                         const std::vector<int>& global_tokens);

}  // namespace attn
