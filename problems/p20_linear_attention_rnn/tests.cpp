// p20 linear_attention_rnn — graded tests. Golden values: tools/golden/p20.py (the quadratic form in torch
// float64, cross-checked with the linear form in numpy; softmax attention of the same inputs from torch).
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "golden.inc"
#include "linear_attention_rnn.h"

using namespace attn;
using namespace attn::check;

namespace {

constexpr double kEps = 1e-6;

// ---- diagnosis only, never a golden value: the classic wrong formulas, in double ----

enum class Variant {
  correct,
  no_eps,          // output = num / den, no ε
  phi_elu,         // φ = elu, without the + 1: features can be negative
  phi_exp,         // φ = exp everywhere
  phi_literal,     // φ = (exp(x) - 1) + 1 rounded to float32: cancels for very negative x
  exclusive,       // causal row i sees keys j < i only: the state read before the token is added
  flag_ignored,    // causal and non-causal swapped
  softmax_scaled,  // softmax(q·k / sqrt(d_k)) attention
  softmax_plain,   // softmax(q·k) attention
};

double phi_of(float x, Variant v) {
  if (v == Variant::phi_exp) return std::exp(double(x));
  if (x > 0) return v == Variant::phi_elu ? double(x) : double(x) + 1;
  if (v == Variant::phi_elu) return std::expm1(double(x));
  if (v == Variant::phi_literal) {
    const float e = std::exp(x), minus_one = e - 1.f;
    return double(minus_one + 1.f);
  }
  return std::exp(double(x));
}

MatD model(const Mat& Q, const Mat& K, const Mat& V, bool causal, Variant v) {
  if (v == Variant::flag_ignored) {
    if (causal && Q.rows() != K.rows()) return MatD();
    causal = !causal;
  }
  MatD A(Q.rows(), K.rows());
  for (Index i = 0; i < Q.rows(); ++i)
    for (Index j = 0; j < K.rows(); ++j) {
      double s = 0;
      if (v == Variant::softmax_scaled || v == Variant::softmax_plain) {
        for (Index c = 0; c < Q.cols(); ++c) s += double(Q(i, c)) * K(j, c);
        if (v == Variant::softmax_scaled) s /= std::sqrt(double(Q.cols()));
      } else {
        for (Index c = 0; c < Q.cols(); ++c) s += phi_of(Q(i, c), v) * phi_of(K(j, c), v);
      }
      A(i, j) = s;
    }
  for (Index i = 0; i < A.rows(); ++i) {
    const Index visible = !causal ? A.cols() : v == Variant::exclusive ? i : i + 1;
    A.row(i).tail(A.cols() - visible).setZero();
    if (v == Variant::softmax_scaled || v == Variant::softmax_plain) {
      if (visible == 0) continue;
      const double top = A.row(i).head(visible).maxCoeff();
      A.row(i).head(visible) = (A.row(i).head(visible).array() - top).exp().matrix();
      A.row(i) /= A.row(i).sum();
    } else {
      A.row(i) /= A.row(i).sum() + (v == Variant::no_eps ? 0.0 : kEps);
    }
  }
  return A * V.cast<double>();
}

// Name the classic mistakes when a comparison has failed: a mistake is named when the submission matches it
// and it differs from the right answer here.
void diagnose(const Mat& got, const Mat& Q, const Mat& K, const Mat& V, bool causal) {
  const MatD truth = model(Q, K, V, causal, Variant::correct);
  auto matches = [&](Variant v) {
    const MatD alt = model(Q, K, V, causal, v);
    return alt.size() > 0 && is_close(got, alt, kT2) && !is_close(truth, alt, kT2);
  };
  if (matches(Variant::no_eps))
    FAIL_CHECK(
        "the output matches φ(q) S / (φ(q)·z) without ε: add ε = 1e-6 to every denominator (here "
        "φ(q)·z is about 1e-5, so ε changes the result by several percent)");
  if (matches(Variant::phi_literal))
    FAIL_CHECK(
        "the output matches φ computed as (exp(x) - 1) + 1 in float32: for x near -13 that keeps 2 or 3 "
        "digits of exp(x). For x <= 0 elu(x) + 1 is exactly exp(x): compute exp(x) directly");
  if (matches(Variant::phi_elu))
    FAIL_CHECK(
        "the output matches φ = elu without the + 1: the features must be positive (elu(x) + 1 > 0), or "
        "φ(q)·φ(k) can be negative and the denominator can cross 0");
  if (matches(Variant::phi_exp))
    FAIL_CHECK(
        "the output matches φ(x) = exp(x) for every x: φ(x) = x + 1 for x > 0, exp(x) only for x <= 0");
  if (matches(Variant::exclusive))
    FAIL_CHECK(
        "the output matches causal row i seeing keys 0 .. i-1 only: add token i's φ(k_i)ᵀ v_i to S and "
        "φ(k_i) to z before reading row i (the token sees itself; row 0 is otherwise 0)");
  if (matches(Variant::flag_ignored))
    FAIL_CHECK(std::string(causal
                               ? "the output matches non-causal attention: with causal = true row i may only "
                                 "see keys j <= i"
                               : "the output matches causal attention: with causal = false every query "
                                 "sees every key"));
  if (matches(Variant::softmax_scaled) || matches(Variant::softmax_plain))
    FAIL_CHECK(
        "the output matches softmax attention: linear attention weighs key j by φ(q)·φ(k_j) / Σ φ(q)·φ(k), "
        "not by exp(q·k_j) / Σ exp(q·k)");
}

bool check_attention(const std::string& what, const Mat& got, const MatD& expected, const Mat& Q,
                     const Mat& K, const Mat& V, bool causal) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  if (!check_finite(what, got)) {
    FAIL_CHECK("φ is >= 0, so φ(q)·z + ε >= ε > 0: a NaN here is a denominator without ε, or a negative φ");
    return false;
  }
  if (check_close(what, got, expected, kT1)) return true;
  diagnose(got, Q, K, V, causal);
  return false;
}

