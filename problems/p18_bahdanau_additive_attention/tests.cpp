// p18 bahdanau_additive_attention — graded tests. Golden values: tools/golden/p18.py (numpy, cross-checked with torch).
#include "bahdanau_additive_attention.h"

#include <attnkata/graded.h>

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

// ---- diagnosis only, never a golden value: the classic wrong formulas, in double ----

// softmax of each row of S over its first n columns, then times the first n rows of V
MatD attend_prefix(const MatD& S, const Mat& V, Index n) {
  MatD A = MatD::Zero(S.rows(), S.cols());
  for (Index i = 0; i < S.rows() && n > 0; ++i) {
    const Eigen::RowVectorXd e = S.row(i).head(n);
    A.row(i).head(n) = (e.array() - e.maxCoeff()).exp().matrix();
    A.row(i).head(n) /= A.row(i).head(n).sum();
  }
  return A.leftCols(n) * V.topRows(n).cast<double>();
}

// S_ij = f(row i of Q W_q, row j of K W_k) for every key, padded or not
MatD pairwise(const MatD& Qh, const MatD& Kh,
              const std::function<double(const Eigen::RowVectorXd&, const Eigen::RowVectorXd&)>& f) {
  MatD S(Qh.rows(), Kh.rows());
  for (Index i = 0; i < Qh.rows(); ++i)
    for (Index j = 0; j < Kh.rows(); ++j) S(i, j) = f(Qh.row(i), Kh.row(j));
  return S;
}

// Name the classic mistakes when a numeric check fails; returns whether one was named.
bool diagnose(const Attention& got, const Mat& Q, const Mat& K, const Mat& V, const AdditiveParams& p,
              int valid_len) {
  const Eigen::VectorXd w_v = p.w_v.cast<double>();
  const MatD Qh = Q.cast<double>() * p.W_q.cast<double>(), Kh = K.cast<double>() * p.W_k.cast<double>();
  const Index n_k = K.rows();
  auto additive = [&](const auto& qh, const auto& kh) {
    return (qh + kh).array().tanh().matrix().dot(w_v.transpose());
  };
  auto no_tanh = [&](const auto& qh, const auto& kh) { return (qh + kh).dot(w_v.transpose()); };
  auto tanh_outside = [&](const auto& qh, const auto& kh) {
    return std::tanh((qh + kh).dot(w_v.transpose()));
  };
  const MatD S = pairwise(Qh, Kh, additive);
  auto matches = [&](const MatD& expected) { return is_close(got.output, expected, kT2); };
  bool named = false;
  auto name = [&](const std::string& mistake) {
    FAIL_CHECK(mistake);
    named = true;
  };

  if (valid_len < n_k && matches(attend_prefix(S, V, n_k)))
    name(
        "the output is the softmax over all n_k keys: keys j >= valid_len are padding and must get weight 0");
  if (valid_len < n_k && matches(attend_prefix(S, V, valid_len + 1)))
    name("one key too many: the valid keys are j = 0 .. valid_len-1, so key valid_len is already padding");
  if (matches(attend_prefix(pairwise(Qh, Kh, no_tanh), V, valid_len)))
    name(
        "the tanh is missing: w_vᵀ(q̂ + k̂) splits into a query part plus a key part, the query part "
        "cancels in the softmax, and every query gets the same weights");
  if (matches(attend_prefix(pairwise(Qh, Kh, tanh_outside), V, valid_len)))
    name(
        "tanh is applied to the score w_vᵀ(q̂ + k̂); it belongs inside, on each of the h hidden units: "
        "e = w_vᵀ tanh(q̂ + k̂)");
  if (matches(attend_prefix(Qh * Kh.transpose(), V, valid_len)))
    name(
        "these are multiplicative scores (q W_q)·(k W_k): additive attention adds the projections, "
        "applies tanh and reduces with w_v");
  if (Q.cols() == K.cols()) {
    const MatD dot = Q.cast<double>() * K.cast<double>().transpose();
    if (matches(attend_prefix(dot, V, valid_len)) ||
        matches(attend_prefix(dot / std::sqrt(static_cast<double>(Q.cols())), V, valid_len)))
      name(
          "these are dot-product scores q·k (Luong dot / Vaswani): additive attention scores are "
          "w_vᵀ tanh(q W_q + k W_k)");
    if (p.W_q.rows() == K.cols() && p.W_k.rows() == Q.cols()) {
      const MatD Qs = Q.cast<double>() * p.W_k.cast<double>(), Ks = K.cast<double>() * p.W_q.cast<double>();
      if (matches(attend_prefix(pairwise(Qs, Ks, additive), V, valid_len)))
        name("W_q and W_k are swapped: queries are projected by W_q, keys by W_k");
    }
  }
  if (got.weights.rows() == Q.rows() && got.weights.cols() == n_k && Q.rows() > 1 && valid_len > 0 &&
      (got.weights.leftCols(valid_len).colwise().sum().array() - 1).abs().maxCoeff() < 1e-4)
    name("the columns of weights sum to 1: the softmax runs over queries instead of keys");
  return named;
}

