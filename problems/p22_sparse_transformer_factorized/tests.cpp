// p22 sparse_transformer_factorized — graded tests. Golden values: tools/golden/p22.py (masks broadcast from
// the set definitions, cross-checked with the sets enumerated as the paper writes them; attention as a dense
// masked softmax per head in numpy, cross-checked with nn.MultiheadAttention and per-head 3-D masks).
#include <attnkata/graded.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <new>
#include <string>
#include <tuple>
#include <vector>

#include "golden.inc"
#include "sparse_transformer_factorized.h"

using namespace attn;
using namespace attn::check;

namespace {

constexpr SparsePattern kStrided = SparsePattern::Strided, kFixed = SparsePattern::Fixed;

std::string name_of(SparsePattern pattern) {
  return pattern == kStrided ? "strided" : "fixed";
}

// "{9, 10, 11}": the keys of row i
std::string set_of(const Mask& m, Index i) {
  std::string s = "{";
  for (Index j = 0; j < m.cols(); ++j)
    if (m(i, j)) s += (s.size() > 1 ? ", " : "") + std::to_string(j);
  return s + "}";
}

// T0: the masks must be these sets exactly. Names the first row that differs.
bool check_mask(const std::string& what, const Mask& got, const Mask& expected) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  Index n_bad = 0, first_row = -1;
  for (Index i = 0; i < expected.rows(); ++i)
    for (Index j = 0; j < expected.cols(); ++j)
      if (got(i, j) != expected(i, j)) {
        ++n_bad;
        if (first_row < 0) first_row = i;
      }
  if (n_bad == 0) return true;
  FAIL_CHECK(what << ": " << n_bad << " of " << expected.size() << " entries differ; row " << first_row
                  << " should be " << set_of(expected, first_row) << ", got " << set_of(got, first_row));
  return false;
}

// ---- diagnosis only, never a golden value: the classic wrong sets ----

enum class SetVariant {
  correct,
  band_of_l,         // strided A1 = {i-l+1, ..., i}
  multiples_of_l,    // strided A2 = {0, l, 2l, ...} <= i
  future,            // the paper's formulas without j <= i
  own_block_future,  // fixed A2 with the summaries of i's own block even when they come after i
  first_c,           // fixed A2 = the first c positions of each block
  one_summary_less,  // fixed A2 with j mod l > l - c
};

bool in_set(SparsePattern pattern, int head, SetVariant v, Index i, Index j, Index l, Index c) {
  const bool causal = v == SetVariant::future || j <= i;
  if (pattern == kStrided) {
    if (head == 0) {
      const Index lowest = v == SetVariant::band_of_l ? i - l + 1 : i - l;
      return causal && j >= lowest && (v != SetVariant::future || j <= i + l);
    }
    if (v == SetVariant::multiples_of_l) return causal && j % l == 0;
    return causal && (((i - j) % l) + l) % l == 0;
  }
  if (head == 0) return causal && j / l == i / l;
  if (v == SetVariant::own_block_future) return (j <= i || j / l == i / l) && j % l >= l - c;
  if (v == SetVariant::first_c) return causal && j % l < c;
  if (v == SetVariant::one_summary_less) return causal && j % l > l - c;
  return causal && j % l >= l - c;
}

Mask model_mask(Index n, SparsePattern pattern, int head, SetVariant v, Index l, Index c) {
  Mask m(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j < n; ++j) m(i, j) = in_set(pattern, head, v, i, j, l, c);
  return m;
}

bool same(const Mask& a, const Mask& b) {
  return a.rows() == b.rows() && a.cols() == b.cols() && (a == b).all();
}