// Every row of Q, K, V through linear_attention_step, one token at a time, continuing from state.
Mat stream(const Mat& Q, const Mat& K, const Mat& V, LinearAttnState& state) {
  Mat out(Q.rows(), V.cols());
  for (Index token_i = 0; token_i < Q.rows(); ++token_i) {
    const RowVec row = linear_attention_step(Q.row(token_i), K.row(token_i), V.row(token_i), state);
    REQUIRE_MESSAGE(row.size() == V.cols(),
                    "linear_attention_step must return one row of d_v = " << V.cols() << " values");
    out.row(token_i) = row;
  }
  return out;
}

}  // namespace

ATTN_TEST("outputs are n_q×d_v and a step returns one 1×d_v row", shape, 1) {
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(5, 4), V = Mat::Random(5, 2);
  expect_shape("elu_feature_map", elu_feature_map(Q), 3, 4);
  expect_shape("linear_attention, non-causal, 3 queries × 5 keys", linear_attention(Q, K, V, false), 3, 2);
  expect_shape("linear_attention, causal, 5 tokens", linear_attention(Mat::Random(5, 4), K, V, true), 5, 2);
  LinearAttnState state;
  expect_shape("linear_attention_step", linear_attention_step(Q.row(0), K.row(0), V.row(0), state), 1, 2);
}

ATTN_TEST("a default state is sized d_k×d_v and d_k by the first step", shape, 1) {
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(3, 4), V = Mat::Random(3, 6);
  LinearAttnState state;
  for (Index t = 0; t < 3; ++t) {
    CAPTURE(t);
    linear_attention_step(Q.row(t), K.row(t), V.row(t), state);
    if (!expect_shape("state.S", state.S, 4, 6) || !expect_shape("state.z", state.z, 4, 1)) return;
  }
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // K = [[0 1] [1 0]]: φ(K) = [[1 2] [2 1]]; V = I, so the output rows are the implied weights.
  // Queries [0 0], [1 0], [-ln 2, 0]: φ = [1 1], [2 1], [1/2 1].
  const double half = std::exp(double(-0.6931472f));  // φ(-ln 2) = 1/2, up to float32 rounding of ln 2
  const Mat Q{{0.f, 0.f}, {1.f, 0.f}, {-0.6931472f, 0.f}}, K{{0.f, 1.f}, {1.f, 0.f}};
  const Mat V = Mat::Identity(2, 2);
  // S = φ(K)ᵀ V = [[1 2] [2 1]], z = [3 3]: row i = φ(q_i) S / (φ(q_i)·z + ε)
  const MatD noncausal{{3 / (6 + kEps), 3 / (6 + kEps)},
                       {4 / (9 + kEps), 5 / (9 + kEps)},
                       {(half + 2) / (3 * half + 3 + kEps), (2 * half + 1) / (3 * half + 3 + kEps)}};
  check_attention("non-causal output", linear_attention(Q, K, V, false), noncausal, Q, K, V, false);
  // causal, first two queries: row 0 sees key 0 only (S_0 = [[1 0] [2 0]], z_0 = [1 2]); row 1 sees both
  const Mat Q2 = Q.topRows(2);
  const MatD causal{{3 / (3 + kEps), 0.0}, {4 / (9 + kEps), 5 / (9 + kEps)}};
  check_attention("causal output", linear_attention(Q2, K, V, true), causal, Q2, K, V, true);
  LinearAttnState state;
  check_attention("streamed rows", stream(Q2, K, V, state), causal, Q2, K, V, true);
}

