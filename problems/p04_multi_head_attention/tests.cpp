// p04 multi_head_attention — graded tests. Golden values: tools/golden/p04.py (torch.nn.MultiheadAttention in
// float64, cross-checked with a numpy loop over heads). Every numeric, property and edge test (argument
// checks aside) compares with golden or independently computed numbers, so returning zeros or uniform
// weights earns only the shape and argument points.
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "golden.inc"
#include "multi_head_attention.h"

using namespace attn;
using namespace attn::check;

namespace {

bool check_heads(const MHAOut& got, const std::vector<MatD>& expected, Tol tol) {
  if (got.head_weights.size() != expected.size()) {
    FAIL_CHECK("head_weights holds " << got.head_weights.size() << " matrices, expected one per head ("
                                     << expected.size() << ")");
    return false;
  }
  bool ok = true;
  for (size_t h = 0; h < expected.size(); ++h) {
    const std::string what = "head_weights[" + std::to_string(h) + "]";
    ok &= check_close(what.c_str(), got.head_weights[h], expected[h], tol);
  }
  return ok;
}

// ---- a model in double: the num_heads = 1 oracle, and the classic mistakes for diagnosis. Never a golden.
// ----

// softmax(scale · Q Kᵀ) over allowed keys, then · V; a row with no allowed key is zero.
struct AttD {
  MatD output, weights;
};
AttD sdpa_double(const MatD& Q, const MatD& K, const MatD& V, const std::optional<Mask>& keep, double scale) {
  const MatD S = scale * Q * K.transpose();
  MatD A = MatD::Zero(S.rows(), S.cols());
  for (Index i = 0; i < S.rows(); ++i) {
    double m = -INFINITY;
    for (Index j = 0; j < S.cols(); ++j)
      if (!keep || (*keep)(i, j)) m = std::max(m, S(i, j));
    if (m == -INFINITY) continue;
    for (Index j = 0; j < S.cols(); ++j)
      if (!keep || (*keep)(i, j)) A(i, j) = std::exp(S(i, j) - m);
    A.row(i) /= A.row(i).sum();
  }
  return {A * V, A};
}

enum class Variant { correct, scale_d_model, heads_by_rows, outputs_averaged, no_out_proj, torch_layout };

// Head h of a projected (n, d) matrix: its column block, or, for heads_by_rows, the h-th run of n·d_h numbers
// of the row-major memory (a (num_heads·n, d_h) reshape, PyTorch's view(H, L, d_h) without the transpose).
MatD take_head(const MatD& X, Index h, Index d_h, bool by_rows) {
  if (!by_rows) return X.middleCols(h * d_h, d_h);
  MatD H(X.rows(), d_h);
  for (Index i = 0; i < X.rows(); ++i)
    for (Index c = 0; c < d_h; ++c) {
      const Index f = (h * X.rows() + i) * d_h + c;
      H(i, c) = X(f / X.cols(), f % X.cols());
    }
  return H;
}

void put_head(MatD& concat, const MatD& H, Index h, Index d_h, bool by_rows) {
  if (!by_rows) {
    concat.middleCols(h * d_h, d_h) = H;
    return;
  }
  for (Index i = 0; i < H.rows(); ++i)
    for (Index c = 0; c < d_h; ++c) {
      const Index f = (h * H.rows() + i) * d_h + c;
      concat(f / concat.cols(), f % concat.cols()) = H(i, c);
    }
}

struct ModelD {
  MatD output, avg_weights;
};
ModelD mha_double(const Mat& query, const Mat& key, const Mat& value, const MHAParams& p,
                  const std::optional<Mask>& keep, Variant v) {
  auto W = [&](const Mat& w) -> MatD {
    return v == Variant::torch_layout ? MatD(w.transpose().cast<double>()) : MatD(w.cast<double>());
  };
  const MatD Qp = (query.cast<double>() * W(p.Wq)).rowwise() + p.bq.cast<double>();
  const MatD Kp = (key.cast<double>() * W(p.Wk)).rowwise() + p.bk.cast<double>();
  const MatD Vp = (value.cast<double>() * W(p.Wv)).rowwise() + p.bv.cast<double>();
  const Index d = Qp.cols(), d_h = d / p.num_heads;
  const bool by_rows = v == Variant::heads_by_rows;
  const double scale = 1.0 / std::sqrt(static_cast<double>(v == Variant::scale_d_model ? d : d_h));
  MatD concat = MatD::Zero(Qp.rows(), d);
  ModelD m{MatD(), MatD::Zero(Qp.rows(), Kp.rows())};
  for (Index h = 0; h < p.num_heads; ++h) {
    const AttD head = sdpa_double(take_head(Qp, h, d_h, by_rows), take_head(Kp, h, d_h, by_rows),
                                  take_head(Vp, h, d_h, by_rows), keep, scale);
    put_head(concat, head.output, h, d_h, by_rows);
    m.avg_weights += head.weights / static_cast<double>(p.num_heads);
  }
  if (v == Variant::no_out_proj)
    m.output = concat;
  else
    m.output = (concat * W(p.Wo) / (v == Variant::outputs_averaged ? double(p.num_heads) : 1.0)).rowwise() +
               p.bo.cast<double>();
  return m;
}

// The diagnosis compares loosely: a mistake's model in double need not match to T2.
constexpr Tol kLoose{1e-4, 1e-5, "diagnosis"};

// Name the classic mistakes when a golden comparison fails: each is a model of one wrong implementation.
void diagnose(const MHAOut& got, const Mat& query, const Mat& key, const Mat& value, const MHAParams& p,
              const std::optional<Mask>& keep = std::nullopt) {
  const ModelD truth = mha_double(query, key, value, p, keep, Variant::correct);
  // a mistake is named only where it changes the result and the submission matches it
  auto weights_match = [&](const ModelD& alt) {
    return is_close(got.avg_weights, alt.avg_weights, kLoose) &&
           !is_close(alt.avg_weights, truth.avg_weights, kLoose);
  };
  auto output_matches = [&](const MatD& alt) {
    return is_close(got.output, alt, kLoose) && !is_close(alt, truth.output, kLoose);
  };
  if (weights_match(mha_double(query, key, value, p, keep, Variant::scale_d_model)))
    FAIL_CHECK(
        "the weights match scores scaled by 1/sqrt(d) (d = d_model): each head takes dot products of "
        "d_h = d / num_heads features, so scale by 1/sqrt(d_h)");
  if (weights_match(mha_double(query, key, value, p, keep, Variant::heads_by_rows)))
    FAIL_CHECK(
        "the weights match heads cut as consecutive runs of n·d_h numbers (a (num_heads·n, d_h) reshape, "
        "heads split by rows): head h is the column block [h·d_h, (h+1)·d_h) of every row of Q', K', V'");
  if (output_matches(mha_double(query, key, value, p, keep, Variant::outputs_averaged).output))
    FAIL_CHECK(
        "the output equals Concat(heads)·Wo / num_heads + bo: the heads are concatenated, not averaged "
        "(each head's block meets its own d_h rows of Wo and the results add up)");
  const MatD concat = mha_double(query, key, value, p, keep, Variant::no_out_proj).output;
  if (output_matches(concat) || output_matches(concat.rowwise() + p.bo.cast<double>()))
    FAIL_CHECK(
        "the output equals the concatenated heads: the output projection Concat(heads)·Wo + bo is missing");
  if (output_matches(mha_double(query, key, value, p, keep, Variant::torch_layout).output))
    FAIL_CHECK(
        "the output is what X·Wᵀ gives, every weight used transposed (PyTorch's (out × in) layout): here "
        "every W is (in × out) and Y = X·W + b");
  if (keep) {
    const Mask inverted = !keep->array();
    if (weights_match(mha_double(query, key, value, p, inverted, Variant::correct)))
      FAIL_CHECK(
          "the weights match the inverted mask: here keep = true means MAY attend (nn.MultiheadAttention's "
          "key_padding_mask is the opposite: true = ignore)");
  }
}

// Runs the golden cross-attention case (4 queries × 7 keys, 3 heads, keys 3, 5 and 6 padded) on the given key
// and value rows and compares everything with its golden values; names a classic mistake when they differ.
bool check_cross(const MHAOut& got, const Mat& key, const Mat& value) {
  using namespace golden::cross;
  const bool ok = check_close("output", got.output, output, kT2) &
                  check_close("avg_weights", got.avg_weights, avg_weights, kT2) &
                  check_heads(got, {weights_head0, weights_head1, weights_head2}, kT2);
  if (!ok) diagnose(got, query, key, value, mha_params(Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads), keep);
  return ok;
}

MHAParams cross_params() {
  using namespace golden::cross;
  return mha_params(Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads);
}

}  // namespace