// Name the classic mistakes in a pair of masks that failed its golden check.
void diagnose_masks(const std::pair<Mask, Mask>& got, Index n, SparsePattern pattern, Index l, Index c) {
  const Mask a1 = model_mask(n, pattern, 0, SetVariant::correct, l, c);
  const Mask a2 = model_mask(n, pattern, 1, SetVariant::correct, l, c);
  const auto& [g1, g2] = got;
  auto is_variant = [&](const Mask& g, int head, SetVariant v) {
    const Mask m = model_mask(n, pattern, head, v, l, c);
    return same(g, m) && !same(m, head == 0 ? a1 : a2);
  };
  if (is_variant(g1, 0, SetVariant::band_of_l))
    FAIL_CHECK(
        "A1 holds l positions, i-l+1 .. i: the paper's set is {max(0, i-l), ..., i}, the previous l "
        "positions "
        "and i itself (openai/sparse_attention's 'local' mode uses a band of l; this problem follows the "
        "paper)");
  if (is_variant(g2, 1, SetVariant::multiples_of_l))
    FAIL_CHECK(
        "A2 holds the multiples of l: it is every l-th position counted back from i, (i - j) mod l == 0, "
        "which for an image of width l is i's own column");
  const Mask upper = !causal_mask(n, n);
  if ((g1 && upper).any() || (g2 && upper).any())
    FAIL_CHECK(
        "the masks let a position attend to later positions j > i: the paper writes the sets without j <= i, "
        "but a model that generates pixels in order must never see the ones after i");
  if (is_variant(g2, 1, SetVariant::first_c))
    FAIL_CHECK(
        "A2 holds the first c positions of each block: the summaries are the last c, j mod l >= l - c");
  if (is_variant(g2, 1, SetVariant::one_summary_less))
    FAIL_CHECK("A2 holds c - 1 positions per block: j mod l >= l - c gives c of them, l-c .. l-1");
  if (same(g1, a2) && same(g2, a1) && !same(a1, a2))
    FAIL_CHECK("A1 and A2 are swapped: the pair is (A1, A2), A1 the local (previous l or own block) set");
  if (same(g1, a1.transpose()) || same(g2, a2.transpose()))
    FAIL_CHECK("a mask is transposed: row i lists the keys j that position i may attend to");
  if (same(g1, !a1) || same(g2, !a2))
    FAIL_CHECK("a mask is inverted: true means may attend (the SDPA convention), not masked out");
  const Mask lower = causal_mask(n, n);
  if (same(g1, lower) && same(g2, lower) && n > 1)
    FAIL_CHECK(
        "both masks are the whole causal triangle: that is dense causal attention, not the sparse sets");
}

// ---- attention in double from given masks (the golden masks or the variants above), for diagnosis only ----

MatD attend(const Mat& Q, const Mat& K, const Mat& V, const Mask& m1, const Mask& m2, double scale,
            bool empty_uniform = false) {
  const Index n = Q.rows(), d_h = Q.cols() / 2, d_v = V.cols() / 2;
  MatD out = MatD::Zero(n, V.cols());
  for (int head = 0; head < 2; ++head) {
    const Mask& m = head == 0 ? m1 : m2;
    const MatD S = scale * Q.middleCols(head * d_h, d_h).cast<double>() *
                   K.middleCols(head * d_h, d_h).cast<double>().transpose();
    for (Index i = 0; i < n; ++i) {
      Eigen::RowVectorXd w = Eigen::RowVectorXd::Zero(n);
      const bool empty = !m.row(i).any();
      if (empty && !empty_uniform) continue;
      double top = -INFINITY;
      for (Index j = 0; j < n; ++j)
        if (m(i, j) || empty) top = std::max(top, S(i, j));
      for (Index j = 0; j < n; ++j)
        if (m(i, j) || empty) w(j) = std::exp(S(i, j) - top);
      w /= w.sum();
      out.block(i, head * d_v, 1, d_v) = w * V.middleCols(head * d_v, d_v).cast<double>();
    }
  }
  return out;
}

