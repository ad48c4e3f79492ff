// p17 afm_attentional_fm — graded tests. Golden values: tools/golden/p17.py (an explicit per-pair numpy loop,
// cross-checked with torch triu_indices + nn.Linear + a masked softmax, and with Rendle's identity).
#include <attnkata/graded.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "afm_attentional_fm.h"
#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

using VecD = Eigen::VectorXd;
using RowVecD = Eigen::RowVectorXd;

AfmParams params_of(float w0, const Mat& w, const Mat& W, const Mat& b, const Mat& h, const Mat& p) {
  AfmParams params;
  params.w0 = w0, params.w = w.col(0), params.W = W, params.b = b.row(0), params.h = h.col(0);
  params.p = p.col(0);
  return params;
}

// One golden case: the inputs and the expected y, pair weights (P, 1) and pooled (1, k).
struct Golden {
  Mat V;
  Vec x;
  AfmParams params;
  double y;
  MatD pair_weights, pooled;
};

Golden make_golden(const Mat& V, const Mat& x, float w0, const Mat& w, const Mat& W, const Mat& b,
                   const Mat& h, const Mat& p, const MatD& y, const MatD& pair_weights, const MatD& pooled) {
  return {V, x.col(0), params_of(w0, w, W, b, h, p), y(0, 0), pair_weights, pooled};
}

const Golden& random_case() {
  using namespace golden::random;
  static const Golden g = make_golden(V, x, w0, w, W, b, h, p, y, pair_weights, pooled);
  return g;
}
const Golden& absent_case() {  // fields 2 and 5 absent
  using namespace golden::absent;
  static const Golden g = make_golden(V, x, w0, w, W, b, h, p, y, pair_weights, pooled);
  return g;
}
const Golden& large_case() {
  using namespace golden::large;
  static const Golden g = make_golden(V, x, w0, w, W, b, h, p, y, pair_weights, pooled);
  return g;
}
const Golden& wide_case() {
  using namespace golden::wide;
  static const Golden g = make_golden(V, x, w0, w, W, b, h, p, y, pair_weights, pooled);
  return g;
}

// The position of pair (i, j), i < j, in lexicographic order over m fields.
Index lex_index(Index i, Index j, Index m) {
  return i * (2 * m - i - 1) / 2 + (j - i - 1);
}

// ---- diagnosis only, never a golden value: the classic wrong formulas, in double ----

enum class Pooling { attention, sum, mean };
struct Variant {
  bool j_major = false;             // pairs numbered (0,1), (0,2), (1,2), (0,3), … (by j, then i)
  bool relu = true;                 // ReLU on the hidden units
  bool bias = true;                 // b added before the ReLU
  bool use_x = true;                // x_i x_j in e_ij
  bool absent_take_weight = false;  // pairs with x = 0 still in the softmax (e = 0, logit hᵀ ReLU(b))
  Pooling pooling = Pooling::attention;
};
struct AfmD {
  double y;
  VecD weights;
  RowVecD pooled;
};

AfmD afm_variant(const Mat& V, const Vec& x, const AfmParams& prm, const Variant& v) {
  const Index m = V.rows(), k = V.cols();
  std::vector<std::pair<Index, Index>> pairs;  // in the variant's numbering
  if (v.j_major)
    for (Index j = 0; j < m; ++j)
      for (Index i = 0; i < j; ++i) pairs.emplace_back(i, j);
  else
    for (Index i = 0; i < m; ++i)
      for (Index j = i + 1; j < m; ++j) pairs.emplace_back(i, j);
  const MatD Vd = V.cast<double>(), Wd = prm.W.cast<double>();
  const VecD xd = x.cast<double>(), hd = prm.h.cast<double>();
  const RowVecD bd = v.bias ? RowVecD(prm.b.cast<double>()) : RowVecD(RowVecD::Zero(prm.b.size()));
  AfmD out{double(prm.w0) + prm.w.cast<double>().dot(xd), VecD::Zero(Index(pairs.size())), RowVecD::Zero(k)};
  std::vector<Index> used;
  std::vector<RowVecD> e;
  std::vector<double> logit;
  for (Index q = 0; q < Index(pairs.size()); ++q) {
    const auto [i, j] = pairs[size_t(q)];
    const bool present = xd(i) != 0 && xd(j) != 0;
    if (!present && !v.absent_take_weight) continue;
    RowVecD eij = Vd.row(i).cwiseProduct(Vd.row(j));
    if (v.use_x) eij *= xd(i) * xd(j);
    if (!present) eij.setZero();
    RowVecD hidden = eij * Wd + bd;
    if (v.relu) hidden = hidden.cwiseMax(0.0);
    used.push_back(q), e.push_back(eij), logit.push_back(hidden.dot(hd.transpose()));
  }
  if (used.empty()) return out;
  double top = logit[0], total = 0;
  for (double s : logit) top = std::max(top, s);
  for (size_t r = 0; r < used.size(); ++r) {
    const double a = v.pooling == Pooling::sum    ? 1.0
                     : v.pooling == Pooling::mean ? 1.0 / double(used.size())
                                                  : std::exp(logit[r] - top);
    out.weights(used[r]) = a;
    total += a;
  }
  if (v.pooling == Pooling::attention) out.weights /= total;
  for (size_t r = 0; r < used.size(); ++r) out.pooled += out.weights(used[r]) * e[r];
  out.y += out.pooled.dot(prm.p.cast<double>().transpose());
  return out;
}

