// p07 longformer_sliding_global — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
// Every row's keys are one contiguous range (its window, or the whole sequence for a global row) plus the
// global tokens outside that range. The range is scored with one matrix-vector product on a slice of Kᵀ, the
// extra keys one by one; no n×n matrix exists anywhere.
#include "longformer_sliding_global.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace attn {
namespace {

using Index = Eigen::Index;

// G as a sorted list without repeats; throws for a negative radius or an index outside 0 .. n-1.
std::vector<Index> global_set(Index n, int radius, const std::vector<int>& global_tokens, const char* fn) {
  if (radius < 0) throw std::invalid_argument(std::string(fn) + ": radius must be >= 0");
  std::vector<Index> globals(global_tokens.begin(), global_tokens.end());
  for (const Index token : globals)
    if (token < 0 || token >= n)
      throw std::invalid_argument(std::string(fn) + ": global token " + std::to_string(token) +
                                  " is outside 0.." + std::to_string(n - 1));
  std::sort(globals.begin(), globals.end());
  globals.erase(std::unique(globals.begin(), globals.end()), globals.end());
  return globals;
}

}  // namespace

Mask longformer_mask(int n, int radius, const std::vector<int>& global_tokens) {
  if (n < 0) throw std::invalid_argument("longformer_mask: n must be >= 0");
  const std::vector<Index> globals = global_set(n, radius, global_tokens, "longformer_mask");
  // keep is (n, n); row i marks the keys token i may attend to
  Mask keep = Mask::Constant(n, n, false);
  const Index r = radius;  // Index: i - r must not wrap, i + r must not overflow an int
  for (Index query_i = 0; query_i < n; ++query_i)
    for (Index key_j = std::max<Index>(0, query_i - r); key_j <= std::min<Index>(n - 1, query_i + r); ++key_j)
      keep(query_i, key_j) = true;
  for (const Index token : globals) {  // symmetric: a global token sees everything and everything sees it
    keep.row(token).setConstant(true);
    keep.col(token).setConstant(true);
  }
  return keep;
}

Mat longformer_attention(const Mat& Q, const Mat& K, const Mat& V, int radius,
                         const std::vector<int>& global_tokens) {
  // Q, K are (n, d), V is (n, d_v); the result is (n, d_v)
  const Index n = Q.rows(), d = Q.cols(), d_v = V.cols();
  if (K.rows() != n || V.rows() != n)
    throw std::invalid_argument("longformer_attention: Q, K and V need the same number of rows");
  if (K.cols() != d) throw std::invalid_argument("longformer_attention: K.cols() != Q.cols()");
  if (d == 0) throw std::invalid_argument("longformer_attention: Q and K need at least one column");
  const std::vector<Index> globals = global_set(n, radius, global_tokens, "longformer_attention");
  std::vector<char> is_global(static_cast<size_t>(n), 0);
  for (const Index token : globals) is_global[static_cast<size_t>(token)] = 1;

  // pass 0: tokens as columns: a token's features are contiguous, and a window is a run of adjacent columns
  const Mat Qt = Q.transpose(), Kt = K.transpose(), Vt = V.transpose();  // (d, n), (d, n), (d_v, n)
  const float scale = 1.f / std::sqrt(static_cast<float>(d));
  const Index r = radius;
  Mat out_t(d_v, n);  // (d_v, n), transposed back at the end

  std::vector<Index> extra;  // the global keys outside row i's range: at most |G|
  Eigen::VectorXf scores;    // (width + |extra|,)
  for (Index query_i = 0; query_i < n; ++query_i) {
    // pass 1: the keys. A global row: the whole sequence. Any other row: its window clipped to 0 .. n-1, then
    // the globals outside it (a global inside the window is already one of its keys: count it once)
    const bool global_row = is_global[static_cast<size_t>(query_i)] != 0;
    const Index lo = global_row ? 0 : std::max<Index>(0, query_i - r);
    const Index hi = global_row ? n - 1 : std::min<Index>(n - 1, query_i + r);
    const Index width = hi - lo + 1;
    extra.clear();
    if (!global_row)
      for (const Index token : globals)
        if (token < lo || token > hi) extra.push_back(token);
    const Index n_extra = static_cast<Index>(extra.size());

    // pass 2: scaled scores; the range in one product, (width,) = (d, width)ᵀ (d,)
    const auto q = Qt.col(query_i);
    scores.resize(width + n_extra);
    scores.head(width).noalias() = Kt.middleCols(lo, width).transpose() * q;
    for (Index k = 0; k < n_extra; ++k) scores(width + k) = Kt.col(extra[static_cast<size_t>(k)]).dot(q);
    scores *= scale;

    // pass 3: softmax over exactly these keys, shifted by their max so every exponent is <= 0
    scores = (scores.array() - scores.maxCoeff()).exp().matrix();
    scores /= scores.sum();

    // pass 4: weighted sum of the same keys' value rows, (d_v,) = (d_v, width) (width,) + the extra keys
    auto out = out_t.col(query_i);
    out.noalias() = Vt.middleCols(lo, width) * scores.head(width);
    for (Index k = 0; k < n_extra; ++k) out += scores(width + k) * Vt.col(extra[static_cast<size_t>(k)]);
  }
  return out_t.transpose();
}

}  // namespace attn