// Name the classic mistakes when an attention output fails its golden check.
void diagnose_attention(const Mat& got, const Mat& Q, const Mat& K, const Mat& V, SparsePattern pattern,
                        Index l, Index c) {
  if (!got.allFinite()) {
    FAIL_CHECK(
        "the output is not finite: a row with an empty set must give zeros (a softmax over no keys is 0/0), "
        "and the row max must be subtracted before exp");
    return;
  }
  const Index n = Q.rows(), d_h = Q.cols() / 2;
  const Mask a1 = model_mask(n, pattern, 0, SetVariant::correct, l, c);
  const Mask a2 = model_mask(n, pattern, 1, SetVariant::correct, l, c);
  const double s = 1 / std::sqrt(double(d_h));
  const MatD truth = attend(Q, K, V, a1, a2, s);
  auto matches = [&](const MatD& alt) { return is_close(got, alt, kT2) && !is_close(got, truth, kT2); };
  if (matches(attend(Q, K, V, a1, a2, 1 / std::sqrt(double(2 * d_h)))))
    FAIL_CHECK(
        "the scores are scaled by 1/sqrt(Q.cols()): each head's dot product has d_h = Q.cols()/2 terms");
  if (matches(attend(Q, K, V, a1, a2, 1.0)))
    FAIL_CHECK("the scores are not scaled: divide each head's dot products by sqrt(d_h)");
  if (matches(attend(Q, K, V, a2, a1, s)))
    FAIL_CHECK("the heads are swapped: head 1 (the first columns) attends over A1, head 2 over A2");
  const Mask lower = causal_mask(n, n);
  if (matches(attend(Q, K, V, lower, lower, s)))
    FAIL_CHECK(
        "both heads attend to every earlier position: that is dense causal attention, not the sparse sets");
  if (matches(attend(Q, K, V, a1, a2, s, true)))
    FAIL_CHECK(
        "rows with an empty set get uniform weights over every key (a -1e9 fill does that): they must give "
        "zeros in that head's columns");
  const std::vector<std::pair<SetVariant, std::string>> wrong_sets{
      {SetVariant::band_of_l, "l positions i-l+1 .. i instead of the l + 1 of {max(0, i-l), ..., i}"},
      {SetVariant::multiples_of_l, "the multiples of l instead of i, i-l, i-2l, ..."},
      {SetVariant::future, "later positions j > i as well (the paper's formulas omit j <= i)"},
      {SetVariant::own_block_future, "the summaries of i's own block that come after i"},
      {SetVariant::first_c, "the first c positions of each block instead of the last c"},
      {SetVariant::one_summary_less, "c - 1 positions per block instead of c (j mod l >= l - c)"}};
  for (const auto& [v, why] : wrong_sets)
    for (int head = 0; head < 2; ++head) {
      const Mask m1 = head == 0 ? model_mask(n, pattern, 0, v, l, c) : a1;
      const Mask m2 = head == 1 ? model_mask(n, pattern, 1, v, l, c) : a2;
      if ((same(m1, a1) && same(m2, a2)) || !matches(attend(Q, K, V, m1, m2, s))) continue;
      FAIL_CHECK("the output matches head " << head + 1 << " attending over the wrong set: " << why);
    }
}

bool check_attention(const std::string& what, const Mat& got, const MatD& expected, const Mat& Q,
                     const Mat& K, const Mat& V, SparsePattern pattern, Index l, Index c, Tol tol = kT1) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  if (check_finite(what, got) && check_close(what, got, expected, tol)) return true;
  diagnose_attention(got, Q, K, V, pattern, l, c);
  return false;
}

// Golden masks of one configuration against the submission's, with a diagnosis.
template <class G>
bool masks_match(SparsePattern pattern, const G& golden_a1, const G& golden_a2, int n, int l, int c) {
  INFO(name_of(pattern) << " n = " << n << ", l = " << l << ", c = " << c);
  const auto got = sparse_masks(n, pattern, l, c);
  const bool ok = check_mask("A1", got.first, golden_a1) & check_mask("A2", got.second, golden_a2);
  if (!ok && got.first.rows() == n && got.first.cols() == n && got.second.rows() == n &&
      got.second.cols() == n)
    diagnose_masks(got, n, pattern, l, c);
  return ok;
}

bool golden_masks_16(SparsePattern pattern) {
  if (pattern == kStrided) {
    using namespace golden::masks_strided_16_4;
    return masks_match(kStrided, a1, a2, n, l, c);
  }
  using namespace golden::masks_fixed_16_4_c1;
  return masks_match(kFixed, a1, a2, n, l, c);
}

Mat mask_product(const Mask& a, const Mask& b) {  // entry (i, j) = number of k with a(i, k) and b(k, j)
  return a.cast<float>().matrix() * b.cast<float>().matrix();
}