ATTN_TEST("non-causal attention with n_q ≠ n_k matches golden values", numeric, 2) {
  using namespace golden::noncausal;  // 5 queries × 7 keys
  check_attention("output", linear_attention(Q, K, V, false), noncausal, Q, K, V, false);
}

ATTN_TEST("causal attention matches golden values", numeric, 2) {
  using namespace golden::causal;  // 9 tokens
  check_attention("causal output", linear_attention(Q, K, V, true), causal, Q, K, V, true);
  check_attention("non-causal output of the same tokens", linear_attention(Q, K, V, false), noncausal, Q, K,
                  V, false);
}

ATTN_TEST("32 tokens with d_k = d_v = 16 stay within T1", numeric, 1) {
  using namespace golden::wide;
  check_attention("non-causal output", linear_attention(Q, K, V, false), noncausal, Q, K, V, false);
  check_attention("causal output", linear_attention(Q, K, V, true), causal, Q, K, V, true);
}

ATTN_TEST("elu_feature_map is elu + 1 and keeps its precision for very negative inputs", numeric, 2) {
  using namespace golden::elu;  // row 5: -80, -30, -20, -14, -0.001, 0, 0.001, 80
  const Mat got = elu_feature_map(X);
  if (!expect_shape("elu_feature_map(X)", got, X.rows(), X.cols()) ||
      !check_finite("elu_feature_map(X)", got))
    return;
  if (!check_close("elu_feature_map(X)", got, phi, kT1)) {
    if ((got.array() < 0).any())
      FAIL_CHECK(
          "some φ(x) are negative: φ = elu + 1, and elu(x) >= -1, so φ(x) > 0 (did you forget the + 1?)");
    else if (std::abs(got(4, 0) - std::exp(-5.0)) < 1e-6 && std::abs(got(0, 0) - std::exp(3.78061986)) < 1e-3)
      FAIL_CHECK("φ(x) = exp(x) only for x <= 0; for x > 0 it is x + 1");
    return;
  }
  // the same values, relative to their size: φ(-20) = 2.06e-9 must not come out as 0, φ(-14) not as 8.34e-7
  if (!check_close("elu_feature_map(X), relative", got, phi, Tol{kT1.rtol, 0, "T1 relative (atol 0)"}) &&
      got(5, 2) == 0.f)
    FAIL_CHECK(
        "φ(-20) came out as 0: (exp(x) - 1) + 1 in float32 rounds exp(-20) - 1 to -1. For x <= 0, elu(x) + 1 "
        "is exactly exp(x): compute that");
  const Mat far = elu_feature_map(Mat::Constant(1, 3, -1e4f));
  CHECK_MESSAGE((far.array().isFinite().all() && (far.array() >= 0).all() && (far.array() < 1e-30f).all()),
                "φ(-1e4) must be finite, >= 0 and about 0 (exp(-1e4) underflows)");
}

ATTN_TEST("small denominators: ε = 1e-6 is added to φ(q)·z", numeric, 2) {
  using namespace golden::small_den;  // keys near -13: φ(k) ~ 2e-6, φ(q)·z ~ 1e-5
  check_attention("non-causal output", linear_attention(Q, K, V, false), noncausal, Q, K, V, false);
  check_attention("causal output", linear_attention(Q, K, V, true), causal, Q, K, V, true);
}