ATTN_TEST("output is n_q×d and avg_weights n_q×n_k with one n_q×n_k matrix per head", shape, 1) {
  const Mat query = Mat::Random(3, 8), key = Mat::Random(5, 8), value = Mat::Random(5, 8);
  const MHAOut got = multi_head_attention(query, key, value, random_mha_params(8, 2));
  expect_shape("output", got.output, 3, 8);
  expect_shape("avg_weights", got.avg_weights, 3, 5);
  REQUIRE_MESSAGE(got.head_weights.size() == 2, "head_weights must hold one matrix per head (2)");
  expect_shape("head_weights[0]", got.head_weights[0], 3, 5);
  expect_shape("head_weights[1]", got.head_weights[1], 3, 5);
}

ATTN_TEST("a single key gets weight 1 in every head", shape, 1) {
  const Mat query = Mat::Random(4, 6), key = Mat::Random(1, 6), value = Mat::Random(1, 6);
  const MHAParams p = random_mha_params(6, 3);
  const MHAOut got = multi_head_attention(query, key, value, p);
  if (!expect_shape("avg_weights", got.avg_weights, 4, 1)) return;
  check_close("avg_weights", got.avg_weights, MatD::Ones(4, 1), kT1);
  check_heads(got, std::vector<MatD>(3, MatD::Ones(4, 1)), kT1);
  // every query reads the one value row: ((value Wv + bv) Wo + bo) on each row
  const MatD row = ((value.cast<double>() * p.Wv.cast<double>() + p.bv.cast<double>()) * p.Wo.cast<double>() +
                    p.bo.cast<double>());
  check_close("output", got.output, row.replicate(4, 1), kT2);
}

