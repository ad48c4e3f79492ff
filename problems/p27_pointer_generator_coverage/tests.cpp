// p27 pointer_generator_coverage — graded tests. Golden values: tools/golden/p27.py (numpy, np.add.at;
// cross-checked with torch).
#include "pointer_generator_coverage.h"

#include <attnkata/graded.h>

#include <cmath>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

using VecD = Eigen::VectorXd;

// One step's inputs, so a test can change one of them and call again.
struct Case {
  Mat enc;
  std::vector<int> ids;
  int n_oov, valid_len;
  RowVec s_t, x_t;
  Vec coverage;
  PGParams p;
  PGStep run() const { return pointer_generator_step(enc, ids, n_oov, valid_len, s_t, x_t, coverage, p); }
  int vocab() const { return static_cast<int>(p.b2.size()); }
};

// The expected values of a golden case.
struct Expected {
  MatD final_dist, attention, new_coverage, p_vocab;
  double p_gen, coverage_loss;
};

// clang-format off
#define P27_CASE(ns)                                                                                  \
  Case{ns::enc, ns::src_ext_ids, ns::n_oov, ns::valid_len, ns::s_t.row(0), ns::x_t.row(0),            \
       ns::coverage.col(0),                                                                           \
       PGParams{ns::W_h, ns::W_s, ns::w_c.row(0), ns::b_attn.row(0), ns::v.col(0), ns::V1,            \
                ns::b1.row(0), ns::V2, ns::b2.row(0), ns::w_hstar.col(0), ns::w_s.col(0),             \
                ns::w_x.col(0), ns::b_ptr}}
#define P27_EXPECTED(ns) \
  Expected{ns::final_dist, ns::attention, ns::new_coverage, ns::p_vocab, ns::p_gen, ns::coverage_loss}
// clang-format on

// ---- diagnosis only, never a golden value: pieces of the step and classic wrong variants, in double ----

// Scores over the first n positions (valid_len, or T to model "padding attended"), with or without coverage.
VecD attention_variant(const Case& c, Index n, bool with_coverage) {
  const MatD W_h = c.p.W_h.cast<double>();
  const Eigen::RowVectorXd dec = c.s_t.cast<double>() * c.p.W_s.cast<double>() + c.p.b_attn.cast<double>();
  VecD e(n);
  for (Index i = 0; i < n; ++i) {
    Eigen::RowVectorXd pre = c.enc.row(i).cast<double>() * W_h + dec;
    if (with_coverage) pre += c.coverage(i) * c.p.w_c.cast<double>();
    e(i) = pre.array().tanh().matrix().dot(c.p.v.cast<double>().transpose());
  }
  VecD a = VecD::Zero(c.enc.rows());
  a.head(n) = (e.array() - e.maxCoeff()).exp().matrix();
  a /= a.sum();
  return a;
}

enum class Scatter { add, assign, drop_oov };

// Σ_{i < valid_len, ids_i = w} a_i over the extended vocabulary, or a classic wrong version of it.
VecD copy_dist(const Case& c, const VecD& a, Scatter how = Scatter::add) {
  VecD out = VecD::Zero(c.vocab() + c.n_oov);
  for (int i = 0; i < c.valid_len; ++i) {
    const int w = c.ids[i];
    if (how == Scatter::drop_oov && w >= c.vocab()) continue;
    out(w) = (how == Scatter::assign ? 0.0 : out(w)) + a(i);
  }
  return out;
}

VecD mixture(const Case& c, double p_gen, const VecD& p_vocab, const VecD& copy) {
  VecD out = (1 - p_gen) * copy;
  out.head(c.vocab()) += p_gen * p_vocab;
  return out;
}