ATTN_TEST("linear attention is not softmax attention on random inputs", property, 2) {
  using namespace golden::softmax;  // the same Q, K, V through both models
  struct Softmax {
    const char* what;
    const MatD& expected;
  };
  for (const bool causal : {false, true}) {
    CAPTURE(causal);
    const Mat got = linear_attention(Q, K, V, causal);
    if (!check_attention("linear attention", got, causal ? linear_causal : linear_noncausal, Q, K, V, causal))
      continue;
    // the golden softmax attention of the same inputs is far from it: the two are different models
    for (const Softmax& s :
         {Softmax{"softmax(q·k / sqrt(d_k))", causal ? softmax_scaled_causal : softmax_scaled_noncausal},
          Softmax{"softmax(q·k)", causal ? softmax_unscaled_causal : softmax_unscaled_noncausal}})
      CHECK_MESSAGE(!is_close(got, s.expected, Tol{0, 0.05, "0.05"}),
                    "linear attention agrees with " << std::string(s.what) << " attention to 0.05");
  }
}

ATTN_TEST("streaming step by step equals batch causal attention", property, 3) {
  using namespace golden::causal;  // 9 tokens
  const Mat batch = linear_attention(Q, K, V, true);
  if (!check_attention("batch causal output", batch, causal, Q, K, V, true)) return;
  LinearAttnState state;
  for (Index token_i = 0; token_i < Q.rows(); ++token_i) {
    CAPTURE(token_i);
    const RowVec row = linear_attention_step(Q.row(token_i), K.row(token_i), V.row(token_i), state);
    if (!check_close("streamed row against the batch row", row, batch.row(token_i).cast<double>(), kT1) ||
        !check_close("streamed row against the golden row", row, causal.row(token_i), kT1)) {
      if (token_i > 0 &&
          is_close(row, model(Q.row(token_i), K.row(token_i), V.row(token_i), true, Variant::correct)))
        FAIL_CHECK("the step forgot the earlier tokens: add to state.S and state.z, never reset them");
      else if (token_i == 0 && is_close(row, MatD::Zero(1, V.cols())))
        FAIL_CHECK("the first token sees nothing: add φ(k)ᵀ v and φ(k) to the state before reading it");
      return;
    }
  }
}

ATTN_TEST("after t steps the state holds Σ φ(k)ᵀv and Σ φ(k) and carries the stream on", property, 2) {
  using namespace golden::causal;  // 9 tokens; S_after_4, z_after_4 sum tokens 0..3
  LinearAttnState state;
  const Mat first = stream(Q.topRows(4), K.topRows(4), V.topRows(4), state);
  if (!check_close("the first 4 streamed rows", first, causal.topRows(4), kT1)) return;
  if (!expect_shape("state.S", state.S, K.cols(), V.cols()) || !expect_shape("state.z", state.z, K.cols(), 1))
    return;
  const bool sums = check_close("state.S after 4 tokens", state.S, S_after_4, kT1) &
                    check_close("state.z after 4 tokens", state.z, z_after_4, kT1);
  if (!sums) {
    FAIL_CHECK("the state after t tokens is S = Σ_j φ(k_j)ᵀ v_j (d_k×d_v) and z = Σ_j φ(k_j): running sums");
    return;
  }
  // a state summarising tokens 0..3, built from the golden sums, continues the stream with tokens 4..8
  LinearAttnState carried{S_after_4.cast<float>(), z_after_4.col(0).cast<float>()};
  const Mat rest = stream(Q.bottomRows(5), K.bottomRows(5), V.bottomRows(5), carried);
  if (!check_close("rows 4..8 streamed from the state after 4 tokens", rest, causal.bottomRows(5), kT1))
    FAIL_CHECK("a non-empty state is the summary of the tokens before: add to it, do not resize or reset it");
  check_close("state.S after 9 tokens", carried.S, S, kT1);
  check_close("state.z after 9 tokens", carried.z, z, kT1);
}