ATTN_TEST("worked example from the statement (2 heads with identity projections)", numeric, 2) {
  // X = [[1, 0, 0, 1], [0, 1, 0, 1]], every W = I, every b = 0, 2 heads of d_h = 2
  Mat X(2, 4);
  X << 1, 0, 0, 1, 0, 1, 0, 1;
  MHAParams p;
  p.Wq = p.Wk = p.Wv = p.Wo = Mat::Identity(4, 4);
  p.bq = p.bk = p.bv = p.bo = RowVec::Zero(4);
  p.num_heads = 2;
  const double a = 0.6697615493266569, b = 0.3302384506733431;  // sigmoid(±1/sqrt(2))
  const MHAOut got = multi_head_attention(X, X, X, p);
  check_heads(got, {MatD{{a, b}, {b, a}}, MatD{{0.5, 0.5}, {0.5, 0.5}}}, kT1);
  check_close("avg_weights", got.avg_weights,
              MatD{{(a + 0.5) / 2, (b + 0.5) / 2}, {(b + 0.5) / 2, (a + 0.5) / 2}}, kT1);
  check_close("output", got.output, MatD{{a, b, 0, 1}, {b, a, 0, 1}}, kT1);
}

ATTN_TEST("self-attention matches torch.nn.MultiheadAttention", numeric, 3) {
  using namespace golden::self_attn;
  const MHAParams p = mha_params(Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads);
  const MHAOut got = multi_head_attention(X, X, X, p);
  const bool ok = check_close("output", got.output, output, kT2) &
                  check_close("avg_weights", got.avg_weights, avg_weights, kT2) &
                  check_heads(got, {weights_head0, weights_head1}, kT2);
  if (!ok) diagnose(got, X, X, X, p);
}