// Name the classic mistakes in the mixture; returns whether one was named.
bool diagnose_final(const PGStep& got, const Case& c, const Expected& ex) {
  const VecD a = ex.attention.col(0), pv = ex.p_vocab.col(0);
  auto matches = [&](const VecD& v) { return is_close(got.final_dist, v, kT2); };
  if (matches(mixture(c, ex.p_gen, pv, copy_dist(c, a, Scatter::assign)))) {
    FAIL_CHECK(
        "a repeated source word keeps only the attention of its last occurrence: scatter-ADD "
        "(final_dist(id) += (1 − p_gen)·a_i), do not assign");
    return true;
  }
  if (matches(mixture(c, ex.p_gen, pv, copy_dist(c, a, Scatter::drop_oov)))) {
    FAIL_CHECK(
        "the out-of-vocabulary ids (>= V) got no copy mass: copying is the only way to produce them, "
        "final_dist has V + n_oov entries");
    return true;
  }
  if (matches(mixture(c, 1 - ex.p_gen, pv, copy_dist(c, a)))) {
    FAIL_CHECK(
        "p_gen and 1 − p_gen are swapped: p_gen weighs P_vocab (generate), 1 − p_gen the copy "
        "distribution");
    return true;
  }
  VecD no_weight = copy_dist(c, a);
  no_weight.head(c.vocab()) += ex.p_gen * pv;
  if (matches(no_weight)) {
    FAIL_CHECK("the copy distribution is added without its weight 1 − p_gen: the result sums to 2 − p_gen");
    return true;
  }
  return false;
}

bool diagnose_attention(const PGStep& got, const Case& c) {
  auto matches = [&](const VecD& v) { return is_close(got.attention, v, kT2); };
  if (matches(attention_variant(c, c.valid_len, false))) {
    FAIL_CHECK("the attention ignores coverage: the score is vᵀ tanh(h_i W_h + s_t W_s + c_i w_c + b_attn)");
    return true;
  }
  if (c.valid_len < c.enc.rows() && matches(attention_variant(c, c.enc.rows(), true))) {
    FAIL_CHECK("padded positions i >= valid_len take attention: the softmax runs over the valid ones only");
    return true;
  }
  return false;
}

void diagnose_coverage_loss(const PGStep& got, const Vec& attention, const Vec& coverage, int valid_len) {
  const double with_max =
      attention.head(valid_len).cast<double>().cwiseMax(coverage.head(valid_len).cast<double>()).sum();
  if (std::abs(got.coverage_loss - with_max) < 1e-4)
    FAIL_CHECK(
        "that is Σ max(a_i, c_i): the coverage loss is Σ min(a_i, c_i), the attention that lands on "
        "positions already covered");
}

// Every output of one step against a golden case.
void check_step(const PGStep& got, const Case& c, const Expected& ex) {
  if (!check_close("attention", got.attention, ex.attention, kT2)) diagnose_attention(got, c);
  check_close("new_coverage", got.new_coverage, ex.new_coverage, kT2);
  if (!check_close("coverage_loss", got.coverage_loss, ex.coverage_loss, kT2))
    diagnose_coverage_loss(got, ex.attention.col(0).cast<float>(), c.coverage, c.valid_len);
  check_close("p_gen", got.p_gen, ex.p_gen, kT2);
  if (!check_close("final_dist", got.final_dist, ex.final_dist, kT2)) diagnose_final(got, c, ex);
}

// The attention of a golden case must match before a relation built on it means anything.
bool check_attention(const PGStep& got, const Case& c, const MatD& expected) {
  if (check_close("attention", got.attention, expected, kT2)) return true;
  diagnose_attention(got, c);
  return false;
}

}  // namespace


