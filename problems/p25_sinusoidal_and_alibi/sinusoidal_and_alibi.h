// p25 sinusoidal_and_alibi: sinusoidal position encodings and ALiBi linear biases for causal attention.
#pragma once

#include <attnkata/attn.h>

#include <vector>

namespace attn {

// The sinusoidal position table of Vaswani et al. (2017), interleaved: for position p and pair i < d/2,
//   PE(p, 2i) = sin(p·ω_i)   PE(p, 2i+1) = cos(p·ω_i)   ω_i = base^(−2i/d)
// Returns (n, d). Angles are computed in double and only the sin/cos is rounded to float, so row 4095 is as
// accurate as row 1. n = 0 gives a (0, d) matrix.
// Throws std::invalid_argument when n < 0, d <= 0, d is odd, or base is not a finite number > 0.
Mat sinusoidal_positional_encoding(int n, int d, float base = 10000.f);

// ALiBi head slopes, in head order, from the official get_slopes recipe:
//   n_heads a power of 2:  m_k = 2^(−8k/n_heads), k = 1 .. n_heads
//   otherwise, c = the largest power of 2 below n_heads: the c slopes of c heads, then the first n_heads − c
//   of every other slope of 2c heads (2^(−4/c), 2^(−12/c), ...).
// Throws std::invalid_argument when n_heads < 1.
std::vector<float> alibi_slopes(int n_heads);

// The causal ALiBi bias of one head, (n, n):
//   B(i, j) = −slope·(i − j) for j <= i      B(i, j) = −inf for j > i
// The diagonal is 0, so every row has at least one finite entry. Callers must treat −inf as "masked": add B
// to scores and let exp(−inf − row max) be exactly 0, or skip those entries, but never scale B, multiply it
// by 0 or subtract two of its entries (−inf · 0 and −inf − (−inf) are NaN).
// Throws std::invalid_argument when n < 0 or slope is not finite.
Mat alibi_bias(int n, float slope);

// Causal multi-head self-attention with ALiBi and no position encoding on the inputs.
//   Q, K: (n, n_heads·d_h)   V: (n, n_heads·d_v)   heads packed in columns: head h owns columns
//   [h·d_h, (h+1)·d_h) of Q and K and [h·d_v, (h+1)·d_v) of V.
// For head h with slope m_h = alibi_slopes(n_heads)[h]:
//   output_h = softmax(Q_h K_hᵀ / √d_h + B(m_h)) V_h        returned packed the same way: (n, n_heads·d_v)
// Row i reads only rows 0..i of K and V: later rows cannot change it, even if they hold NaN.
// n = 0 gives a (0, V.cols()) matrix.
// Throws std::invalid_argument when n_heads < 1, Q and K differ in shape, V has another row count,
// Q.cols() is not a positive multiple of n_heads, or V.cols() is not a multiple of n_heads.
Mat alibi_causal_attention(const Mat& Q, const Mat& K, const Mat& V, int n_heads);

}  // namespace attn