AdditiveParams params_of(const Mat& W_q, const Mat& W_k, const Mat& w_v) {
  return {W_q, W_k, w_v.col(0)};
}

// Padding may hold anything (the statement): NaN and 1e30 in the padded rows of keys and values.
void poison_padding(Mat& keys, Mat& values, int valid_len) {
  for (Index j = valid_len; j < keys.rows(); ++j) {
    const float bad = (j - valid_len) % 2 == 0 ? NAN : 1e30f;
    keys.row(j).setConstant(bad);
    values.row(j).setConstant(bad);
  }
}

// The wide golden case with its padded rows 27..31 poisoned.
struct WidePoisoned {
  Mat keys = golden::wide::keys, values = golden::wide::values;
  WidePoisoned() { poison_padding(keys, values, golden::wide::valid_len); }
};

// On a non-finite result: name the usual cause, padding that was read.
void explain_non_finite(const Attention& got) {
  if (!got.output.allFinite() || !got.weights.allFinite())
    FAIL_CHECK(
        "the padded rows of keys and values hold NaN and 1e30 here, and they must never be read: project "
        "only keys.topRows(valid_len) and sum only the first valid_len value rows (0 × NaN is NaN)");
}

}  // namespace

ATTN_TEST("output and weights have shapes n_q×v and n_q×n_k", shape, 1) {
  const AdditiveParams p{Mat::Random(7, 5), Mat::Random(3, 5), Vec::Random(5)};
  const Attention got = additive_attention(Mat::Random(4, 7), Mat::Random(6, 3), Mat::Random(6, 2), p, 4);
  expect_shape("output", got.output, 4, 2);
  expect_shape("weights", got.weights, 4, 6);
}

ATTN_TEST("a single valid key gets weight 1 and its value row", shape, 1) {
  const AdditiveParams p{Mat::Random(3, 4), Mat::Random(2, 4), Vec::Random(4)};
  const Mat values = Mat::Random(5, 3);
  const Attention got = additive_attention(Mat::Random(2, 3), Mat::Random(5, 2), values, p, 1);
  MatD expected_weights = MatD::Zero(2, 5);
  expected_weights.col(0).setOnes();
  check_close("weights", got.weights, expected_weights, kT1);
  check_close("output", got.output, values.row(0).cast<double>().replicate(2, 1), kT1);
}

ATTN_TEST("worked examples from the statement", numeric, 2) {
  // 1. d2l 11.3.4: 10 identical keys (all ones, k = 2), values arange(40) as 10×4, q = 20, h = 8, random
  // weights. Identical keys give identical scores, so the weights are uniform over the valid keys whatever
  // W_q, W_k, w_v.
  const AdditiveParams p{Mat::Random(20, 8), Mat::Random(2, 8), Vec::Random(8)};
  const Mat queries = Mat::Random(2, 20), keys = Mat::Ones(10, 2);
  Mat values(10, 4);
  for (Index j = 0; j < 10; ++j)
    for (Index c = 0; c < 4; ++c) values(j, c) = static_cast<float>(4 * j + c);
  for (const int valid_len : {2, 6}) {
    CAPTURE(valid_len);
    const double first = 2.0 * (valid_len - 1);  // mean of 4j over j < valid_len
    const MatD expected =
        (Eigen::RowVectorXd(4) << first, first + 1, first + 2, first + 3).finished().replicate(2, 1);
    const Attention got = additive_attention(queries, keys, values, p, valid_len);
    if (!expect_shape("output", got.output, 2, 4)) return;
    if (check_close("output", got.output, expected, kT1)) continue;
    if (is_close(got.output, MatD::Constant(2, 4, 18).rowwise() + Eigen::RowVector4d(0, 1, 2, 3), kT1))
      FAIL_CHECK("[18, 19, 20, 21] is the mean of all 10 values: the softmax ignores valid_len");
    else if (is_close(got.output, expected.array() + 2, kT1))
      FAIL_CHECK(
          "that is the mean of the first valid_len + 1 values: keys 0 .. valid_len-1 are the valid ones");
  }
  // 2. h = 1, W_q = W_k = [1], w_v = [100], keys [0] and [1], query [2]: scores 100 tanh 2 = 96.4028 and
  // 100 tanh 3 = 99.5055, weights [0.0429953, 0.9570047] (the statement's numbers, to 7 digits)
  const AdditiveParams p1{Mat::Ones(1, 1), Mat::Ones(1, 1), Vec::Constant(1, 100.f)};
  const Mat keys1{{0.f}, {1.f}}, values1{{1.f, 0.f}, {0.f, 1.f}};
  const Attention got = additive_attention(Mat::Constant(1, 1, 2.f), keys1, values1, p1, 2);
  if (!check_close("weights of query [2]", got.weights, MatD{{0.0429953, 0.9570047}},
                   Tol{0, 1e-6, "1e-6 (7 digits)"}) &&
      !got.weights.allFinite())
    FAIL_CHECK("exp(99.5) overflows float32 (the limit is about 88.7): subtract the row's maximum first");
}