ATTN_TEST("outputs have sizes V+n_oov and T", shape, 1) {
  const Case c = P27_CASE(golden::step);
  const PGStep got = c.run();
  expect_shape("final_dist", got.final_dist, c.vocab() + c.n_oov, 1);
  expect_shape("attention", got.attention, c.enc.rows(), 1);
  expect_shape("new_coverage", got.new_coverage, c.enc.rows(), 1);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // W_h = W_s = w_c = 0: every score is vᵀ tanh(0) = 0, so the 3 valid positions get 1/3 each.
  // V1 = V2 = 0 and b2 = log P: P_vocab = [.1 .2 .3 .4].
  // w_hstar = w_s = w_x = 0 and b_ptr = log 1.5: p_gen = 0.6.
  const int V = 4, h = 2, d = 2;
  PGParams p{Mat::Zero(d, h),     Mat::Zero(d, h), RowVec::Zero(h), RowVec::Zero(h), Vec::Ones(h),
             Mat::Zero(2 * d, 2), RowVec::Zero(2), Mat::Zero(2, V), RowVec(V),       Vec::Zero(d),
             Vec::Zero(d),        Vec::Zero(1),    std::log(1.5f)};
  p.b2 << std::log(0.1f), std::log(0.2f), std::log(0.3f), std::log(0.4f);
  const Mat enc{{1, 2}, {3, 4}, {5, 6}, {7, 8}};
  const Vec coverage{{0.5f, 0.1f, 0.0f, 0.7f}};
  const PGStep got =
      pointer_generator_step(enc, {2, 4, 2, 1}, 1, 3, RowVec{{0.5f, -0.5f}}, RowVec{{1.f}}, coverage, p);
  const Tol tol{1e-6, 1e-6, "1e-6 (the statement's values)"};
  const double third = 1.0 / 3;
  check_close("attention", got.attention, MatD{{third}, {third}, {third}, {0}}, tol);
  check_close("p_gen", got.p_gen, 0.6, tol);
  check_close("coverage_loss", got.coverage_loss, 0.5 * 0 + third + 0.1, tol);
  check_close("new_coverage", got.new_coverage, MatD{{0.5 + third}, {0.1 + third}, {third}, {0.7}}, tol);
  const MatD expected{{0.06}, {0.12}, {0.18 + 0.8 * third}, {0.24}, {0.4 * third}};
  if (!check_close("final_dist", got.final_dist, expected, tol) && got.final_dist.size() == 5) {
    if (std::abs(got.final_dist(2) - (0.18 + 0.4 * third)) < 1e-5)
      FAIL_CHECK(
          "final_dist(2) = 0.3133 holds one occurrence of word 2; it occurs twice, so it gets "
          "0.4·(1/3 + 1/3): scatter-ADD the attention");
    else if (std::abs(got.final_dist(4)) < 1e-7)
      FAIL_CHECK("final_dist(4) is 0: id 4 is the source's OOV word (V = 4) and gets 0.4·1/3 by copying");
  }
}

ATTN_TEST("attention with coverage matches golden values", numeric, 2) {
  const Case c = P27_CASE(golden::step);
  const PGStep got = c.run();
  check_attention(got, c, golden::step::attention);
  check_close("new_coverage", got.new_coverage, golden::step::new_coverage, kT2);
}

ATTN_TEST("coverage loss matches golden values", numeric, 1) {
  const Case c = P27_CASE(golden::step);
  const PGStep got = c.run();
  if (!check_close("coverage_loss", got.coverage_loss, golden::step::coverage_loss, kT2))
    diagnose_coverage_loss(got, got.attention, c.coverage, c.valid_len);
}

ATTN_TEST("p_gen matches golden values", numeric, 1) {
  const Case c = P27_CASE(golden::step);
  const PGStep got = c.run();
  if (!check_close("p_gen", got.p_gen, golden::step::p_gen, kT2) &&
      std::abs(got.p_gen - (1 - golden::step::p_gen)) < 1e-5)
    FAIL_CHECK("that is 1 − p_gen: p_gen = σ(h*·w_hstar + s_t·w_s + x_t·w_x + b_ptr)");
}

ATTN_TEST("final distribution matches golden values", numeric, 3) {
  const Case c = P27_CASE(golden::step);
  const PGStep got = c.run();
  if (!check_close("final_dist", got.final_dist, golden::step::final_dist, kT2))
    diagnose_final(got, c, P27_EXPECTED(golden::step));
}

ATTN_TEST("first step with zero coverage matches golden values", numeric, 2) {
  const Case c = P27_CASE(golden::first);
  check_step(c.run(), c, P27_EXPECTED(golden::first));
}