// Name the classic mistakes when a check has failed; returns whether one was named.
bool diagnose(const AfmOut& got, const Mat& V, const Vec& x, const AfmParams& prm) {
  const Index m = V.rows(), n_pairs = m * (m - 1) / 2;
  if (got.pair_weights.size() != n_pairs || got.pooled.size() != V.cols() || !got.pooled.allFinite() ||
      !got.pair_weights.allFinite())
    return false;
  const auto weights_like = [&](const AfmD& d) { return is_close(got.pair_weights, MatD(d.weights), kT2); };
  const auto pooled_like = [&](const AfmD& d) { return is_close(got.pooled, MatD(d.pooled), kT2); };
  const auto matches = [&](const AfmD& d) { return weights_like(d) && pooled_like(d); };
  const AfmD right = afm_variant(V, x, prm, {});
  bool named = false;
  const auto name = [&](const std::string& mistake) {
    FAIL_CHECK(mistake);
    named = true;
  };
  bool any_absent = false;
  for (Index i = 0; i < m; ++i) any_absent |= x(i) == 0;

  if (matches(right)) {
    // the weights and pooled are right: only y can be wrong (below)
  } else if (m >= 4 && matches(afm_variant(V, x, prm, {.j_major = true}))) {
    name(
        "the weights are right but in the wrong places: pairs are numbered (0,1), (0,2), (1,2), (0,3), … "
        "(by j first). The order is lexicographic, i major: (0,1), (0,2), …, (0,m-1), (1,2), …; pair "
        "(i, j) is number i(2m-i-1)/2 + (j-i-1)");
  } else if (matches(afm_variant(V, x, prm, {.relu = false}))) {
    name("the ReLU is missing: the logit is hᵀ ReLU(e_ij W + b), with ReLU on each of the t hidden units");
  } else if (matches(afm_variant(V, x, prm, {.bias = false}))) {
    name("the bias b is missing: the hidden layer is ReLU(e_ij W + b)");
  } else if (any_absent && matches(afm_variant(V, x, prm, {.absent_take_weight = true}))) {
    name(
        "pairs with an absent field (x = 0) took part in the softmax: the paper's R_x holds pairs of "
        "non-zero features only, so those pairs get weight exactly 0 and the others share all of it");
  } else if (matches(afm_variant(V, x, prm, {.use_x = false}))) {
    name("x is missing from the interactions: e_ij = (v_i ⊙ v_j) x_i x_j, not v_i ⊙ v_j");
  } else if (pooled_like(afm_variant(V, x, prm, {.pooling = Pooling::sum}))) {
    name(
        "pooled is the plain sum Σ e_ij: that is FM's interaction term. AFM weighs each pair with its "
        "attention weight: pooled = Σ a_ij e_ij, and the weights sum to 1");
  } else if (pooled_like(afm_variant(V, x, prm, {.pooling = Pooling::mean}))) {
    name(
        "pooled is the mean of the interactions and every pair weighs the same: the logits "
        "hᵀ ReLU(e_ij W + b) are not used");
  }
  if (!named && weights_like(right) && !pooled_like(right))
    name("the weights are right and pooled is not: pooled = Σ a_ij e_ij, the interactions weighted, summed");
  if (!named && weights_like(right) && pooled_like(right)) {
    const double linear = prm.w.cast<double>().dot(x.cast<double>()), wx_free = right.y - linear;
    if (std::abs(got.y - wx_free) <= 1e-4)
      name("y lacks the linear term Σ_i w_i x_i: y = w0 + Σ_i w_i x_i + p · pooled");
    else if (std::abs(got.y - (right.y - prm.w0)) <= 1e-4)
      name("y lacks the global bias w0: y = w0 + Σ_i w_i x_i + p · pooled");
    else if (std::abs(got.y - right.pooled.sum() -
                      (right.y - right.pooled.dot(prm.p.cast<double>().transpose()))) <= 1e-4)
      name("y sums pooled instead of projecting it with p: y = w0 + Σ_i w_i x_i + p · pooled");
  }
  return named;
}