ATTN_TEST("random attention matches golden values", numeric, 2) {
  using namespace golden::random;
  const AdditiveParams p = params_of(W_q, W_k, w_v);
  const Attention got = additive_attention(queries, keys, values, p, valid_len);
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (!ok) diagnose(got, queries, keys, values, p, valid_len);
}

ATTN_TEST("padded attention matches golden values", numeric, 2) {
  using namespace golden::masked;
  const AdditiveParams p = params_of(W_q, W_k, w_v);
  const Attention got = additive_attention(queries, keys, values, p, valid_len);
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (!ok) diagnose(got, queries, keys, values, p, valid_len);
}

ATTN_TEST("scores beyond ±88 stay finite and match golden values", numeric, 2) {
  using namespace golden::large;
  const AdditiveParams p = params_of(W_q, W_k, w_v);
  const Attention got = additive_attention(queries, keys, values, p, valid_len);
  if (!check_finite("weights", got.weights) || !check_finite("output", got.output)) {
    FAIL_CHECK(
        "some scores here exceed 88, where float32 exp overflows: subtract each row's maximum (over the "
        "valid keys) before exponentiating");
    return;
  }
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (ok || diagnose(got, queries, keys, values, p, valid_len)) return;
  for (Index query_i = 0; query_i < got.weights.rows(); ++query_i)
    if (std::abs(got.weights.row(query_i).sum() - 1) > 1e-3) {
      FAIL_CHECK(
          "row " << query_i << " of weights sums to " << got.weights.row(query_i).sum()
                 << ", not 1: exp underflowed for that whole row. Subtract each row's own maximum, not "
                    "one maximum shared by all queries");
      return;
    }
  for (Index query_i = 0; query_i < weights.rows(); ++query_i) {
    Index top_key;
    weights.row(query_i).maxCoeff(&top_key);
    if (weights(query_i, top_key) > 0.9 && got.weights(query_i, top_key) < 0.5) {
      FAIL_CHECK("query " << query_i << " puts almost no weight on its best key " << top_key
                          << ": in float32, exp of a score ~100 below the subtracted maximum underflows. "
                             "Subtract each row's own maximum, not one shared by all queries");
      return;
    }
  }
}

ATTN_TEST("a 16×32 case with h = 32 and poisoned padding stays within float32 tolerance", numeric, 1) {
  using namespace golden::wide;  // keys and values rows 27..31 are padding, here NaN and 1e30
  const WidePoisoned in;
  const AdditiveParams p = params_of(W_q, W_k, w_v);
  const Attention got = additive_attention(queries, in.keys, in.values, p, valid_len);
  explain_non_finite(got);
  const bool ok =
      check_close("weights", got.weights, weights, kT1) & check_close("output", got.output, output, kT1);
  if (!ok && got.output.allFinite()) diagnose(got, queries, keys, values, p, valid_len);
}

ATTN_TEST("weight rows sum to 1", property, 1) {
  using namespace golden::wide;
  const Attention got = additive_attention(queries, keys, values, params_of(W_q, W_k, w_v), valid_len);
  // the sum alone holds for any distribution: the weights must also be the right one
  check_rows_sum_to("weights", got.weights);
  check_close("weights", got.weights, weights, kT1);
}

ATTN_TEST("weights of padded keys are exactly 0", property, 2) {
  using namespace golden::masked;
  const Attention got = additive_attention(queries, keys, values, params_of(W_q, W_k, w_v), valid_len);
  if (check_zero_where_masked("weights", got.weights, prefix_mask(queries.rows(), keys.rows(), valid_len)))
    check_close("weights of the valid keys", got.weights.leftCols(valid_len), weights.leftCols(valid_len),
                kT1);
}