// The masks of (n, l, c) are causal and sparse: |A1(i)| <= l + 1 and |A2(i)| <= c·ceil((i+1)/l).
bool causal_and_sparse(const std::pair<Mask, Mask>& got, Index n, Index l, Index c) {
  if (!expect_shape("A1", got.first, n, n) || !expect_shape("A2", got.second, n, n)) return false;
  for (int head = 0; head < 2; ++head) {
    const Mask& m = head == 0 ? got.first : got.second;
    for (Index i = 0; i < n; ++i) {
      const Index count = m.row(i).count(), bound = head == 0 ? l + 1 : c * ((i + l) / l);
      for (Index j = i + 1; j < n; ++j)
        if (m(i, j)) {
          FAIL_CHECK("A" << head + 1 << " lets position " << i << " attend to the later position " << j
                         << ": every set is causal, j <= i");
          return false;
        }
      if (count > bound) {
        FAIL_CHECK("A" << head + 1 << " of row " << i << " has " << count << " positions " << set_of(m, i)
                       << ", more than " << bound
                       << ": the sets are sparse (|A1| <= l + 1, |A2| <= c·ceil((i+1)/l))");
        return false;
      }
    }
  }
  return true;
}


}  // namespace

ATTN_TEST("masks are n×n and the output is n×V.cols()", shape, 1) {
  const auto [s1, s2] = sparse_masks(10, kStrided, 3);
  expect_shape("strided A1", s1, 10, 10);
  expect_shape("strided A2", s2, 10, 10);
  const auto [f1, f2] = sparse_masks(7, kFixed, 3, 2);
  expect_shape("fixed A1", f1, 7, 7);
  expect_shape("fixed A2", f2, 7, 7);
  const Mat Q = Mat::Random(9, 6), K = Mat::Random(9, 6), V = Mat::Random(9, 4);
  expect_shape("strided output", sparse_factorized_attention(Q, K, V, kStrided, 3), 9, 4);
  expect_shape("fixed output", sparse_factorized_attention(Q, K, V, kFixed, 4, 2), 9, 4);
}

ATTN_TEST("n = 0 gives 0×0 masks and a 0-row output", shape, 1) {
  const auto [a1, a2] = sparse_masks(0, kFixed, 4, 2);
  expect_shape("A1", a1, 0, 0);
  expect_shape("A2", a2, 0, 0);
  expect_shape("output", sparse_factorized_attention(Mat(0, 4), Mat(0, 4), Mat(0, 6), kStrided, 3), 0, 6);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // the two 8×8 grids of the statement (n = 8, l = 3), row 7 spelled out there
  {
    using namespace golden::masks_strided_8_3;
    masks_match(kStrided, a1, a2, n, l, c);
  }
  {
    using namespace golden::masks_fixed_8_3_c1;
    masks_match(kFixed, a1, a2, n, l, c);
  }
  // n = 4, strided l = 2, d_h = d_v = 1, scale 1; every query is [ln 2, ln 3]. Head 1, head 2:
  //   row 1: {0, 1}: [0, ln 2] -> [1/3, 2/3] -> 20/3            {1} -> 2
  //   row 2: {0, 1, 2}: [0, ln 2, 0] -> [1/4, 1/2, 1/4] -> 10    {0, 2}: [ln 3, 0] -> [3/4, 1/4] -> 1.5
  //   row 3: {1, 2, 3}: [ln 2, 0, ln 2] -> [.4, .2, .4] -> 20    {1, 3}: [0, ln 3] -> [1/4, 3/4] -> 3.5
  Mat Q(4, 2);
  Q.col(0).setConstant(std::log(2.f));
  Q.col(1).setConstant(std::log(3.f));
  const Mat K = (Mat(4, 2) << 0, 1, 1, 0, 0, 0, 1, 1).finished();
  const Mat V = (Mat(4, 2) << 0, 1, 10, 2, 20, 3, 30, 4).finished();
  const MatD expected{{0, 1}, {20.0 / 3, 2}, {10, 1.5}, {20, 3.5}};
  const Mat got = sparse_factorized_attention(Q, K, V, kStrided, 2);
  if (!check_attention("output", got, expected, Q, K, V, kStrided, 2, 1) && got.rows() == 4 &&
      got.cols() == 2 && std::abs(got(3, 0) - 100.0 / 6) < 1e-3)
    FAIL_CHECK("row 3 of head 1 is 16.67, the softmax over all of 0..3: A1(3) is {1, 2, 3} for l = 2");
}