// The whole result against a golden case, T1; names the mistake when it can.
bool check_afm(const std::string& what, const AfmOut& got, const Golden& g) {
  if (!expect_shape(what + " pair_weights", got.pair_weights, g.pair_weights.rows(), 1) ||
      !expect_shape(what + " pooled", got.pooled, 1, g.pooled.cols()))
    return false;
  if (!check_finite(what + " pair_weights", got.pair_weights) || !check_finite(what + " pooled", got.pooled))
    return false;
  if (!std::isfinite(got.y)) {
    FAIL_CHECK(what << " y is " << num(got.y) << ": results must be finite");
    return false;
  }
  const bool ok = check_close(what + " pair_weights", got.pair_weights, g.pair_weights, kT1) &
                  check_close(what + " pooled", got.pooled, g.pooled, kT1) &
                  check_close(what + " y", double(got.y), g.y, kT1);
  if (!ok) diagnose(got, g.V, g.x, g.params);
  return ok;
}

bool check_golden(const std::string& what, const Golden& g) {
  return check_afm(what, afm_forward(g.V, g.x, g.params), g);
}

// e_ij = (v_i ⊙ v_j) x_i x_j in double
RowVecD interaction(const Mat& V, const Vec& x, Index i, Index j) {
  return V.row(i).cast<double>().cwiseProduct(V.row(j).cast<double>()) * (double(x(i)) * double(x(j)));
}

double linear_part(const Vec& x, const AfmParams& prm) {
  return double(prm.w0) + prm.w.cast<double>().dot(x.cast<double>());
}

AfmParams random_params(Index m, Index k, Index t) {
  AfmParams prm;
  prm.w0 = 0.25f, prm.w = Vec::Random(m), prm.W = Mat::Random(k, t), prm.b = RowVec::Random(t);
  prm.h = Vec::Random(t), prm.p = Vec::Random(k);
  return prm;
}

}  // namespace

ATTN_TEST("pair_weights has m(m-1)/2 entries and pooled has k", shape, 1) {
  const Index m = 5, k = 3;
  const AfmOut got = afm_forward(Mat::Random(m, k), Vec::Ones(m), random_params(m, k, 4));
  const Index n = got.pair_weights.size();
  if (n == m * (m + 1) / 2)
    FAIL_CHECK("15 = m(m+1)/2 weights: the diagonal i = j is not a pair; pairs are i < j");
  else if (n == m * (m - 1))
    FAIL_CHECK("20 = m(m-1) weights: (i, j) and (j, i) are the same pair; count each once, i < j");
  else if (n == m * m)
    FAIL_CHECK("25 = m² weights: only the pairs i < j are interactions");
  expect_shape("pair_weights", got.pair_weights, m * (m - 1) / 2, 1);
  expect_shape("pooled", got.pooled, 1, k);
}