ATTN_TEST("padded keys and values do not leak even NaN or 1e30", property, 2) {
  using namespace golden::masked;  // keys 5, 6, 7 are padding
  const AdditiveParams p = params_of(W_q, W_k, w_v);
  Mat keys_bad = keys, values_bad = values;
  keys_bad.row(5).setConstant(NAN);
  keys_bad.row(6).setConstant(1e30f);
  values_bad.row(6).setConstant(1e30f);
  values_bad.row(7).setConstant(NAN);
  const Attention dirty = additive_attention(queries, keys_bad, values_bad, p, valid_len);
  const bool finite = check_finite("weights with poisoned padding", dirty.weights) &
                      check_finite("output with poisoned padding", dirty.output);
  if (!finite) {
    FAIL_CHECK(
        "padded rows must never be read: their weight is 0, but 0 × NaN is still NaN. Project only "
        "keys.topRows(valid_len) and sum only the first valid_len value rows");
    return;
  }
  // the padding changes nothing: the result is the golden one of the clean inputs
  check_close("weights with poisoned padding", dirty.weights, weights, kT1);
  check_close("output with poisoned padding", dirty.output, output, kT1);
}

ATTN_TEST("n_q queries at once equal n_q single-query calls", property, 2) {
  using namespace golden::wide;  // padding rows 27..31 poisoned
  const WidePoisoned in;
  const AdditiveParams p = params_of(W_q, W_k, w_v);
  const Attention batch = additive_attention(queries, in.keys, in.values, p, valid_len);
  if (!expect_shape("output", batch.output, queries.rows(), values.cols())) return;
  explain_non_finite(batch);
  if (!check_close("output of the batch", batch.output, output, kT1)) return;
  for (Index query_i = 0; query_i < queries.rows(); ++query_i) {
    CAPTURE(query_i);
    const Attention one = additive_attention(queries.row(query_i), in.keys, in.values, p, valid_len);
    const bool ok = check_close("weights of the single-query call", one.weights, weights.row(query_i), kT1) &
                    check_close("output of the single-query call", one.output, output.row(query_i), kT1);
    if (!ok) {
      FAIL_CHECK(
          "query i's result must depend on query i alone: a max, sum or softmax that spans several "
          "queries mixes them");
      return;
    }
  }
  // scores past ±88 whose row maxima differ by far more than 88: one query at a time, every row is fine
  namespace L = golden::large;
  const Attention large =
      additive_attention(L::queries, L::keys, L::values, params_of(L::W_q, L::W_k, L::w_v), L::valid_len);
  if (!check_close("weights of the large-score batch", large.weights, L::weights, kT1))
    FAIL_CHECK("each query needs its own maximum: one maximum shared by the batch underflows other rows");
}

ATTN_TEST("permuting valid keys and values together permutes the weights", property, 1) {
  using namespace golden::masked;  // valid_len = 5; the padding rows 5..7 stay in place
  const AdditiveParams p = params_of(W_q, W_k, w_v);
  const std::vector<int> order{3, 0, 4, 1, 2, 5, 6, 7};  // key i of the permuted input is key order[i]
  const Attention got = additive_attention(queries, keys, values, p, valid_len);
  if (!check_close("weights", got.weights, weights, kT1)) return;
  const Attention perm =
      additive_attention(queries, rows_in_order(keys, order), rows_in_order(values, order), p, valid_len);
  check_close("output with permuted keys", perm.output, output, kT1);
  const MatD weights_t = weights.transpose();
  check_close("weights with permuted keys", perm.weights, rows_in_order(weights_t, order).transpose(), kT1);
}

ATTN_TEST("w_v = 0 gives the mean of the valid values", property, 1) {
  using namespace golden::masked;
  AdditiveParams p = params_of(W_q, W_k, w_v);
  check_close("output with the golden w_v", additive_attention(queries, keys, values, p, valid_len).output,
              output, kT1);
  p.w_v.setZero();  // every score is 0: uniform weights over the valid keys
  const Attention got = additive_attention(queries, keys, values, p, valid_len);
  const Eigen::RowVectorXd mean = values.topRows(valid_len).cast<double>().colwise().mean();
  if (!check_close("output with w_v = 0", got.output, mean.replicate(queries.rows(), 1), kT1) &&
      is_close(got.output, values.cast<double>().colwise().mean().replicate(queries.rows(), 1), kT1))
    FAIL_CHECK("that is the mean of all n_k values: the softmax ignores valid_len");
}