ATTN_TEST("a 24-position source with repeats matches golden values", numeric, 2) {
  const Case c = P27_CASE(golden::wide);
  check_step(c.run(), c, P27_EXPECTED(golden::wide));
}

// Each property test checks the attention (or more) against golden values before its relation: zeros satisfy
// "padding gets nothing", and uniform attention keeps every bookkeeping identity.

ATTN_TEST("final_dist is a distribution over V+n_oov entries", property, 1) {
  for (const auto& [c, attention] : {std::pair{P27_CASE(golden::step), golden::step::attention},
                                     std::pair{P27_CASE(golden::first), golden::first::attention},
                                     std::pair{P27_CASE(golden::wide), golden::wide::attention}}) {
    const Index T = c.enc.rows();
    CAPTURE(T);
    const PGStep got = c.run();
    if (!check_attention(got, c, attention)) return;
    if (!expect_shape("final_dist", got.final_dist, c.vocab() + c.n_oov, 1)) return;
    if (!check_finite("final_dist", got.final_dist)) return;
    if (got.final_dist.minCoeff() < 0) FAIL_CHECK("final_dist has a negative entry");
    if (!check_rows_sum_to("final_dist", got.final_dist.transpose()))
      FAIL_CHECK(
          "P(w) = p_gen·P_vocab(w) + (1 − p_gen)·copy(w) sums to p_gen + (1 − p_gen) = 1 when both "
          "parts sum to 1 and every valid position's attention lands on its id");
  }
}

ATTN_TEST("b_ptr = +50 gives P_vocab padded with zeros", property, 2) {
  using namespace golden::wide;
  Case c = P27_CASE(golden::wide);
  c.p.b_ptr = 50.f;  // p_gen = σ(50 + O(1)): 1 in float32; attention and P_vocab do not depend on b_ptr
  const PGStep got = c.run();
  if (!check_attention(got, c, attention)) return;
  check_close("p_gen", got.p_gen, 1.0, kT1);
  MatD expected = MatD::Zero(c.vocab() + c.n_oov, 1);
  expected.topRows(c.vocab()) = p_vocab;
  if (!check_close("final_dist", got.final_dist, expected, kT2) &&
      is_close(got.final_dist, copy_dist(c, attention.col(0)), kT2))
    FAIL_CHECK("with p_gen = 1 you return the copy distribution: p_gen weighs P_vocab, 1 − p_gen the copy");
}

ATTN_TEST("b_ptr = -50 gives the scatter-added attention", property, 2) {
  using namespace golden::wide;
  Case c = P27_CASE(golden::wide);
  c.p.b_ptr = -50.f;  // p_gen = σ(−50 + O(1)) ≈ 1e-22: copy only
  const PGStep got = c.run();
  if (!check_attention(got, c, attention)) return;
  check_close("p_gen", got.p_gen, 0.0, kT1);
  const VecD a = attention.col(0);
  if (check_close("final_dist", got.final_dist, copy_dist(c, a), kT2)) return;
  if (is_close(got.final_dist, copy_dist(c, a, Scatter::assign), kT2))
    FAIL_CHECK("repeated ids keep only their last occurrence's attention: use +=, a scatter-ADD");
  else if (is_close(got.final_dist, copy_dist(c, a, Scatter::drop_oov), kT2))
    FAIL_CHECK("OOV ids (>= V) got none of their attention: they are entries V .. V+n_oov-1 of final_dist");
  else if (is_close(got.final_dist, mixture(c, 1, p_vocab.col(0), copy_dist(c, a)), kT2))
    FAIL_CHECK("with p_gen = 0 you return P_vocab: p_gen weighs P_vocab, 1 − p_gen the copy distribution");
}