ATTN_TEST("one field or none gives no pairs", shape, 1) {
  const AfmParams one = random_params(1, 3, 4), none = random_params(0, 3, 4);
  const AfmOut got1 = afm_forward(Mat::Random(1, 3), Vec::Ones(1), one);
  expect_shape("pair_weights with m = 1", got1.pair_weights, 0, 1);
  expect_shape("pooled with m = 1", got1.pooled, 1, 3);
  const AfmOut got0 = afm_forward(Mat(0, 3), Vec(0), none);
  expect_shape("pair_weights with m = 0", got0.pair_weights, 0, 1);
  expect_shape("pooled with m = 0", got0.pooled, 1, 3);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // V = [1 2; 1 -1; 2 1], x = [1 1 0.5], W = I, b = 0, h = p = [1 1], w0 = 0.5, w = [0.1 0.2 0.3]:
  // e = [1 -2], [1 1], [1 -0.5]; logits 1, 2, 1; weights [0.2119416 0.5761169 0.2119416],
  // pooled [1 0.0462630], y = 0.5 + 0.45 + 1.0462630 = 1.9962630. With h = 0: weights 1/3, pooled = Σ e / 3 =
  // [1 -0.5], y = 1.45 (the statement's numbers, to 7 digits)
  const Mat V{{1.f, 2.f}, {1.f, -1.f}, {2.f, 1.f}};
  const Vec x = (Vec(3) << 1.f, 1.f, 0.5f).finished();
  AfmParams prm;
  prm.w0 = 0.5f, prm.w = (Vec(3) << 0.1f, 0.2f, 0.3f).finished(), prm.W = Mat::Identity(2, 2),
  prm.b = RowVec::Zero(2);
  prm.h = Vec::Ones(2), prm.p = Vec::Ones(2);
  const Tol digits7{0, 1e-6, "1e-6 (7 digits)"};
  const AfmOut got = afm_forward(V, x, prm);
  if (!expect_shape("pair_weights", got.pair_weights, 3, 1)) return;
  const bool ok =
      check_close("pair_weights", got.pair_weights, MatD{{0.2119416}, {0.5761169}, {0.2119416}}, digits7) &
      check_close("pooled", got.pooled, MatD{{1.0, 0.0462630}}, digits7) &
      check_close("y", double(got.y), 1.9962630, digits7);
  if (!ok) diagnose(got, V, x, prm);
  prm.h.setZero();
  const AfmOut flat = afm_forward(V, x, prm);
  check_close("pair_weights with h = 0", flat.pair_weights, MatD::Constant(3, 1, 1.0 / 3), digits7);
  check_close("pooled with h = 0", flat.pooled, MatD{{1.0, -0.5}}, digits7);
  check_close("y with h = 0", double(flat.y), 1.45, digits7);
}

ATTN_TEST("random AFM with real-valued fields matches golden values", numeric, 3) {
  check_golden("random", random_case());
}

ATTN_TEST("absent fields (x = 0) match golden values", numeric, 2) {
  check_golden("absent", absent_case());
}

ATTN_TEST("attention logits beyond ±88 stay finite and match golden values", numeric, 2) {
  const Golden& g = large_case();
  const AfmOut got = afm_forward(g.V, g.x, g.params);
  if (got.pair_weights.size() == g.pair_weights.rows() && !got.pair_weights.allFinite()) {
    FAIL_CHECK(
        "some attention logits here exceed 88, where float32 exp overflows: subtract the largest logit "
        "before exponentiating (the softmax does not change)");
    return;
  }
  check_afm("large", got, g);
}

ATTN_TEST("12 fields with t = 16 stay within T1", numeric, 1) {
  check_golden("wide", wide_case());
}

ATTN_TEST("pair weights sum to 1 and are the golden weights", property, 1) {
  for (const Golden* g : {&wide_case(), &large_case()}) {
    const AfmOut got = afm_forward(g->V, g->x, g->params);
    if (!expect_shape("pair_weights", got.pair_weights, g->pair_weights.rows(), 1)) return;
    // the sum alone holds for any distribution (uniform weights too): the weights must be the right ones
    const RowVec as_row = got.pair_weights.transpose();
    check_rows_sum_to("pair_weights", as_row);
    check_close("pair_weights", got.pair_weights, g->pair_weights, kT1);
  }
}