ATTN_TEST("strided masks of a 4×4 image equal the golden sets", numeric, 2) {
  // l = 4 = the image width: A1 = the previous row segment, A2 = the same column
  golden_masks_16(kStrided);
}

ATTN_TEST("fixed masks with c = 1 and c = 2 equal the golden sets", numeric, 2) {
  golden_masks_16(kFixed);
  using namespace golden::masks_fixed_16_4_c2;
  masks_match(kFixed, a1, a2, n, l, c);
}

ATTN_TEST("masks where l does not divide n equal the golden sets", numeric, 1) {
  {
    using namespace golden::masks_strided_10_3;
    masks_match(kStrided, a1, a2, n, l, c);
  }
  using namespace golden::masks_fixed_10_3_c2;  // the last block {9} is partial and has no summary position
  masks_match(kFixed, a1, a2, n, l, c);
}

ATTN_TEST("strided attention matches golden values", numeric, 2) {
  using namespace golden::strided;  // 16 positions, l = 4, d_h = 3, d_v = 2
  check_attention("output", sparse_factorized_attention(Q, K, V, kStrided, l), output, Q, K, V, kStrided, l,
                  c);
}

ATTN_TEST("fixed attention matches golden values", numeric, 2) {
  using namespace golden::fixed;  // 16 positions, l = 4, c = 2, d_h = d_v = 4
  check_attention("output", sparse_factorized_attention(Q, K, V, kFixed, l, c), output, Q, K, V, kFixed, l,
                  c);
}

ATTN_TEST("64 positions with d_h = 16 stay within T1 for both patterns", numeric, 1) {
  using namespace golden::wide;  // an 8×8 image, l = 8
  check_attention("strided output", sparse_factorized_attention(Q, K, V, kStrided, l), output, Q, K, V,
                  kStrided, l, c);
  check_attention("fixed output (c = 3)", sparse_factorized_attention(Q, K, V, kFixed, l, c_fixed),
                  output_fixed, Q, K, V, kFixed, l, c_fixed);
}

ATTN_TEST("no position attends to a later one", property, 1) {
  // the golden sets first (an empty or constant mask is causal too), then larger shapes
  if (!golden_masks_16(kStrided) || !golden_masks_16(kFixed)) return;
  for (const auto& [n, l, c] : std::vector<std::array<int, 3>>{{50, 7, 3}, {33, 4, 4}, {20, 25, 2}}) {
    INFO("n = " << n << ", l = " << l << ", c = " << c);
    for (const SparsePattern pattern : {kStrided, kFixed}) {
      INFO(name_of(pattern));
      const auto got = sparse_masks(n, pattern, l, c);
      if (!expect_shape("A1", got.first, n, n) || !expect_shape("A2", got.second, n, n)) return;
      const Mask upper = !causal_mask(n, n);
      if ((got.first && upper).any() || (got.second && upper).any()) {
        FAIL_CHECK("a mask has an entry above the diagonal: position i may only attend to j <= i");
        diagnose_masks(got, n, pattern, l, c);
        return;
      }
    }
  }
}

ATTN_TEST("set sizes stay within l + 1 and c·ceil((i+1)/l)", property, 1) {
  // the golden sets first, then the bounds that make the pattern sparse on larger shapes
  if (!golden_masks_16(kStrided) || !golden_masks_16(kFixed)) return;
  {
    using namespace golden::masks_fixed_16_4_c2;  // c = 2: row 3 has A2 = {2, 3}, 2·ceil(4/4) = 2 positions
    if (!masks_match(kFixed, a1, a2, n, l, c)) return;
  }
  for (const auto& [n, l, c] : std::vector<std::array<int, 3>>{{200, 14, 1}, {200, 14, 5}, {64, 8, 8}}) {
    INFO("n = " << n << ", l = " << l << ", c = " << c);
    if (!causal_and_sparse(sparse_masks(n, kStrided, l), n, l, 1) ||
        !causal_and_sparse(sparse_masks(n, kFixed, l, c), n, l, c))
      return;
  }
}