ATTN_TEST("duplicate source tokens accumulate their attention", property, 2) {
  Case c = P27_CASE(golden::step);
  const int word = 4;  // every valid position holds the same word
  for (int i = 0; i < c.valid_len; ++i) c.ids[i] = word;
  c.p.b_ptr = -50.f;
  const PGStep got = c.run();
  if (!expect_shape("final_dist", got.final_dist, c.vocab() + c.n_oov, 1)) return;
  if (!check_close("final_dist(4), the only source word", static_cast<double>(got.final_dist(word)), 1.0,
                   kT1)) {
    if (std::abs(got.final_dist(word) - got.attention(c.valid_len - 1)) < 1e-6)
      FAIL_CHECK("final_dist(4) is the attention of the last position only: scatter-ADD, final(id) += a_i");
    return;
  }
  // the step case: OOV word 12 at positions 1 and 6, word 5 at positions 0, 3 and 7
  using namespace golden::step;
  const Case d = P27_CASE(golden::step);
  const PGStep two = d.run();
  if (!expect_shape("final_dist", two.final_dist, d.vocab() + d.n_oov, 1)) return;
  const double p_copy = 1 - p_gen;
  check_close("final_dist(12), an OOV word at positions 1 and 6", static_cast<double>(two.final_dist(12)),
              p_copy * (attention(1, 0) + attention(6, 0)), kT2);
  check_close("final_dist(5), word 5 at positions 0, 3 and 7", static_cast<double>(two.final_dist(5)),
              p_gen * p_vocab(5, 0) + p_copy * (attention(0, 0) + attention(3, 0) + attention(7, 0)), kT2);
}

ATTN_TEST("OOV ids receive only copy mass", property, 2) {
  using namespace golden::step;  // V = 12: OOV 12 twice, 13 once, 14 only at a padded position
  const Case c = P27_CASE(golden::step);
  const PGStep got = c.run();
  if (!expect_shape("final_dist", got.final_dist, c.vocab() + c.n_oov, 1)) return;
  const VecD copy = copy_dist(c, attention.col(0));
  for (int w = c.vocab(); w < c.vocab() + c.n_oov; ++w) {
    CAPTURE(w);
    if (!check_close("final_dist(w)", static_cast<double>(got.final_dist(w)), (1 - p_gen) * copy(w), kT2)) {
      if (got.final_dist(w) == 0 && copy(w) > 0)
        FAIL_CHECK(
            "an OOV word of the source gets nothing: it must receive (1 − p_gen)·Σ a_i of its positions");
      return;
    }
  }
  if (got.final_dist(14) != 0.f) FAIL_CHECK("final_dist(14) must be exactly 0: id 14 is only at padding");
}

ATTN_TEST("coverage loss lies in 0..1 and is 0 at the first step", property, 2) {
  // six steps of the wide case from zero coverage; step t gets the golden coverage c^t
  using namespace golden::rollout;
  Case c = P27_CASE(golden::wide);
  for (Index t = 0; t < coverage.rows(); ++t) {
    CAPTURE(t);
    c.coverage = coverage.row(t).transpose();
    const PGStep got = c.run();
    if (t == 0 && std::abs(got.coverage_loss) > 1e-7) {
      const std::string hint =
          std::abs(got.coverage_loss - 1) < 1e-5 ? ": that is Σ max(a_i, 0) = Σ a_i, use min" : "";
      FAIL_CHECK("at t = 0 the coverage is 0, so Σ min(a_i, 0) = 0; got " << got.coverage_loss << hint);
      return;
    }
    if (!(got.coverage_loss >= 0 && got.coverage_loss <= 1 + 1e-6)) {
      FAIL_CHECK("coverage_loss " << got.coverage_loss << " is outside [0, 1]: min(a_i, c_i) <= a_i and "
                                  << "Σ a_i = 1");
      return;
    }
    if (!check_close("coverage_loss", got.coverage_loss, coverage_loss(t, 0), kT2)) {
      diagnose_coverage_loss(got, got.attention, c.coverage, c.valid_len);
      return;
    }
  }
}