ATTN_TEST("pair weights follow the lexicographic order (0 1) (0 2) … (1 2) …", property, 2) {
  if (!check_golden("random", random_case())) return;
  // only fields i and j present: all the weight on pair (i, j), at position i(2m-i-1)/2 + (j-i-1)
  const Index m = 5, k = 3;
  const Mat V = Mat::Random(m, k);
  const AfmParams prm = random_params(m, k, 4);
  for (Index i = 0; i < m; ++i)
    for (Index j = i + 1; j < m; ++j) {
      Vec x = Vec::Zero(m);
      x(i) = 1.5f, x(j) = -0.5f;
      const Index q = lex_index(i, j, m);
      CAPTURE(i);
      CAPTURE(j);
      const AfmOut got = afm_forward(V, x, prm);
      if (!expect_shape("pair_weights", got.pair_weights, m * (m - 1) / 2, 1)) return;
      MatD expected = MatD::Zero(m * (m - 1) / 2, 1);
      expected(q, 0) = 1;
      if (!check_close("pair_weights with only fields i and j present", got.pair_weights, expected, kT1)) {
        Index at_one = -1;
        for (Index r = 0; r < got.pair_weights.size(); ++r)
          if (std::abs(got.pair_weights(r) - 1) < 1e-4) at_one = r;
        if (at_one >= 0)
          FAIL_CHECK("pair (" << i << ", " << j << ") has its weight at position " << at_one << ", not " << q
                              << ": number the pairs (0,1), (0,2), …, (0,m-1), (1,2), … (i major)");
        else if (got.pair_weights.sum() > 0.5)
          FAIL_CHECK(
              "pairs with an absent field (x = 0) took weight: only pairs of present fields are in the "
              "softmax, so a single present pair gets weight 1");
        return;
      }
      const RowVecD e = interaction(V, x, i, j);
      check_close("pooled with only fields i and j present", got.pooled, MatD(e), kT1);
      check_close("y with only fields i and j present", double(got.y),
                  linear_part(x, prm) + e.dot(prm.p.cast<double>().transpose()), kT1);
    }
}

ATTN_TEST("permuting the fields leaves y and pooled unchanged and permutes the weights", property, 2) {
  const Golden& g = random_case();
  if (!check_golden("random", g)) return;
  const std::vector<int> order{3, 0, 5, 1, 4, 2};  // field f of the permuted input is field order[f]
  const Index m = g.V.rows();
  AfmParams prm = g.params;
  prm.w = rows_in_order(g.params.w, order);
  const AfmOut got = afm_forward(rows_in_order(g.V, order), rows_in_order(g.x, order), prm);
  MatD expected(m * (m - 1) / 2, 1);
  for (Index i = 0; i < m; ++i)
    for (Index j = i + 1; j < m; ++j) {
      const Index a = order[size_t(i)], b = order[size_t(j)];
      expected(lex_index(i, j, m), 0) = g.pair_weights(lex_index(std::min(a, b), std::max(a, b), m), 0);
    }
  check_close("y with permuted fields", double(got.y), g.y, kT1);
  check_close("pooled with permuted fields", got.pooled, g.pooled, kT1);
  if (!check_close("pair_weights with permuted fields", got.pair_weights, expected, kT1))
    FAIL_CHECK(
        "the weight of a pair belongs to the two fields, wherever they sit: after permuting, pair (i, j) "
        "carries the weight of (order[i], order[j])");
}

ATTN_TEST("h = 0 gives uniform weights and Rendle's identity", property, 2) {
  const Golden& g = random_case();
  if (!check_golden("random", g)) return;
  // every logit is 0: a_ij = 1/P, and Σ_{i<j} e_ij = ½[(Σ_i v_i x_i)^⊙2 − Σ_i (v_i x_i)^⊙2] (Rendle 2010)
  AfmParams prm = g.params;
  prm.h.setZero();
  const Index m = g.V.rows(), n_pairs = m * (m - 1) / 2;
  const MatD Vx = g.V.cast<double>().array().colwise() * g.x.cast<double>().array();
  const RowVecD fm_sum =
      0.5 * (Vx.colwise().sum().array().square() - Vx.array().square().colwise().sum()).matrix();
  const RowVecD expected_pooled = fm_sum / double(n_pairs);
  const AfmOut got = afm_forward(g.V, g.x, prm);
  check_close("pair_weights with h = 0", got.pair_weights, MatD::Constant(n_pairs, 1, 1.0 / double(n_pairs)),
              kT1);
  if (!check_close("pooled with h = 0", got.pooled, MatD(expected_pooled), kT1) &&
      is_close(got.pooled, MatD(fm_sum)))
    FAIL_CHECK("pooled equals the plain sum Σ e_ij: the weights 1/P must multiply each interaction");
  check_close("y with h = 0", double(got.y),
              linear_part(g.x, prm) + expected_pooled.dot(prm.p.cast<double>().transpose()), kT1);
}