ATTN_TEST("valid_len = 0 gives zero weights and a zero output", edge, 2) {
  using namespace golden::masked;
  const AdditiveParams p = params_of(W_q, W_k, w_v);
  const Attention got = additive_attention(queries, keys, values, p, 0);
  if (!check_finite("weights", got.weights) || !check_finite("output", got.output)) {
    FAIL_CHECK("with no valid key the softmax has nothing to normalise: return zeros, not 0/0 = NaN");
    return;
  }
  check_close("weights", got.weights, MatD::Zero(queries.rows(), keys.rows()), Tol{0, 0, "exact"});
  check_close("output", got.output, MatD::Zero(queries.rows(), values.cols()), Tol{0, 0, "exact"});
  // the same inputs with valid_len keys: the golden result
  const Attention some = additive_attention(queries, keys, values, p, valid_len);
  check_close("output with valid_len = 5", some.output, output, kT1);
}

ATTN_TEST("scores near ±100 need each row's own maximum", edge, 2) {
  // h = 1, W_q = W_k = [1], w_v = [100]: e_ij = 100 tanh(q_i + k_j). Query 0 scores about +96 and +99.5, past
  // float32 exp's overflow at 88.7; query 1 scores about -99.5 and -96, ~195 below query 0's maximum.
  const AdditiveParams p{Mat::Ones(1, 1), Mat::Ones(1, 1), Vec::Constant(1, 100.f)};
  const Mat queries{{2.f}, {-3.f}}, keys{{0.f}, {1.f}}, values{{1.f, 0.f}, {0.f, 1.f}};
  MatD expected(2, 2);
  for (Index query_i = 0; query_i < 2; ++query_i) {
    const double e0 = 100 * std::tanh(double(queries(query_i, 0)) + 0),
                 e1 = 100 * std::tanh(double(queries(query_i, 0)) + 1);
    expected(query_i, 1) = 1 / (1 + std::exp(e0 - e1));
    expected(query_i, 0) = 1 - expected(query_i, 1);
  }
  const Attention got = additive_attention(queries, keys, values, p, 2);
  if (!expect_shape("weights", got.weights, 2, 2)) return;
  if (!got.weights.row(0).allFinite())
    FAIL_CHECK("row 0 is not finite: exp(99.5) overflows float32; subtract the row maximum before exp");
  else if (!got.weights.row(1).allFinite())
    FAIL_CHECK(
        "row 1 is not finite: a maximum taken over all queries (99.5) makes exp(-99.5 - 99.5) underflow "
        "to 0 for every key of query 1, and 0/0 is NaN. Subtract each row's own maximum");
  check_close("weights", got.weights, expected, kT1);
  check_close("output", got.output, expected, kT1);
}

ATTN_TEST("valid_len outside 0..n_k throws std::invalid_argument", edge, 1) {
  const AdditiveParams p{Mat::Random(3, 4), Mat::Random(2, 4), Vec::Random(4)};
  const Mat queries = Mat::Random(2, 3), keys = Mat::Random(5, 2), values = Mat::Random(5, 3);
  CHECK_THROWS_AS(additive_attention(queries, keys, values, p, 6), std::invalid_argument);
  CHECK_THROWS_AS(additive_attention(queries, keys, values, p, -1), std::invalid_argument);
  CHECK_NOTHROW(additive_attention(queries, keys, values, p, 5));
}

ATTN_TEST("mismatched shapes throw std::invalid_argument", edge, 2) {
  const Mat queries = Mat::Random(2, 3), keys = Mat::Random(5, 2), values = Mat::Random(5, 3);
  const Mat W_q = Mat::Random(3, 4), W_k = Mat::Random(2, 4);
  const Vec w_v = Vec::Random(4);
  const auto throws = [&](const char* why, const Mat& keys_, const Mat& values_, const AdditiveParams& p) {
    INFO(std::string(why));
    CHECK_THROWS_AS(additive_attention(queries, keys_, values_, p, 3), std::invalid_argument);
  };
  throws("W_q.rows() must equal the query dimension q", keys, values, {Mat::Random(4, 4), W_k, w_v});
  throws("W_k.rows() must equal the key dimension k", keys, values, {W_q, Mat::Random(3, 4), w_v});
  throws("W_q must have h = w_v.size() columns", keys, values, {Mat::Random(3, 5), W_k, w_v});
  throws("W_k must have h = w_v.size() columns", keys, values, {W_q, Mat::Random(2, 5), w_v});
  throws("w_v.size() must equal the columns of W_q and W_k", keys, values, {W_q, W_k, Vec::Random(3)});
  throws("keys and values need the same n_k, even when valid_len < n_k", keys, Mat::Random(4, 3),
         {W_q, W_k, w_v});
}