ATTN_TEST("new coverage is the old coverage plus the attention", property, 2) {
  using namespace golden::rollout;
  Case c = P27_CASE(golden::wide);
  for (Index t = 0; t < coverage.rows(); ++t) {
    CAPTURE(t);
    c.coverage = coverage.row(t).transpose();
    const PGStep got = c.run();
    if (!check_attention(got, c, attention.row(t).transpose())) return;
    if (!check_close("new_coverage", got.new_coverage, new_coverage.row(t).transpose(), kT2)) {
      FAIL_CHECK("c^{t+1} = c^t + a^t, entry by entry (padded entries keep their coverage)");
      return;
    }
  }
}

ATTN_TEST("padded positions get no attention and no copy mass", property, 2) {
  using namespace golden::step;  // positions 8 and 9 are padding; id 14 occurs only at position 9
  Case c = P27_CASE(golden::step);
  c.enc.row(8).setConstant(NAN);
  c.enc.row(9).setConstant(1e30f);
  c.ids[8] = -1;                                // padded ids are never read
  c.coverage(8) = 0.25f, c.coverage(9) = 0.5f;  // padded coverage passes through
  const PGStep got = c.run();
  if (!expect_shape("attention", got.attention, c.enc.rows(), 1) ||
      !expect_shape("final_dist", got.final_dist, c.vocab() + c.n_oov, 1))
    return;
  if (!check_finite("attention", got.attention) || !check_finite("final_dist", got.final_dist)) {
    FAIL_CHECK("padded rows of enc must never be read: 0 × NaN is NaN. Use enc.topRows(valid_len)");
    return;
  }
  if (got.attention(8) != 0.f || got.attention(9) != 0.f)
    FAIL_CHECK("attention at padded positions 8, 9 must be exactly 0");
  if (got.final_dist(14) != 0.f)
    FAIL_CHECK("final_dist(14) must be exactly 0: id 14 sits only at padded position 9");
  check_attention(got, c, attention);
  check_close("final_dist with poisoned padding", got.final_dist, final_dist, kT2);
  check_close("coverage_loss", got.coverage_loss, coverage_loss, kT2);
  MatD passed_through = new_coverage;
  passed_through(8, 0) = 0.25, passed_through(9, 0) = 0.5;
  if (!check_close("new_coverage", got.new_coverage, passed_through, kT2) && got.new_coverage.size() == 10 &&
      (got.new_coverage(8) != 0.25f || got.new_coverage(9) != 0.5f))
    FAIL_CHECK("the coverage of padded positions passes through unchanged: c + a with a = 0 there");
}

ATTN_TEST("a single valid position gets attention 1 and all the copy mass", edge, 1) {
  Case c = P27_CASE(golden::step);
  c.valid_len = 1;
  c.p.b_ptr = -50.f;  // p_gen ≈ 2e-22: copy only
  const PGStep got = c.run();
  if (!expect_shape("attention", got.attention, c.enc.rows(), 1)) return;
  MatD one = MatD::Zero(c.enc.rows(), 1);
  one(0, 0) = 1;
  check_close("attention", got.attention, one, kT1);
  check_close("p_gen", got.p_gen, 0.0, kT1);
  MatD copy = MatD::Zero(c.vocab() + c.n_oov, 1);
  copy(c.ids[0], 0) = 1;
  check_close("final_dist", got.final_dist, copy, kT1);
}

ATTN_TEST("padded ids may hold any value", edge, 2) {
  // the statement: ids at padded positions are never read. -1 and INT_MAX there change nothing.
  using namespace golden::step;
  const int huge = std::numeric_limits<int>::max();
  for (const std::pair<int, int>& padded_ids : {std::pair{-1, huge}, std::pair{huge, -1000}}) {
    const int id8 = padded_ids.first, id9 = padded_ids.second;
    CAPTURE(id8);
    CAPTURE(id9);
    Case c = P27_CASE(golden::step);
    c.ids[8] = id8, c.ids[9] = id9;
    PGStep got;
    try {
      got = c.run();
    } catch (const std::invalid_argument& e) {
      FAIL_CHECK("threw std::invalid_argument(\""
                 << std::string(e.what()) << "\"): only the ids of valid positions i < valid_len are read");
      return;
    }
    check_attention(got, c, attention);
    check_close("final_dist", got.final_dist, final_dist, kT2);
  }
}