ATTN_TEST("pairs with an absent field get weight exactly 0", property, 2) {
  const Golden& g = absent_case();
  const AfmOut got = afm_forward(g.V, g.x, g.params);
  const Index m = g.V.rows();
  if (!expect_shape("pair_weights", got.pair_weights, m * (m - 1) / 2, 1)) return;
  for (Index i = 0; i < m; ++i)
    for (Index j = i + 1; j < m; ++j)
      if ((g.x(i) == 0 || g.x(j) == 0) && got.pair_weights(lex_index(i, j, m)) != 0) {
        const float weight = got.pair_weights(lex_index(i, j, m));
        FAIL_CHECK("pair (" << i << ", " << j << ") has an absent field (x = 0) and weight " << num(weight)
                            << ": it must be exactly 0 and take no part in the softmax");
        if (std::abs(weight) < 1e-30f)
          FAIL_CHECK(
              "a logit of -inf is not enough: Eigen's vectorised exp clamps its argument near -88 and "
              "returns "
              "about 3e-39, not 0. Skip the pair and leave its weight at 0");
        diagnose(got, g.V, g.x, g.params);
        return;
      }
  check_afm("absent", got, g);  // and the present pairs share all the weight, as golden
}

ATTN_TEST("embeddings of absent fields are never read", property, 2) {
  const Golden& g = absent_case();  // fields 2 and 5 absent
  Mat V = g.V;
  V.row(2).setConstant(NAN);
  V.row(5).setConstant(1e30f);
  const AfmOut got = afm_forward(V, g.x, g.params);
  if ((got.pair_weights.size() && !got.pair_weights.allFinite()) || !got.pooled.allFinite() ||
      !std::isfinite(got.y)) {
    FAIL_CHECK(
        "NaN and 1e30 in the rows of V of absent fields reached the result: those rows must never be read. "
        "Skip pairs with x_i = 0 or x_j = 0 instead of multiplying them by 0 (0 × NaN is NaN, 0 × inf too)");
    return;
  }
  check_afm("absent with poisoned rows", got, g);
}

ATTN_TEST("two fields give a single weight 1", edge, 1) {
  const Golden& g = random_case();
  if (!check_golden("random", g)) return;
  AfmParams prm = g.params;
  prm.w = g.params.w.head(2);
  const Mat V = g.V.topRows(2);
  const Vec x = g.x.head(2);
  const AfmOut got = afm_forward(V, x, prm);
  const RowVecD e = interaction(V, x, 0, 1);
  check_close("pair_weights with m = 2", got.pair_weights, MatD::Ones(1, 1), kT1);
  check_close("pooled with m = 2", got.pooled, MatD(e), kT1);
  check_close("y with m = 2", double(got.y), linear_part(x, prm) + e.dot(prm.p.cast<double>().transpose()),
              kT1);
}

ATTN_TEST("one field or none gives y = w0 + w·x and no interaction", edge, 1) {
  const Golden& g = random_case();
  if (!check_golden("random", g)) return;
  AfmParams prm = g.params;
  prm.w = g.params.w.head(1);
  const AfmOut one = afm_forward(g.V.topRows(1), g.x.head(1), prm);
  if (!check_finite("pooled with m = 1", one.pooled) || !std::isfinite(one.y)) {
    FAIL_CHECK("with no pair there is nothing to attend to: pooled is 0, not 0/0");
    return;
  }
  check_close("pooled with m = 1", one.pooled, MatD::Zero(1, g.V.cols()), Tol{0, 0, "exact"});
  check_close("y with m = 1", double(one.y), linear_part(g.x.head(1), prm), kT1);
  prm.w = Vec(0);
  const AfmOut none = afm_forward(Mat(0, g.V.cols()), Vec(0), prm);
  check_close("y with m = 0", double(none.y), double(prm.w0), kT1);
}

ATTN_TEST("a single present field among many gives zero weights and no interaction", edge, 1) {
  const Golden& g = absent_case();
  if (!check_golden("absent", g)) return;
  Vec x = Vec::Zero(g.V.rows());
  x(3) = g.x(3);
  Mat V = g.V;
  for (Index f = 0; f < V.rows(); ++f)
    if (f != 3) V.row(f).setConstant(NAN);  // absent: never read
  const AfmOut got = afm_forward(V, x, g.params);
  const Index n_pairs = g.pair_weights.rows();
  if ((got.pair_weights.size() && !got.pair_weights.allFinite()) || !got.pooled.allFinite()) {
    FAIL_CHECK(
        "with one present field no pair is present: every weight and pooled are exactly 0 (not 0/0), and "
        "the absent fields' rows of V (NaN here) are never read");
    return;
  }
  check_close("pair_weights with one present field", got.pair_weights, MatD::Zero(n_pairs, 1),
              Tol{0, 0, "exact"});
  check_close("pooled with one present field", got.pooled, MatD::Zero(1, g.V.cols()), Tol{0, 0, "exact"});
  check_close("y with one present field", double(got.y), linear_part(x, g.params), kT1);
}