ATTN_TEST("cross-attention with n_q≠n_k and key padding matches torch", numeric, 3) {
  using namespace golden::cross;
  check_cross(multi_head_attention(query, key, value, cross_params(), keep), key, value);
}

ATTN_TEST("a general mask with a fully masked query matches golden values", numeric, 2) {
  using namespace golden::masked;
  const MHAParams p = mha_params(Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads);
  const MHAOut got = multi_head_attention(query, key, value, p, keep);
  const bool ok = check_close("output", got.output, output, kT2) &
                  check_close("avg_weights", got.avg_weights, avg_weights, kT2) &
                  check_heads(got, {weights_head0, weights_head1, weights_head2, weights_head3}, kT2);
  if (!ok) diagnose(got, query, key, value, p, keep);
}

ATTN_TEST("d_h = 1 with as many heads as features matches torch", numeric, 1) {
  using namespace golden::narrow;
  const MHAParams p = mha_params(Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads);
  const MHAOut got = multi_head_attention(X, X, X, p);
  const bool ok = check_close("output", got.output, output, kT2) &
                  check_heads(got, {weights_head0, weights_head1, weights_head2, weights_head3}, kT2);
  if (!ok) diagnose(got, X, X, X, p);
}

ATTN_TEST("a 16-token case with d = 32 and 4 heads stays within T2", numeric, 1) {
  using namespace golden::wide;
  const MHAParams p = mha_params(Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads);
  const MHAOut got = multi_head_attention(X, X, X, p);
  const bool ok = check_close("output", got.output, output, kT2) &
                  check_close("avg_weights", got.avg_weights, avg_weights, kT2);
  if (!ok) diagnose(got, X, X, X, p);
}

ATTN_TEST("num_heads = 1 equals single-head attention on the projected inputs", property, 2) {
  const Mat query = Mat::Random(4, 6), key = Mat::Random(5, 6), value = Mat::Random(5, 6);
  const MHAParams p = random_mha_params(6, 1);
  Mask keep = Mask::Constant(4, 5, true);
  keep(0, 1) = keep(2, 4) = keep(3, 0) = false;
  const MHAOut got = multi_head_attention(query, key, value, p, keep);
  // the oracle, in double: softmax(Q' K'ᵀ / sqrt(d)) V' Wo + bo with Q' = query Wq + bq and so on
  const MatD Qp = (query.cast<double>() * p.Wq.cast<double>()).rowwise() + p.bq.cast<double>();
  const MatD Kp = (key.cast<double>() * p.Wk.cast<double>()).rowwise() + p.bk.cast<double>();
  const MatD Vp = (value.cast<double>() * p.Wv.cast<double>()).rowwise() + p.bv.cast<double>();
  const AttD single = sdpa_double(Qp, Kp, Vp, keep, 1.0 / std::sqrt(6.0));
  const MatD expected = (single.output * p.Wo.cast<double>()).rowwise() + p.bo.cast<double>();
  const bool ok = check_close("output", got.output, expected, kT2) &
                  check_close("avg_weights", got.avg_weights, single.weights, kT2) &
                  check_heads(got, {single.weights}, kT2);
  if (!ok) diagnose(got, query, key, value, p, keep);
}