ATTN_TEST("strided: A1 then A2 reaches every earlier position", property, 2) {
  // base case: the golden sets of a 4×4 image. Then: i -> k in A1(i) -> j in A2(k) covers every j <= i,
  // since the l + 1 positions of A1(i) hold one k with k ≡ j (mod l) and k >= j. Boolean product A1·A2.
  if (!golden_masks_16(kStrided)) return;
  for (const auto& [n, l] :
       std::vector<std::array<int, 2>>{{8, 3}, {30, 5}, {50, 7}, {37, 6}, {20, 1}, {5, 8}}) {
    INFO("n = " << n << ", l = " << l);
    const auto got = sparse_masks(n, kStrided, l);
    if (!causal_and_sparse(got, n, l, 1)) return;
    const Mat reach = mask_product(got.first, got.second);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j <= i; ++j)
        if (reach(i, j) == 0) {
          FAIL_CHECK("position " << i << " cannot reach " << j << " through A1(" << i
                                 << ") = " << set_of(got.first, i) << " and then A2 of those positions");
          return;
        }
  }
}

ATTN_TEST("fixed: A1 or A2 then A1 reaches every earlier position", property, 2) {
  // base case: the golden sets. Then: j in i's own block is in A1(i); an earlier block is reached through its
  // last position k (a summary, in A2(i)) whose A1(k) is that whole block. Boolean A1 ∪ A2·A1.
  if (!golden_masks_16(kFixed)) return;
  for (const auto& [n, l, c] : std::vector<std::array<int, 3>>{
           {8, 3, 1}, {30, 5, 2}, {50, 7, 3}, {37, 6, 6}, {20, 1, 1}, {5, 8, 3}}) {
    INFO("n = " << n << ", l = " << l << ", c = " << c);
    const auto got = sparse_masks(n, kFixed, l, c);
    if (!causal_and_sparse(got, n, l, c)) return;
    const Mat reach = mask_product(got.second, got.first);
    for (Index i = 0; i < n; ++i)
      for (Index j = 0; j <= i; ++j)
        if (!got.first(i, j) && reach(i, j) == 0) {
          FAIL_CHECK("position " << i << " cannot reach " << j << ": not in A1(" << i
                                 << ") = " << set_of(got.first, i) << ", and no summary in A2(" << i
                                 << ") = " << set_of(got.second, i) << " has it in its A1");
          return;
        }
  }
}

ATTN_TEST("row i reads only its own sets: NaN anywhere else stays out", property, 2) {
  // For a row i, every key/value row outside A1(i) gets NaN in head 1's columns, outside A2(i) in head 2's,
  // and every other query row is NaN: row i must still be its golden row. (Other rows may be NaN.)
  auto poisoned_row = [](const Mat& Q, const Mat& K, const Mat& V, const Mask& m1, const Mask& m2, Index i,
                         SparsePattern pattern, int l, int c, const MatD& expected) {
    const Index n = Q.rows(), d_h = Q.cols() / 2, d_v = V.cols() / 2;
    Mat Qp = Mat::Constant(n, Q.cols(), NAN), Kp = K, Vp = V;
    Qp.row(i) = Q.row(i);
    for (Index j = 0; j < n; ++j) {
      if (!m1(i, j)) Kp.block(j, 0, 1, d_h).setConstant(NAN), Vp.block(j, 0, 1, d_v).setConstant(NAN);
      if (!m2(i, j)) Kp.block(j, d_h, 1, d_h).setConstant(NAN), Vp.block(j, d_v, 1, d_v).setConstant(NAN);
    }
    const Mat got = sparse_factorized_attention(Qp, Kp, Vp, pattern, l, c);
    if (!expect_shape("output", got, n, V.cols())) return false;
    INFO(name_of(pattern) << ", row " << i << ": A1 = " << set_of(m1, i) << ", A2 = " << set_of(m2, i));
    if (!got.row(i).allFinite()) {
      FAIL_CHECK(
          "row " << i
                 << " is NaN: it read a key or value row outside its sets. Visit only the listed keys; "
                    "a zero weight does not help, 0 × NaN is NaN");
      return false;
    }
    return check_close("row " + std::to_string(i), got.row(i), expected.row(i), kT1);
  };
  {
    using namespace golden::strided;
    namespace M = golden::masks_strided_16_4;
    if (!check_attention("output", sparse_factorized_attention(Q, K, V, kStrided, l), output, Q, K, V,
                         kStrided, l, c))
      return;
    for (const Index i : {3, 9, 14})
      if (!poisoned_row(Q, K, V, M::a1, M::a2, i, kStrided, l, c, output)) return;
  }
  using namespace golden::fixed;
  namespace M = golden::masks_fixed_16_4_c2;
  for (const Index i : {1, 6, 13})
    if (!poisoned_row(Q, K, V, M::a1, M::a2, i, kFixed, l, c, output)) return;
}

