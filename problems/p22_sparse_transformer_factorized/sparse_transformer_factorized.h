// p22 sparse_transformer_factorized: the strided and fixed attention patterns of the Sparse Transformer, and
// two-head causal self-attention in which each head attends over one of the pattern's two index sets.
#pragma once

#include <attnkata/attn.h>

#include <utility>

namespace attn {

// The two factorisations of Child et al. 2019, section 4.2.
enum class SparsePattern { Strided, Fixed };

// The two index sets of every position i = 0..n-1 (raster order) as (n, n) masks, row i = the keys position i
// may attend to (true = may attend):
//   Strided, stride l:   A1(i) = { j : max(0, i-l) <= j <= i }        the previous l positions and i itself
//                        A2(i) = { j <= i : (i - j) mod l == 0 }       i, i-l, i-2l, ... (every l-th back)
//   Fixed, blocks of l,  A1(i) = { j <= i : floor(j/l) == floor(i/l) } i's own block, up to i
//   c summaries each:    A2(i) = { j <= i : j mod l >= l - c }         the last c positions of every block
// Returns (A1, A2). Both are causal: no j > i. For an image of width W and l = W, strided A1 is the previous
// row segment and A2 the same column. c is used only by Fixed, but is checked for both patterns.
// n = 0 gives two 0×0 masks. Throws std::invalid_argument when n < 0, l <= 0, c < 1 or c > l.
std::pair<Mask, Mask> sparse_masks(int n, SparsePattern pattern, int l, int c = 1);

// Two-head factorised causal self-attention over n positions: head 1 attends over A1, head 2 over A2.
//   Q, K: (n, 2·d_h)   V: (n, 2·d_v)   ->   (n, 2·d_v)
// Head k (k = 0 for A1, 1 for A2) reads columns [k·d_h, (k+1)·d_h) of Q and K and columns [k·d_v, (k+1)·d_v)
// of V, and writes columns [k·d_v, (k+1)·d_v) of the result (heads packed in columns, as PyTorch's view):
//   out_k(i) = Σ_{j ∈ A_{k+1}(i)} softmax_j( Q_k(i) · K_k(j) / sqrt(d_h) ) V_k(j),   d_h = Q.cols() / 2
// A row whose set is empty (Fixed, head 2, rows i < l - c) gives zeros in that head's columns. Row i reads
// only the key and value rows of its own two sets, so nothing else (even NaN) can reach it. The work is
// O(n·(l + c·n/l)·d) and no n×n matrix is built: n = 32768 fits in the problem's 1 GiB memory limit.
// n = 0 gives a (0, V.cols()) result. Throws std::invalid_argument when K or V has a different number of rows
// than Q, K.cols() != Q.cols(), Q.cols() is 0 or odd, V.cols() is odd, or l and c are invalid as for
// sparse_masks.
Mat sparse_factorized_attention(const Mat& Q, const Mat& K, const Mat& V, SparsePattern pattern, int l,
                                int c = 1);

}  // namespace attn