ATTN_TEST("vocabulary logits near 1e4 stay finite", edge, 2) {
  const Case c = P27_CASE(golden::large_logits);
  const PGStep got = c.run();
  if (!check_finite("final_dist", got.final_dist)) {
    FAIL_CHECK("exp(1e4) overflows float32: subtract the largest logit before exponentiating");
    return;
  }
  // A float32 logit near 1e4 is rounded to a spacing of 9.8e-4: P_vocab carries relative errors up to ~1e-3.
  check_close("final_dist", got.final_dist, golden::large_logits::final_dist,
              Tol{2e-3, 1e-5, "2e-3 (float32 logits near 1e4)"});
}

ATTN_TEST("source ids outside 0..V+n_oov throw std::invalid_argument", edge, 2) {
  const Case c = P27_CASE(golden::step);  // V = 12, n_oov = 3: ids must be in [0, 15)
  const auto with_id = [&](int id, int n_oov) {
    Case d = c;
    d.ids[3] = id;
    d.n_oov = n_oov;
    return d;
  };
  CHECK_THROWS_AS(with_id(15, 3).run(), std::invalid_argument);
  CHECK_THROWS_AS(with_id(-1, 3).run(), std::invalid_argument);
  CHECK_THROWS_AS(with_id(std::numeric_limits<int>::max(), 3).run(), std::invalid_argument);
  CHECK_THROWS_AS(with_id(13, 1).run(), std::invalid_argument);
  CHECK_THROWS_AS(with_id(3, -1).run(), std::invalid_argument);
  CHECK_NOTHROW(with_id(14, 3).run());
}

ATTN_TEST("valid_len outside 1..T throws std::invalid_argument", edge, 1) {
  Case c = P27_CASE(golden::step);
  for (const int bad : {0, -1, 11}) {
    CAPTURE(bad);
    c.valid_len = bad;
    CHECK_THROWS_AS(c.run(), std::invalid_argument);
  }
  c.valid_len = 10;
  CHECK_NOTHROW(c.run());
}

ATTN_TEST("mismatched shapes throw std::invalid_argument", edge, 1) {
  const Case c = P27_CASE(golden::step);
  const auto throws = [](const char* why, const Case& d) {
    INFO(std::string(why));
    CHECK_THROWS_AS(d.run(), std::invalid_argument);
  };
  Case d = c;
  d.ids.pop_back();
  throws("src_ext_ids needs T entries", d);
  d = c, d.coverage = Vec::Zero(9);
  throws("coverage needs T entries", d);
  d = c, d.p.W_h = Mat::Zero(5, 7);
  throws("W_h needs d_enc rows", d);
  d = c, d.p.W_s = Mat::Zero(5, 6);
  throws("W_s needs h = v.size() columns", d);
  d = c, d.p.w_c = RowVec::Zero(6);
  throws("w_c needs h entries", d);
  d = c, d.p.b_attn = RowVec::Zero(6);
  throws("b_attn needs h entries", d);
  d = c, d.p.V1 = Mat::Zero(10, 8);
  throws("V1 needs d_dec + d_enc rows", d);
  d = c, d.p.b1 = RowVec::Zero(7);
  throws("b1 needs d_ff = V1.cols() entries", d);
  d = c, d.p.V2 = Mat::Zero(7, 12);
  throws("V2 needs d_ff rows", d);
  d = c, d.p.b2 = RowVec::Zero(11);
  throws("b2 needs V entries, like V2's columns", d);
  d = c, d.p.w_hstar = Vec::Zero(5);
  throws("w_hstar needs d_enc entries", d);
  d = c, d.p.w_s = Vec::Zero(4);
  throws("w_s needs d_dec entries", d);
  d = c, d.x_t = RowVec::Zero(3);
  throws("w_x needs d_x entries", d);
}