ATTN_TEST("each head reads only its own columns of Q K and V", property, 1) {
  using namespace golden::fixed;  // d_h = d_v = 4: head 1 is columns 0..3, head 2 columns 4..7
  for (int poisoned = 0; poisoned < 2; ++poisoned) {
    const int kept = 1 - poisoned;
    INFO("columns of head " << poisoned + 1 << " are NaN; head " << kept + 1 << " must be golden");
    Mat Qp = Q, Kp = K, Vp = V;
    Qp.middleCols(poisoned * 4, 4).setConstant(NAN);
    Kp.middleCols(poisoned * 4, 4).setConstant(NAN);
    Vp.middleCols(poisoned * 4, 4).setConstant(NAN);
    const Mat got = sparse_factorized_attention(Qp, Kp, Vp, kFixed, l, c);
    if (!expect_shape("output", got, Q.rows(), V.cols())) return;
    const Mat head = got.middleCols(kept * 4, 4);
    if (!head.allFinite()) {
      FAIL_CHECK("head " << kept + 1
                         << " is NaN: it read the other head's columns. Head k uses columns "
                            "[k·d_h, (k+1)·d_h) of Q and K and [k·d_v, (k+1)·d_v) of V");
      return;
    }
    check_close("head " + std::to_string(kept + 1), head, MatD(output.middleCols(kept * 4, 4)), kT1);
  }
}

ATTN_TEST("32768 positions run without an n×n matrix", property, 3) {
  // A 128×256 image, l = 256. One n×n bool mask is 1 GiB, an n×n float score matrix 4 GiB: both exceed the
  // problem's 1 GiB memory limit. Per row the sets hold at most l + 1 + n/l (strided) or l + c·n/l keys.
  using namespace golden::long_seq;
  const Mat Q = hashed_matrix(n, 2 * d_h, 1), K = hashed_matrix(n, 2 * d_h, 2), V = hashed_matrix(n, 2 * d_v, 3);
  try {
    for (const SparsePattern pattern : {kStrided, kFixed}) {
      INFO(name_of(pattern));
      const Mat got = sparse_factorized_attention(Q, K, V, pattern, l, c);
      if (!expect_shape("output", got, n, 2 * d_v)) return;
      const bool strided = pattern == kStrided;
      check_close("rows 0..7", got.topRows(8), strided ? strided_head : fixed_head, kT1);
      check_close("rows " + std::to_string(middle) + "..", got.middleRows(middle, 8),
                  strided ? strided_middle : fixed_middle, kT1);
      check_close("rows " + std::to_string(n - 8) + "..", got.bottomRows(8),
                  strided ? strided_tail : fixed_tail, kT1);
    }
  } catch (const std::bad_alloc&) {
    FAIL_CHECK(
        "std::bad_alloc: an n×n matrix for n = 32768 is 1 GiB of bool or 4 GiB of float. List each row's "
        "keys "
        "(at most l + 1 + n/l of them) and visit only those: that is the point of a sparse pattern");
  }
}

ATTN_TEST("scores beyond ±88 stay finite and match golden values", edge, 2) {
  using namespace golden::large;  // allowed scores beyond 88 in magnitude, where float32 exp overflows
  const Mat got = sparse_factorized_attention(Q, K, V, kStrided, l);
  if (!expect_shape("output", got, Q.rows(), V.cols())) return;
  if (!check_finite("output", got)) {
    FAIL_CHECK("exp(score) overflows float32 above 88.7: subtract each row's max over its set before exp");
    return;
  }
  check_attention("output", got, output, Q, K, V, kStrided, l, c);
}