ATTN_TEST("each head's weight rows sum to 1 and avg_weights is their mean", property, 2) {
  using namespace golden::cross;  // every query has allowed keys
  const MHAOut got = multi_head_attention(query, key, value, cross_params(), keep);
  if (!check_cross(got, key, value)) return;
  MatD mean = MatD::Zero(query.rows(), key.rows());
  for (size_t h = 0; h < got.head_weights.size(); ++h) {
    const std::string what = "head_weights[" + std::to_string(h) + "]";
    check_rows_sum_to(what, got.head_weights[h]);
    mean += got.head_weights[h].cast<double>() / static_cast<double>(got.head_weights.size());
  }
  check_rows_sum_to("avg_weights", got.avg_weights);
  check_close("avg_weights against the mean of head_weights", got.avg_weights, mean, kT1);
}

ATTN_TEST("zeroing head j's query projection makes head j uniform", property, 2) {
  using namespace golden::cross;  // 3 heads of d_h = 4; keys 0, 1, 2 and 4 are allowed
  const Index j = 1, d_h = 4;
  MHAParams blind = cross_params();  // Q'_j = 0 for every query: every key scores 0 in head j
  blind.Wq.middleCols(j * d_h, d_h).setZero();
  blind.bq.segment(j * d_h, d_h).setZero();
  const MHAOut got = multi_head_attention(query, key, value, blind, keep);
  REQUIRE_MESSAGE(got.head_weights.size() == 3, "head_weights must hold one matrix per head (3)");
  const MatD uniform = (keep.cast<double>() / 4.0).matrix();
  if (!check_close("head_weights[1] with Wq and bq zero in columns [4, 8)", got.head_weights[1], uniform,
                   kT1))
    FAIL_CHECK(
        "head 1 is columns [1·d_h, 2·d_h) = [4, 8) of Q' and K': with those query columns zero, its "
        "scores are all 0 and its weights uniform over the allowed keys");
  // the other heads never read those columns: they keep their golden weights
  check_close("head_weights[0], which does not use columns [4, 8)", got.head_weights[0], weights_head0, kT2);
  check_close("head_weights[2], which does not use columns [4, 8)", got.head_weights[2], weights_head2, kT2);
}

ATTN_TEST("self-attention without positions is permutation-equivariant", property, 2) {
  // O(ΠX) = Π O(X): attention alone cannot tell token order, which is why positions are added (p06, p25)
  using namespace golden::self_attn;
  const MHAParams p = mha_params(Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads);
  const MHAOut got = multi_head_attention(X, X, X, p);
  if (!check_close("output", got.output, output, kT2)) {
    diagnose(got, X, X, X, p);
    return;
  }
  const std::vector<int> order{3, 0, 5, 4, 1, 2};
  const Mat PX = rows_in_order(X, order);
  const MHAOut perm = multi_head_attention(PX, PX, PX, p);
  check_close("output of permuted tokens", perm.output, rows_in_order(output, order), kT2);
  if (!expect_shape("avg_weights of permuted tokens", perm.avg_weights, 6, 6)) return;
  MatD expected(6, 6);  // rows and columns both permuted
  for (Index i = 0; i < 6; ++i)
    for (Index k = 0; k < 6; ++k) expected(i, k) = avg_weights(order[i], order[k]);
  check_close("avg_weights of permuted tokens", perm.avg_weights, expected, kT2);
}

ATTN_TEST("masked keys get exactly 0 weight in every head", property, 2) {
  using namespace golden::cross;
  const MHAOut got = multi_head_attention(query, key, value, cross_params(), keep);
  // first the allowed weights against golden values, then exact zeros where keep is false
  if (!check_heads(got, {weights_head0, weights_head1, weights_head2}, kT2)) {
    if (got.avg_weights.rows() == keep.rows() && got.avg_weights.cols() == keep.cols() &&
        (keep || got.avg_weights.array() != 0).all())
      FAIL_CHECK(
          "weights are non-zero exactly where keep is false: keep = true means MAY attend "
          "(nn.MultiheadAttention's key_padding_mask is the opposite: true = ignore)");
    return;
  }
  check_zero_where_masked("avg_weights", got.avg_weights, keep);
  for (size_t h = 0; h < got.head_weights.size(); ++h)
    check_zero_where_masked("head_weights[" + std::to_string(h) + "]", got.head_weights[h], keep);
}

