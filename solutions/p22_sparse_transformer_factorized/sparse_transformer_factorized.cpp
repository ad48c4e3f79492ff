// p22 sparse_transformer_factorized — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
// One helper lists the keys of A1(i) or A2(i) in increasing order; the masks mark them, and the attention
// visits only them, so no n×n matrix exists anywhere in the attention.
#include "sparse_transformer_factorized.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>
#include <vector>

namespace attn {
namespace {

using Index = Eigen::Index;

void check_pattern_args(int l, int c, const char* fn) {
  if (l <= 0) throw std::invalid_argument(std::string(fn) + ": l must be positive");
  if (c < 1 || c > l) throw std::invalid_argument(std::string(fn) + ": c must be in 1..l");
}

// keys = the set A_head(i), increasing. head 0 is A1, head 1 is A2.
void list_keys(SparsePattern pattern, int head, Index i, Index l, Index c, std::vector<Index>& keys) {
  keys.clear();
  if (pattern == SparsePattern::Strided) {
    if (head == 0) {  // the previous l positions and i: {max(0, i-l), ..., i}, l + 1 of them once i >= l
      for (Index j = std::max<Index>(0, i - l); j <= i; ++j) keys.push_back(j);
    } else {  // i, i-l, i-2l, ... down to i mod l, listed upwards
      for (Index j = i % l; j <= i; j += l) keys.push_back(j);
    }
  } else {
    const Index block_start = (i / l) * l;
    if (head == 0) {  // i's own block, up to i
      for (Index j = block_start; j <= i; ++j) keys.push_back(j);
    } else {  // positions l-c .. l-1 of every block that starts at or before i, as long as they are <= i
      for (Index start = 0; start <= block_start; start += l)
        for (Index j = start + l - c; j < start + l && j <= i; ++j) keys.push_back(j);
    }
  }
}

}  // namespace

std::pair<Mask, Mask> sparse_masks(int n, SparsePattern pattern, int l, int c) {
  if (n < 0) throw std::invalid_argument("sparse_masks: n must be >= 0");
  check_pattern_args(l, c, "sparse_masks");
  // a1, a2 are (n, n); row i marks the keys position i may attend to
  Mask a1 = Mask::Constant(n, n, false), a2 = Mask::Constant(n, n, false);
  std::vector<Index> keys;
  for (Index query_i = 0; query_i < n; ++query_i) {
    list_keys(pattern, 0, query_i, l, c, keys);
    for (const Index key_j : keys) a1(query_i, key_j) = true;
    list_keys(pattern, 1, query_i, l, c, keys);
    for (const Index key_j : keys) a2(query_i, key_j) = true;
  }
  return {a1, a2};
}

Mat sparse_factorized_attention(const Mat& Q, const Mat& K, const Mat& V, SparsePattern pattern, int l,
                                int c) {
  // Q, K are (n, 2·d_h), V is (n, 2·d_v); the result is (n, 2·d_v)
  const Index n = Q.rows();
  if (K.rows() != n || V.rows() != n)
    throw std::invalid_argument("sparse_factorized_attention: Q, K and V need the same number of rows");
  if (K.cols() != Q.cols()) throw std::invalid_argument("sparse_factorized_attention: K.cols() != Q.cols()");
  if (Q.cols() == 0 || Q.cols() % 2 != 0 || V.cols() % 2 != 0)
    throw std::invalid_argument("sparse_factorized_attention: two heads need even, non-zero head columns");
  check_pattern_args(l, c, "sparse_factorized_attention");
  const Index d_h = Q.cols() / 2, d_v = V.cols() / 2;

  // pass 0: positions as columns, so that the d_h features of one key are contiguous in memory
  const Mat Qt = Q.transpose(), Kt = K.transpose(), Vt = V.transpose();  // (2·d_h, n), (2·d_v, n)
  // each head's dot product has d_h terms: the scale is 1/sqrt(d_h), not 1/sqrt(2·d_h)
  const float scale = 1.f / std::sqrt(static_cast<float>(d_h));
  Mat out_t = Mat::Zero(2 * d_v, n);  // (2·d_v, n), transposed back at the end

  std::vector<Index> keys;
  Eigen::VectorXf scores;
  for (int head = 0; head < 2; ++head) {
    for (Index query_i = 0; query_i < n; ++query_i) {
      // pass 1: the keys of A_head(i); an empty set (fixed A2 before the first summary) leaves zeros
      list_keys(pattern, head, query_i, l, c, keys);
      if (keys.empty()) continue;
      const auto q = Qt.col(query_i).segment(head * d_h, d_h);
      // pass 2: scaled scores of the listed keys only; (|keys|,)
      scores.resize(static_cast<Index>(keys.size()));
      for (size_t k = 0; k < keys.size(); ++k)
        scores(static_cast<Index>(k)) = scale * q.dot(Kt.col(keys[k]).segment(head * d_h, d_h));
      // pass 3: softmax over them, shifted by this row's max so every exponent is <= 0
      scores = (scores.array() - scores.maxCoeff()).exp().matrix();
      scores /= scores.sum();
      // pass 4: weighted sum of the same keys' value rows into this head's columns
      auto out = out_t.col(query_i).segment(head * d_v, d_v);
      for (size_t k = 0; k < keys.size(); ++k)
        out += scores(static_cast<Index>(k)) * Vt.col(keys[k]).segment(head * d_v, d_v);
    }
  }
  return out_t.transpose();
}

}  // namespace attn