ATTN_TEST("a row with an empty set gives zeros in that head", edge, 2) {
  using namespace golden::fixed_empty;  // l = 5, c = 1: A2 is empty in rows 0..3 (the first summary is 4)
  const Mat got = sparse_factorized_attention(Q, K, V, kFixed, l, c);
  if (!expect_shape("output", got, Q.rows(), V.cols())) return;
  if (!check_finite("output", got)) {
    FAIL_CHECK(
        "an empty set makes the softmax 0/0 (or max over nothing = -inf, and -inf - -inf = NaN): rows 0..3 "
        "of "
        "head 2 have nothing to attend to and must be zeros");
    return;
  }
  check_close("head 2 of rows 0..3", got.block(0, 3, 4, 3), MatD::Zero(4, 3), Tol{0, 0, "exact"});
  check_attention("output", got, output, Q, K, V, kFixed, l, c);
}

ATTN_TEST("l > n and l = 1 give the degenerate patterns", edge, 1) {
  {
    using namespace golden::masks_strided_5_8;  // A1 = the whole causal triangle, A2 = the diagonal
    masks_match(kStrided, a1, a2, n, l, c);
  }
  {
    using namespace golden::masks_fixed_5_8_c3;  // one block; its summaries 5..7 lie beyond n: A2 is empty
    masks_match(kFixed, a1, a2, n, l, c);
  }
  {
    using namespace golden::masks_strided_6_1;  // A1 = {i-1, i}, A2 = every j <= i
    masks_match(kStrided, a1, a2, n, l, c);
  }
  using namespace golden::masks_fixed_6_1_c1;  // A1 = {i}, A2 = every j <= i
  masks_match(kFixed, a1, a2, n, l, c);
}

ATTN_TEST("l <= 0 or c outside 1..l or n < 0 throws std::invalid_argument", edge, 1) {
  const Mat Q = Mat::Random(6, 4), V = Mat::Random(6, 2);
  for (const SparsePattern pattern : {kStrided, kFixed}) {
    INFO(name_of(pattern));
    for (const auto& [l, c, why] : std::vector<std::tuple<int, int, const char*>>{{0, 1, "l = 0"},
                                                                                  {-3, 1, "l = -3"},
                                                                                  {4, 0, "c = 0"},
                                                                                  {4, -1, "c = -1"},
                                                                                  {4, 5, "c = 5 > l = 4"}}) {
      INFO(std::string(why));
      CHECK_THROWS_AS(sparse_masks(6, pattern, l, c), std::invalid_argument);
      CHECK_THROWS_AS(sparse_factorized_attention(Q, Q, V, pattern, l, c), std::invalid_argument);
    }
    CHECK_THROWS_AS(sparse_masks(-1, pattern, 4, 1), std::invalid_argument);
    CHECK_NOTHROW(sparse_masks(6, pattern, 4, 4));
    CHECK_NOTHROW(sparse_factorized_attention(Q, Q, V, pattern, 4, 4));
  }
}

ATTN_TEST("mismatched shapes and odd head columns throw std::invalid_argument", edge, 2) {
  const auto throws = [](const char* why, const Mat& Q, const Mat& K, const Mat& V) {
    INFO(std::string(why));
    CHECK_THROWS_AS(sparse_factorized_attention(Q, K, V, kStrided, 3), std::invalid_argument);
    CHECK_THROWS_AS(sparse_factorized_attention(Q, K, V, kFixed, 3, 1), std::invalid_argument);
  };
  const Mat Q = Mat::Random(6, 4), V = Mat::Random(6, 2);
  throws("K has 5 rows, Q has 6", Q, Mat::Random(5, 4), V);
  throws("V has 7 rows, Q has 6", Q, Q, Mat::Random(7, 2));
  throws("K has 6 columns, Q has 4", Q, Mat::Random(6, 6), V);
  throws("Q and K have 5 columns: two heads need an even number", Mat::Random(6, 5), Mat::Random(6, 5), V);
  throws("Q and K have no columns: d_h = 0", Mat(6, 0), Mat(6, 0), V);
  throws("V has 3 columns: two heads need an even number", Q, Q, Mat::Random(6, 3));
}