ATTN_TEST("padded key and value rows holding NaN do not leak", property, 3) {
  using namespace golden::cross;  // keys 3, 5 and 6 are padding for every query
  Mat key_bad = key, value_bad = value;
  for (const Index j : {3, 5, 6}) {
    REQUIRE_FALSE(keep.col(j).any());
    key_bad.row(j).setConstant(NAN);
    value_bad.row(j).setConstant(1e30f);
    value_bad(j, 0) = NAN;
  }
  key_bad.row(5).setConstant(1e30f);  // a huge masked score must stay out of the row maximum
  const MHAOut got = multi_head_attention(query, key_bad, value_bad, cross_params(), keep);
  if (!check_finite("output with poisoned padded rows", got.output)) {
    FAIL_CHECK(
        "a padded key or value must never be read: skip masked keys rather than multiplying them by a "
        "zero weight (0 · NaN = NaN), and keep NaN scores out of the row maximum");
    return;
  }
  check_close("output with poisoned padded rows", got.output, output, kT2);
  if (check_finite("avg_weights with poisoned padded rows", got.avg_weights))
    check_close("avg_weights with poisoned padded rows", got.avg_weights, avg_weights, kT2);
}

ATTN_TEST("permuting keys and values together permutes only the weight columns", property, 1) {
  using namespace golden::cross;
  if (!check_cross(multi_head_attention(query, key, value, cross_params(), keep), key, value)) return;
  const std::vector<int> order{5, 2, 0, 4, 1, 6, 3};
  Mask keep_perm(keep.rows(), keep.cols());
  MatD expected(avg_weights.rows(), avg_weights.cols());  // column k of the permuted run is key order[k]
  for (Index k = 0; k < keep.cols(); ++k) {
    keep_perm.col(k) = keep.col(order[k]);
    expected.col(k) = avg_weights.col(order[k]);
  }
  const MHAOut perm = multi_head_attention(query, rows_in_order(key, order), rows_in_order(value, order),
                                           cross_params(), keep_perm);
  check_close("output with permuted keys", perm.output, output, kT2);
  check_close("avg_weights with permuted keys", perm.avg_weights, expected, kT2);
}

ATTN_TEST("a fully masked query row gives zero weights and output bo", edge, 2) {
  using namespace golden::masked;  // row 3 of keep is all false; the other rows are golden
  const MHAParams p = mha_params(Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads);
  const MHAOut got = multi_head_attention(query, key, value, p, keep);
  if (!check_finite("avg_weights", got.avg_weights) || !check_finite("output", got.output)) {
    FAIL_CHECK(
        "a query with no allowed key must get zero weights (not exp(-inf - -inf) = NaN); its concatenated "
        "heads are then zero and its output row is bo");
    return;
  }
  check_close("output", got.output, output, kT2);
  check_close("avg_weights", got.avg_weights, avg_weights, kT2);
  const Tol exact{0, 0, "exact"};
  check_close("avg_weights row 3", got.avg_weights.row(3), MatD::Zero(1, key.rows()), exact);
  for (size_t h = 0; h < got.head_weights.size(); ++h)
    check_close("head_weights[" + std::to_string(h) + "] row 3", got.head_weights[h].row(3),
                MatD::Zero(1, key.rows()), exact);
  if (!check_close("output row 3", got.output.row(3), bo.cast<double>(), kT1) &&
      is_close(got.output.row(3), MatD::Zero(1, bo.cols())))
    FAIL_CHECK(
        "output row 3 is zero: the zero concatenated row still goes through the output layer, giving bo");
  // every key masked, and their key and value rows NaN: nothing is read, every output row is bo
  const MHAParams q = random_mha_params(8, 2);
  const Mat X = Mat::Random(2, 8), nan_rows = Mat::Constant(3, 8, NAN);
  const MHAOut none = multi_head_attention(X, nan_rows, nan_rows, q, Mask::Constant(2, 3, false));
  check_close("avg_weights with every key masked", none.avg_weights, MatD::Zero(2, 3), exact);
  check_close("output with every key masked", none.output, q.bo.cast<double>().replicate(2, 1), kT1);
}