ATTN_TEST("causal outputs do not depend on later tokens", property, 2) {
  using namespace golden::causal;  // 9 tokens; rows 6..8 replaced
  Mat Q2 = Q, K2 = K, V2 = V;
  Q2.bottomRows(3) = 3 * Mat::Random(3, Q.cols());
  K2.bottomRows(3) = 3 * Mat::Random(3, K.cols());
  V2.bottomRows(3) = 3 * Mat::Random(3, V.cols());
  const Mat got = linear_attention(Q2, K2, V2, true);
  if (!expect_shape("causal output", got, Q.rows(), V.cols())) return;
  if (!check_close("rows 0..5 with tokens 6..8 changed", got.topRows(6), causal.topRows(6), kT1)) {
    if (is_close(got.topRows(6), model(Q2, K2, V2, false, Variant::correct).topRows(6)))
      FAIL_CHECK("row i sees later tokens: with causal = true it may only use keys and values j <= i");
    else
      diagnose(got, Q2, K2, V2, true);
  }
}

ATTN_TEST("implied weights are ≥ 0 and 0 on future keys and their sums are below 1", property, 2) {
  // V = identity: output row i is the weight row w_i, with w_ij = φ(q_i)·φ(k_j) / (φ(q_i)·z_i + ε).
  // Its sum is den / (den + ε) < 1; with keys near -13, den ~ 1e-5 and the sums are 0.9 .. 0.99.
  using namespace golden::small_den;
  const Mat I = Mat::Identity(K.rows(), K.rows());
  for (const bool is_causal : {false, true}) {
    CAPTURE(is_causal);
    const Mat got = linear_attention(Q, K, I, is_causal);
    if (!check_attention("implied weights", got, is_causal ? weights_causal : weights_noncausal, Q, K, I,
                         is_causal))
      continue;
    CHECK_MESSAGE((got.array() >= 0).all(), "the weights φ(q)·φ(k) / (φ(q)·z + ε) are never negative");
    if (is_causal) check_zero_where_masked("implied causal weights", got, causal_mask(K.rows(), K.rows()));
    const Eigen::VectorXd sums = got.cast<double>().rowwise().sum();
    check_close("row sums of the implied weights", sums, is_causal ? weight_sums_causal : weight_sums_noncausal,
                kT1);
  }
}

ATTN_TEST("permuting keys and values together leaves non-causal outputs unchanged", property, 1) {
  using namespace golden::noncausal;
  const std::vector<int> order{4, 0, 6, 2, 5, 1, 3};
  const Mat got = linear_attention(Q, rows_in_order(K, order), rows_in_order(V, order), false);
  check_attention("output with permuted keys and values", got, noncausal, Q, K, V, false);
}

ATTN_TEST("a million tokens with d = 8 run in linear memory", property, 3) {
  // 10^6 tokens: the n×n weight matrix would take 4 TB; the address space is limited to the problem's
  // memory_mib. Self-attention of X with itself (Q = K = V = X), one period of 16 rows repeated; entries
  // 0, 1, 2 keep every running sum an exact integer in float32.
  using namespace golden::million;
  const Index n_periods = n_tokens / period;
  const Mat X = X_period.replicate(n_periods, 1);
  {
    const Mat got = linear_attention(X, X, X, false);
    if (!expect_shape("non-causal output", got, n_tokens, X.cols())) return;
    // non-causal: every query sees all 10^6 keys, so row i is row i % 16 of the golden period
    for (Index block = 0; block < n_periods; ++block)
      if (!is_close(got.middleRows(block * period, period), noncausal_period, kT1)) {
        check_close("non-causal rows " + std::to_string(block * period) + ".." +
                        std::to_string(block * period + period - 1),
                    got.middleRows(block * period, period), noncausal_period, kT1);
        break;
      }
  }
  const Mat got = linear_attention(X, X, X, true);
  if (!expect_shape("causal output", got, n_tokens, X.cols())) return;
  check_close("causal rows 0..15", got.topRows(period), causal_head, kT1);
  check_close("causal rows 499992..500007", got.middleRows(middle_start, period), causal_middle, kT1);
  check_close("causal rows 999984..999999", got.bottomRows(period), causal_tail, kT1);
}