ATTN_TEST("logits near ±100 need the largest subtracted", edge, 2) {
  // k = t = 1, W = [1], b = [0], x = 1: logit_ij = h·ReLU(v_i v_j). v = [1, 0.95, 0.96]: with h = 100 the
  // logits are 95, 96, 91.2 (exp overflows float32 past 88.7); with h = -120 they are -114, -115.2, -109.44
  // (exp underflows to 0 for all three: 0/0)
  const Mat V{{1.f}, {0.95f}, {0.96f}};
  const Vec x = Vec::Ones(3);
  AfmParams prm;
  prm.w0 = 0, prm.w = Vec::Zero(3), prm.W = Mat::Ones(1, 1), prm.b = RowVec::Zero(1), prm.p = Vec::Ones(1);
  for (const float h : {100.f, -120.f}) {
    CAPTURE(h);
    prm.h = Vec::Constant(1, h);
    VecD logits(3);
    RowVecD e(3);  // e of pairs (0,1), (0,2), (1,2); k = 1
    Index q = 0;
    for (Index i = 0; i < 3; ++i)
      for (Index j = i + 1; j < 3; ++j, ++q) {
        e(q) = double(V(i, 0)) * double(V(j, 0));
        logits(q) = double(h) * std::max(e(q), 0.0);
      }
    VecD a = (logits.array() - logits.maxCoeff()).exp();
    a /= a.sum();
    const AfmOut got = afm_forward(V, x, prm);
    if (!expect_shape("pair_weights", got.pair_weights, 3, 1)) return;
    if (!got.pair_weights.allFinite()) {
      FAIL_CHECK(std::string(h > 0 ? "exp(96) overflows float32 (the limit is about 88.7): "
                                   : "exp(-109) underflows to 0 for every pair, and 0/0 is NaN: ")
                 << "subtract the largest logit before exponentiating");
      return;
    }
    check_close("pair_weights", got.pair_weights, MatD(a), kT1);
    check_close("y", double(got.y), e.dot(a.transpose()), kT1);
  }
}

ATTN_TEST("V x and w that disagree on m throw std::invalid_argument", edge, 1) {
  const Mat V = Mat::Random(4, 3);
  const AfmParams prm = random_params(4, 3, 5);
  CHECK_NOTHROW(afm_forward(V, Vec::Ones(4), prm));
  {
    INFO(std::string("x needs one value per row of V"));
    CHECK_THROWS_AS(afm_forward(V, Vec::Ones(5), prm), std::invalid_argument);
    CHECK_THROWS_AS(afm_forward(V, Vec::Ones(3), prm), std::invalid_argument);
  }
  AfmParams bad = prm;
  bad.w = Vec::Random(3);
  INFO(std::string("w needs one weight per field"));
  CHECK_THROWS_AS(afm_forward(V, Vec::Ones(4), bad), std::invalid_argument);
}

ATTN_TEST("W b h or p of the wrong size throws std::invalid_argument", edge, 2) {
  const Mat V = Mat::Random(4, 3);
  const Vec x = Vec::Ones(4);
  const AfmParams prm = random_params(4, 3, 5);
  const auto throws = [&](const char* why, AfmParams bad) {
    INFO(std::string(why));
    CHECK_THROWS_AS(afm_forward(V, x, bad), std::invalid_argument);
  };
  AfmParams bad = prm;
  bad.W = Mat::Random(4, 5);
  throws("W needs k = V.cols() rows", bad);
  bad = prm, bad.b = RowVec::Random(4);
  throws("b needs t = W.cols() entries", bad);
  bad = prm, bad.h = Vec::Random(6);
  throws("h needs t = W.cols() entries", bad);
  bad = prm, bad.p = Vec::Random(4);
  throws("p needs k = V.cols() entries", bad);
  bad = prm, bad.W = Mat::Random(3, 4);
  throws("b and h need W.cols() entries (W has t = 4 columns here)", bad);
}