ATTN_TEST("d not divisible by num_heads throws std::invalid_argument", edge, 1) {
  const Mat X = Mat::Random(3, 6);
  CHECK_THROWS_AS_MESSAGE(multi_head_attention(X, X, X, random_mha_params(6, 4)), std::invalid_argument,
                          "d = 6 with 4 heads: d_h would be 1.5");
  const Mat Y = Mat::Random(3, 8);
  CHECK_THROWS_AS_MESSAGE(multi_head_attention(Y, Y, Y, random_mha_params(8, 3)), std::invalid_argument,
                          "d = 8 with 3 heads: 8 % 3 != 0");
}

ATTN_TEST("num_heads of 0 or less throws std::invalid_argument", edge, 1) {
  const Mat X = Mat::Random(3, 8);
  CHECK_THROWS_AS_MESSAGE(multi_head_attention(X, X, X, random_mha_params(8, 0)), std::invalid_argument,
                          "num_heads = 0");
  CHECK_THROWS_AS_MESSAGE(multi_head_attention(X, X, X, random_mha_params(8, -2)), std::invalid_argument,
                          "num_heads = -2");
}

ATTN_TEST("mismatched weight and input shapes throw std::invalid_argument", edge, 2) {
  const Mat query = Mat::Random(3, 8), key = Mat::Random(5, 8), value = Mat::Random(5, 8);
  const MHAParams p = random_mha_params(8, 2);
  // every weight must be d×d and every bias have d entries
  for (Mat MHAParams::*W : {&MHAParams::Wq, &MHAParams::Wk, &MHAParams::Wv, &MHAParams::Wo})
    for (const int rows : {8, 6}) {
      MHAParams bad = p;
      bad.*W = Mat::Random(rows, 14 - rows);  // 8×6, then 6×8
      CAPTURE(rows);
      CHECK_THROWS_AS_MESSAGE(multi_head_attention(query, key, value, bad), std::invalid_argument,
                              "a weight that is not 8×8");
    }
  for (RowVec MHAParams::*b : {&MHAParams::bq, &MHAParams::bk, &MHAParams::bv, &MHAParams::bo}) {
    MHAParams bad = p;
    bad.*b = RowVec::Random(7);
    CHECK_THROWS_AS_MESSAGE(multi_head_attention(query, key, value, bad), std::invalid_argument,
                            "a bias with 7 entries, d = 8");
  }
  CHECK_THROWS_AS_MESSAGE(multi_head_attention(Mat::Random(3, 6), key, value, p), std::invalid_argument,
                          "query has 6 columns, d = 8");
  CHECK_THROWS_AS_MESSAGE(multi_head_attention(query, Mat::Random(5, 6), value, p), std::invalid_argument,
                          "key has 6 columns, d = 8");
  CHECK_THROWS_AS_MESSAGE(multi_head_attention(query, key, Mat::Random(5, 6), p), std::invalid_argument,
                          "value has 6 columns, d = 8");
  CHECK_THROWS_AS_MESSAGE(multi_head_attention(query, key, Mat::Random(4, 8), p), std::invalid_argument,
                          "key has 5 rows, value 4");
  CHECK_THROWS_AS_MESSAGE(multi_head_attention(query, key, value, p, Mask::Constant(5, 3, true)),
                          std::invalid_argument, "keep is 5×3, not n_q×n_k = 3×5");
}