ATTN_TEST("keys at −1e4 get no weight and a row that sees only such keys is 0", edge, 2) {
  using namespace golden::off_keys;  // keys 0 and 1 are -1e4: φ = 0
  check_attention("causal output", linear_attention(Q, K, V, true), causal, Q, K, V, true);
  check_attention("non-causal output", linear_attention(Q, K, V, false), noncausal, Q, K, V, false);
  // every key at -1e4: numerators and denominators are 0 (or a denormal), and only ε keeps 0/0 away
  const Mat off = Mat::Constant(K.rows(), K.cols(), -1e4f);
  const Mat got = linear_attention(Q, off, V, false);
  if (!check_finite("output with every key at -1e4", got)) {
    FAIL_CHECK("φ(-1e4) = 0, so φ(q)·z = 0: without ε the output is 0/0 = NaN");
    return;
  }
  check_close("output with every key at -1e4", got, MatD::Zero(Q.rows(), V.cols()), kT1);
}

ATTN_TEST("no keys give zero outputs and no tokens give 0 rows", edge, 1) {
  using namespace golden::noncausal;
  check_attention("output", linear_attention(Q, K, V, false), noncausal, Q, K, V, false);
  const Mat none = linear_attention(Q, Mat(0, K.cols()), Mat(0, V.cols()), false);
  if (expect_shape("output with no keys", none, Q.rows(), V.cols()) &&
      !check_close("output with no keys", none, MatD::Zero(Q.rows(), V.cols()), Tol{0, 0, "exact"}) &&
      !none.allFinite())
    FAIL_CHECK("with no keys S = 0 and z = 0: the output is 0 / (0 + ε) = 0, and without ε it is 0/0 = NaN");
  expect_shape("causal output of 0 tokens", linear_attention(Mat(0, 4), Mat(0, 4), Mat(0, 3), true), 0, 3);
  expect_shape("non-causal output of 0 queries", linear_attention(Mat(0, K.cols()), K, V, false), 0,
               V.cols());
}

ATTN_TEST("mismatched shapes throw std::invalid_argument", edge, 2) {
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(5, 4), V = Mat::Random(5, 2);
  const auto throws = [](const std::string& why, const Mat& Q_, const Mat& K_, const Mat& V_, bool causal) {
    const std::string what = why + (causal ? " (causal)" : " (non-causal)");
    INFO(what);
    CHECK_THROWS_AS(linear_attention(Q_, K_, V_, causal), std::invalid_argument);
  };
  for (const bool causal : {false, true}) {
    const Index n_q = causal ? K.rows() : Q.rows();
    throws("Q has 3 columns, K has 4", Mat::Random(n_q, 3), K, V, causal);
    throws("K has 5 rows, V has 4", Mat::Random(n_q, 4), K, Mat::Random(4, 2), causal);
  }
  throws("causal attention needs n_q = n_k: 3 queries, 5 keys", Q, K, V, true);
  INFO("non-causal attention allows n_q != n_k: 3 queries, 5 keys");
  CHECK_NOTHROW(linear_attention(Q, K, V, false));
}

ATTN_TEST("a step with mismatched sizes or a wrong state throws and leaves the state unchanged", edge, 1) {
  const RowVec q = RowVec::Random(4), k = RowVec::Random(4), v = RowVec::Random(3);
  const auto throws = [](const std::string& why, const RowVec& q_, const RowVec& k_, const RowVec& v_,
                         LinearAttnState& state) {
    INFO(why);
    CHECK_THROWS_AS(linear_attention_step(q_, k_, v_, state), std::invalid_argument);
  };
  LinearAttnState fresh;
  throws("q has 5 entries, k has 4", RowVec::Random(5), k, v, fresh);
  CHECK_MESSAGE(fresh.S.size() + fresh.z.size() == 0, "a call that throws must leave an empty state empty");
  LinearAttnState state{Mat::Random(4, 3), Vec::Random(4)};
  const LinearAttnState before = state;
  throws("state.S is 4×3 but v has 2 entries", q, k, RowVec::Random(2), state);
  throws("state.S is 4×3 but q and k have 5 entries", RowVec::Random(5), RowVec::Random(5), v, state);
  CHECK_MESSAGE((state.S == before.S && state.z == before.z),
                "a call that throws must leave the state as it was");
  LinearAttnState short_z{Mat::Random(4, 3), Vec::Random(3)};
  throws("state.z has 3 entries but S and k have d_k = 4", q, k, v, short_z);
}
