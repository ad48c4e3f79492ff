// p13 bidaf_attention_flow — graded tests. Golden values: tools/golden/p13.py (brute-force triple loop for S
// in numpy, cross-checked with a tiled torch formulation).
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "bidaf_attention_flow.h"
#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

using VecD = Eigen::VectorXd;

// ---- diagnosis only, never a golden value: BiDAF with one classic mistake switched on, in double ----

struct Mistake {
  bool no_product_term = false;    // S = w_h·h + w_u·u, the h∘u term dropped
  bool swapped_wh_wu = false;      // w read as [w_u; w_h; w_m]
  bool c2q_all_words = false;      // C2Q softmax over all J query words
  bool q2c_max_all_words = false;  // Q2C row max over all J query words
  bool q2c_all_rows = false;       // Q2C softmax over all T context rows
  bool q2c_mean = false;           // Q2C from the row mean instead of the row max
  bool g_plain_h_tilde = false;    // last block of G is H̃ instead of H∘H̃
};

struct Flow {
  MatD S, A, G;
  VecD b;
};

VecD softmax_head(const VecD& x, Index n) {
  VecD out = VecD::Zero(x.size());
  if (n == 0) return out;
  const VecD e = (x.head(n).array() - x.head(n).maxCoeff()).exp();
  out.head(n) = e / e.sum();
  return out;
}

Flow bidaf_with(const Mat& H, const Mat& U, const Vec& w, int context_len, int query_len, Mistake m) {
  const Index T = H.rows(), J = U.rows(), e = H.cols();
  const MatD Hd = H.cast<double>(), Ud = U.cast<double>();
  VecD w_h = w.segment(0, e).cast<double>(), w_u = w.segment(e, e).cast<double>();
  const VecD w_m = w.segment(2 * e, e).cast<double>();
  if (m.swapped_wh_wu) std::swap(w_h, w_u);
  Flow f;
  f.S = (Hd * w_h).replicate(1, J) + (Ud * w_u).transpose().replicate(T, 1);
  if (!m.no_product_term) f.S += Hd * w_m.asDiagonal() * Ud.transpose();
  const Index c2q_n = m.c2q_all_words ? J : query_len, max_n = m.q2c_max_all_words ? J : query_len;
  const Index rows_n = m.q2c_all_rows ? T : context_len;
  f.A = MatD::Zero(T, J);
  for (Index t = 0; t < context_len; ++t)
    f.A.row(t) = softmax_head(f.S.row(t).transpose(), c2q_n).transpose();
  VecD score(T);
  for (Index t = 0; t < T; ++t)
    score(t) = m.q2c_mean ? f.S.row(t).head(max_n).mean() : f.S.row(t).head(max_n).maxCoeff();
  f.b = softmax_head(score, rows_n);
  const Eigen::RowVectorXd h_tilde = f.b.head(rows_n).transpose() * Hd.topRows(rows_n);
  const MatD S_block = f.S.topLeftCorner(context_len, query_len);
  f.S.setZero();
  f.S.topLeftCorner(context_len, query_len) = S_block;
  f.G = MatD::Zero(T, 4 * e);
  for (Index t = 0; t < context_len; ++t) {
    const Eigen::RowVectorXd u_tilde = f.A.row(t) * Ud;
    const Eigen::RowVectorXd last =
        m.g_plain_h_tilde ? h_tilde : Eigen::RowVectorXd(Hd.row(t).cwiseProduct(h_tilde));
    f.G.row(t) << Hd.row(t), u_tilde, Hd.row(t).cwiseProduct(u_tilde), last;
  }
  return f;
}

bool shapes_ok(const BidafOut& got, const Mat& H, const Mat& U) {
  return got.G.rows() == H.rows() && got.G.cols() == 4 * H.cols() && got.S.rows() == H.rows() &&
         got.S.cols() == U.rows() && got.c2q_weights.rows() == H.rows() &&
         got.c2q_weights.cols() == U.rows() && got.q2c_weights.size() == H.rows();
}

// Name the classic mistakes when a numeric check fails; returns whether one was named.
bool diagnose(const BidafOut& got, const Mat& H, const Mat& U, const Vec& w, int context_len, int query_len) {
  if (!shapes_ok(got, H, U)) return false;
  bool named = false;
  auto name = [&](const std::string& mistake) {
    FAIL_CHECK(mistake);
    named = true;
  };
  const Index n_c = context_len, n_q = query_len, T = H.rows(), J = U.rows();
  auto with = [&](auto set) {
    Mistake m;
    set(m);
    return bidaf_with(H, U, w, context_len, query_len, m);
  };
  const Flow right = with([](Mistake&) {});
  // got matches the mistake's result, and the mistake changes the result on this input
  auto is_mistake = [](const auto& got_part, const MatD& wrong, const MatD& correct) {
    return is_close(got_part, wrong, kT2) && !is_close(wrong, correct, kT2);
  };
  auto S_block_is = [&](const Flow& f) {
    return is_mistake(Mat(got.S.topLeftCorner(n_c, n_q)), MatD(f.S.topLeftCorner(n_c, n_q)),
                      MatD(right.S.topLeftCorner(n_c, n_q)));
  };

  if (S_block_is(with([](Mistake& m) { m.no_product_term = true; })))
    name(
        "S has no h∘u term: S_tj = w_h·h_t + w_u·u_j alone is a row constant plus a column constant, so "
        "the C2Q softmax ignores the context word entirely. Add (h_t∘w_m)·u_j");
  if (S_block_is(with([](Mistake& m) { m.swapped_wh_wu = true; })))
    name("w_h and w_u are swapped: w = [w_h; w_u; w_m], the first e entries multiply h_t");
  const bool S_block_right =
      is_close(Mat(got.S.topLeftCorner(n_c, n_q)), MatD(right.S.topLeftCorner(n_c, n_q)), kT2);
  if (S_block_right && !is_close(got.S, right.S, kT2))
    name("S is right on the valid block but not 0 outside it: padded rows and columns must not be computed");
  if (query_len < J &&
      is_mistake(got.c2q_weights, with([](Mistake& m) { m.c2q_all_words = true; }).A, right.A))
    name("the C2Q softmax runs over all J query words: words j >= query_len are padding and get weight 0");
  if (query_len < J &&
      is_mistake(got.q2c_weights, with([](Mistake& m) { m.q2c_max_all_words = true; }).b, right.b))
    name(
        "the Q2C row max is taken over padded query words too: m_t = max over j < query_len only, or a "
        "padded word's score can decide which context words matter");
  if (context_len < T &&
      is_mistake(got.q2c_weights, with([](Mistake& m) { m.q2c_all_rows = true; }).b, right.b))
    name("the Q2C softmax runs over all T context rows: rows t >= context_len are padding and get weight 0");
  if (S_block_right && is_mistake(got.q2c_weights, with([](Mistake& m) { m.q2c_mean = true; }).b, right.b))
    name("Q2C uses the mean of each row of S: BiDAF takes the max, how well the best query word matches");
  if (is_mistake(got.G, with([](Mistake& m) { m.g_plain_h_tilde = true; }).G, right.G))
    name("the last block of G is H̃ itself: BiDAF's G ends with the product H∘H̃");
  if (n_c > 1 && n_q > 0 &&
      (got.c2q_weights.topLeftCorner(n_c, n_q).colwise().sum().array() - 1).abs().maxCoeff() < 1e-4 &&
      !is_close(got.c2q_weights, right.A, kT2))
    name("the columns of c2q_weights sum to 1: the C2Q softmax runs over context words, not query words");
  return named;
}

// Compare every output with the golden values; name the mistake when something differs.
void check_golden(const BidafOut& got, const Mat& H, const Mat& U, const Vec& w, int context_len,
                  int query_len, const MatD& S, const MatD& c2q, const MatD& q2c, const MatD& G) {
  if (!expect_shape("G", got.G, G.rows(), G.cols())) return;
  const bool ok = check_close("S", got.S, S, kT1) & check_close("c2q_weights", got.c2q_weights, c2q, kT1) &
                  check_close("q2c_weights", got.q2c_weights, q2c, kT1) & check_close("G", got.G, G, kT1);
  if (!ok) diagnose(got, H, U, w, context_len, query_len);
}

}  // namespace

ATTN_TEST("shapes of G S and both weight sets", shape, 1) {
  const BidafOut got = bidaf_attention(Mat::Random(7, 4), Mat::Random(5, 4), Vec::Random(12), 6, 3);
  expect_shape("G", got.G, 7, 16);
  expect_shape("S", got.S, 7, 5);
  expect_shape("c2q_weights", got.c2q_weights, 7, 5);
  expect_shape("q2c_weights", got.q2c_weights, 7, 1);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // e = 2; third rows of H and U are padding; w = [w_h; w_u; w_m] = [1 0 | 0 1 | 1 1]
  const Mat H{{1, 0}, {0, 2}, {9, 9}}, U{{1, 0}, {0, 1}, {9, 9}};
  Vec w(6);
  w << 1, 0, 0, 1, 1, 1;
  const BidafOut got = bidaf_attention(H, U, w, 2, 2);
  const MatD S{{2, 2, 0}, {0, 3, 0}, {0, 0, 0}};
  const MatD c2q{{0.5, 0.5, 0}, {0.047425873, 0.952574127, 0}, {0, 0, 0}};
  const MatD q2c{{0.268941421}, {0.731058579}, {0}};
  const MatD G{{1, 0, 0.5, 0.5, 0.5, 0, 0.268941421, 0},
               {0, 2, 0.047425873, 0.952574127, 0, 1.905148254, 0, 2.924234315},
               {0, 0, 0, 0, 0, 0, 0, 0}};
  const Tol nine_digits{1e-6, 1e-6, "1e-6 (values given to 9 digits)"};
  if (!expect_shape("G", got.G, 3, 8)) return;
  const bool ok = check_close("S", got.S, S, nine_digits) &
                  check_close("c2q_weights", got.c2q_weights, c2q, nine_digits) &
                  check_close("q2c_weights", got.q2c_weights, q2c, nine_digits) &
                  check_close("G", got.G, G, nine_digits);
  if (!ok) diagnose(got, H, U, w, 2, 2);
}

ATTN_TEST("decomposed S matches the brute-force triple loop", numeric, 2) {
  {
    using namespace golden::random;
    check_close("S (random case)", bidaf_attention(H, U, w.col(0), context_len, query_len).S, S, kT1);
  }
  {
    using namespace golden::padded;
    check_close("S (padded case)", bidaf_attention(H, U, w.col(0), context_len, query_len).S, S, kT1);
  }
  {
    using namespace golden::wide;
    const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
    if (!check_close("S (wide case)", got.S, S, kT1)) diagnose(got, H, U, w.col(0), context_len, query_len);
  }
}

ATTN_TEST("random case matches golden values", numeric, 2) {
  using namespace golden::random;
  const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
  check_golden(got, H, U, w.col(0), context_len, query_len, S, c2q, q2c, G);
}

ATTN_TEST("padded context and query match golden values", numeric, 3) {
  using namespace golden::padded;
  const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
  check_golden(got, H, U, w.col(0), context_len, query_len, S, c2q, q2c, G);
}

ATTN_TEST("scores beyond ±88 stay finite and match golden values", numeric, 3) {
  using namespace golden::large;  // integer inputs: S is exact in float32 and reaches 164
  const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
  if (!check_finite("c2q_weights", got.c2q_weights) || !check_finite("q2c_weights", got.q2c_weights) ||
      !check_finite("G", got.G)) {
    FAIL_CHECK(
        "scores here reach 164 and float32 exp overflows above 88.7: subtract the max before exponentiating, "
        "in the C2Q softmax (each row's max) and in the Q2C softmax (the max of the row maxima)");
    return;
  }
  check_golden(got, H, U, w.col(0), context_len, query_len, S, c2q, q2c, G);
}

ATTN_TEST("a 24×10 case with 2d = 16 stays within float32 tolerance", numeric, 2) {
  using namespace golden::wide;
  const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
  check_golden(got, H, U, w.col(0), context_len, query_len, S, c2q, q2c, G);
}

ATTN_TEST("C2Q rows and the Q2C vector sum to 1", property, 1) {
  using namespace golden::large;  // scores reach 164: exp without the max subtracted is inf, and inf/inf NaN
  const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
  if (!expect_shape("c2q_weights", got.c2q_weights, H.rows(), U.rows()) ||
      !expect_shape("q2c_weights", got.q2c_weights, H.rows(), 1))
    return;
  if (!check_rows_sum_to("c2q_weights (valid rows)", Mat(got.c2q_weights.topRows(context_len))) &&
      (got.c2q_weights.topRows(context_len).colwise().sum().array() - 1).abs().maxCoeff() < 1e-4)
    FAIL_CHECK(
        "the columns of c2q_weights sum to 1: the C2Q softmax runs over context words, not query words");
  check_rows_sum_to("q2c_weights as one row", Mat(got.q2c_weights.transpose()));
  // and the weights are the right ones, not merely normalised
  const bool ok = check_close("c2q_weights", got.c2q_weights, c2q, kT1) &
                  check_close("q2c_weights", got.q2c_weights, q2c, kT1);
  if (!ok) diagnose(got, H, U, w.col(0), context_len, query_len);
}

ATTN_TEST("padded words get weight exactly 0", property, 2) {
  using namespace golden::padded;
  const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
  Mask valid = Mask::Constant(H.rows(), U.rows(), false);
  valid.topLeftCorner(context_len, query_len).setConstant(true);
  Mask valid_rows = Mask::Constant(H.rows(), 1, false);
  valid_rows.topRows(context_len).setConstant(true);
  const bool zero = check_zero_where_masked("c2q_weights", got.c2q_weights, valid) &
                    check_zero_where_masked("q2c_weights", got.q2c_weights, valid_rows);
  if (!zero) return;
  // the valid words share all the weight, as the golden says
  const bool ok = check_close("c2q_weights", got.c2q_weights, c2q, kT1) &
                  check_close("q2c_weights", got.q2c_weights, q2c, kT1);
  if (!ok) diagnose(got, H, U, w.col(0), context_len, query_len);
}

ATTN_TEST("G and S are exactly 0 outside the valid words", property, 1) {
  using namespace golden::padded;  // padding holds NaN and 1e30: exactly 0 means never computed from it
  Mat H_bad = H, U_bad = U;
  H_bad.bottomRows(H.rows() - context_len).setConstant(NAN);
  U_bad.bottomRows(U.rows() - query_len).setConstant(1e30f);
  const BidafOut got = bidaf_attention(H_bad, U_bad, w.col(0), context_len, query_len);
  Mask valid = Mask::Constant(H.rows(), U.rows(), false);
  valid.topLeftCorner(context_len, query_len).setConstant(true);
  Mask valid_rows = Mask::Constant(H.rows(), 4 * H.cols(), false);
  valid_rows.topRows(context_len).setConstant(true);
  const bool zero = check_zero_where_masked("S", got.S, valid) &
                    check_zero_where_masked("G (rows t >= context_len)", got.G, valid_rows);
  if (!zero) return;
  const bool ok = check_close("S", got.S, S, kT1) & check_close("G", got.G, G, kT1);
  if (!ok) diagnose(got, H, U, w.col(0), context_len, query_len);
}

ATTN_TEST("padding holding NaN or 1e30 does not leak", property, 3) {
  using namespace golden::padded;  // context rows 5..6 and query rows 4..5 are padding
  Mat H_bad = H, U_bad = U;
  H_bad.row(5).setConstant(NAN);
  H_bad.row(6).setConstant(1e30f);
  U_bad.row(4).setConstant(1e30f);
  U_bad.row(5).setConstant(NAN);
  const BidafOut dirty = bidaf_attention(H_bad, U_bad, w.col(0), context_len, query_len);
  const bool finite = check_finite("S with poisoned padding", dirty.S) &
                      check_finite("c2q_weights with poisoned padding", dirty.c2q_weights) &
                      check_finite("q2c_weights with poisoned padding", dirty.q2c_weights) &
                      check_finite("G with poisoned padding", dirty.G);
  if (!finite) {
    FAIL_CHECK(
        "padded rows must never be read: a zero weight does not help, 0 × NaN is NaN. Work on "
        "H.topRows(context_len) and U.topRows(query_len) only");
    return;
  }
  // the golden was computed with ordinary padding: what the padding holds must not matter
  check_golden(dirty, H, U, w.col(0), context_len, query_len, S, c2q, q2c, G);
}

ATTN_TEST("G is [H Ũ H∘Ũ H∘H̃] block by block", property, 2) {
  using namespace golden::padded;
  const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
  if (!expect_shape("G", got.G, H.rows(), 4 * H.cols())) return;
  const Index e = H.cols(), n_c = context_len;
  const Mat G_valid = got.G.topRows(n_c);
  const MatD G_golden = G.topRows(n_c);
  // block 1 is H itself, copied: exact
  check_close("G block 1 (H)", Mat(G_valid.middleCols(0, e)), MatD(H.topRows(n_c).cast<double>()),
              Tol{0, 0, "exact"});
  check_close("G block 2 (Ũ = A U)", Mat(G_valid.middleCols(e, e)), MatD(G_golden.middleCols(e, e)), kT1);
  check_close("G block 3 (H∘Ũ)", Mat(G_valid.middleCols(2 * e, e)), MatD(G_golden.middleCols(2 * e, e)), kT1);
  // h̃ from the golden Q2C weights: the last block is H∘H̃, not H̃
  const Eigen::RowVectorXd h_tilde = q2c.topRows(n_c).transpose() * H.topRows(n_c).cast<double>();
  if (!check_close("G block 4 (H∘H̃)", Mat(G_valid.middleCols(3 * e, e)), MatD(G_golden.middleCols(3 * e, e)),
                   kT1) &&
      is_close(Mat(G_valid.middleCols(3 * e, e)), MatD(h_tilde.replicate(n_c, 1)), kT1))
    FAIL_CHECK("the last block of G is H̃ itself: BiDAF's G ends with the product H∘H̃");
}

ATTN_TEST("w = 0 gives the means of the valid query and context rows", property, 2) {
  {
    using namespace golden::padded;
    const BidafOut got = bidaf_attention(H, U, Vec::Zero(w.rows()), context_len, query_len);
    if (!expect_shape("G", got.G, H.rows(), 4 * H.cols())) return;
    const Index e = H.cols(), n_c = context_len;
    // every score is 0: uniform weights, so ũ_t is the mean of the valid query rows and h̃ that of the
    // valid context rows
    const Eigen::RowVectorXd u_mean = U.topRows(query_len).cast<double>().colwise().mean();
    const Eigen::RowVectorXd h_mean = H.topRows(context_len).cast<double>().colwise().mean();
    const MatD Hv = H.topRows(n_c).cast<double>();
    const Mat U_tilde = got.G.block(0, e, n_c, e), H_H_tilde = got.G.block(0, 3 * e, n_c, e);
    if (!check_close("Ũ with w = 0", U_tilde, u_mean.replicate(n_c, 1), kT1) &&
        is_close(U_tilde, U.cast<double>().colwise().mean().replicate(n_c, 1), kT1))
      FAIL_CHECK("that is the mean of all J query rows: the C2Q softmax must ignore words j >= query_len");
    if (!check_close("H∘H̃ with w = 0", H_H_tilde, Hv * h_mean.asDiagonal(), kT1) &&
        is_close(H_H_tilde, Hv * H.cast<double>().colwise().mean().transpose().asDiagonal(), kT1))
      FAIL_CHECK("h̃ is the mean of all T context rows: the Q2C softmax must ignore rows t >= context_len");
  }
  // w = [w_h; 0; 0]: S_tj = w_h·h_t is constant along row t, so C2Q stays uniform, but Q2C ranks the
  // context words by w_h·h_t (golden)
  using namespace golden::wh_only;
  const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
  check_golden(got, H, U, w.col(0), context_len, query_len, S, c2q, q2c, G);
}

ATTN_TEST("w_h cancels in the C2Q softmax", property, 1) {
  using namespace golden::wide;
  // w_h·h_t is the same for every query word j of row t: it shifts row t of S and the softmax ignores shifts
  Vec w_shifted = w.col(0);
  w_shifted.head(H.cols()) += Vec::LinSpaced(H.cols(), -1.f, 1.f);
  const BidafOut base = bidaf_attention(H, U, w.col(0), context_len, query_len);
  if (!check_close("c2q_weights", base.c2q_weights, c2q, kT1)) {
    diagnose(base, H, U, w.col(0), context_len, query_len);
    return;
  }
  const BidafOut shifted = bidaf_attention(H, U, w_shifted, context_len, query_len);
  check_close("c2q_weights after changing w_h", shifted.c2q_weights, c2q,
              Tol{1e-5, 1e-6, "1e-5 (S is rounded differently)"});
}

ATTN_TEST("permuting the valid query words leaves G unchanged", property, 1) {
  using namespace golden::wide;  // query_len = 8; rows 8 and 9 are padding and stay where they are
  const std::vector<int> order{3, 7, 0, 5, 1, 6, 2, 4, 8, 9};
  const BidafOut perm = bidaf_attention(H, rows_in_order(U, order), w.col(0), context_len, query_len);
  const Tol sums{1e-5, 1e-5, "1e-5 (sums in another order)"};
  check_close("G with permuted query words", perm.G, G, sums);
  check_close("q2c_weights with permuted query words", perm.q2c_weights, q2c, sums);
  // C2Q weights move with their words: column j of the permuted run is column order[j] of the golden
  check_close("c2q_weights with permuted query words", perm.c2q_weights,
              MatD(rows_in_order(MatD(c2q.transpose()), order).transpose()), sums);
}

ATTN_TEST("lengths 0 give zeros not NaN and length 1 gives weight 1", edge, 2) {
  {
    // one valid query word: its C2Q weight is 1 in every row, but Q2C still ranks the context words
    using namespace golden::one_word;
    const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
    check_golden(got, H, U, w.col(0), context_len, query_len, S, c2q, q2c, G);
  }
  {
    // one valid context word: Q2C weight 1 on it, so h̃ = h_0
    using namespace golden::one_context;
    const BidafOut got = bidaf_attention(H, U, w.col(0), context_len, query_len);
    check_golden(got, H, U, w.col(0), context_len, query_len, S, c2q, q2c, G);
  }
  using namespace golden::padded;
  const Index T = H.rows(), J = U.rows(), e = H.cols();
  const BidafOut no_query = bidaf_attention(H, U, w.col(0), context_len, 0);
  if (!check_finite("G with query_len = 0", no_query.G) ||
      !check_finite("c2q_weights with query_len = 0", no_query.c2q_weights) ||
      !check_finite("q2c_weights with query_len = 0", no_query.q2c_weights)) {
    FAIL_CHECK("with no valid query word there is nothing to normalise: return zero weights, not 0/0 = NaN");
    return;
  }
  const Tol exact{0, 0, "exact"};
  MatD G_expected = MatD::Zero(T, 4 * e);
  G_expected.topLeftCorner(context_len, e) = H.topRows(context_len).cast<double>();
  check_close("G with query_len = 0", no_query.G, G_expected, exact);
  check_close("c2q_weights with query_len = 0", no_query.c2q_weights, MatD::Zero(T, J), exact);
  check_close("q2c_weights with query_len = 0", no_query.q2c_weights, MatD::Zero(T, 1), exact);
  const BidafOut no_context = bidaf_attention(H, U, w.col(0), 0, query_len);
  if (!check_finite("G with context_len = 0", no_context.G) ||
      !check_finite("q2c_weights with context_len = 0", no_context.q2c_weights))
    return;
  check_close("G with context_len = 0", no_context.G, MatD::Zero(T, 4 * e), exact);
  check_close("q2c_weights with context_len = 0", no_context.q2c_weights, MatD::Zero(T, 1), exact);
}

ATTN_TEST("w.size() != 3·H.cols() throws std::invalid_argument", edge, 2) {
  const Mat H = Mat::Random(5, 4), U = Mat::Random(3, 4);
  for (const int n : {4, 8, 11, 13, 24}) {
    CAPTURE(n);
    CHECK_THROWS_AS(bidaf_attention(H, U, Vec::Random(n), 5, 3), std::invalid_argument);
  }
  CHECK_NOTHROW(bidaf_attention(H, U, Vec::Random(12), 5, 3));
}

ATTN_TEST("lengths out of range or a mismatched U throw std::invalid_argument", edge, 1) {
  const Mat H = Mat::Random(5, 4), U = Mat::Random(3, 4);
  const Vec w = Vec::Random(12);
  CHECK_THROWS_AS(bidaf_attention(H, U, w, 6, 3), std::invalid_argument);
  CHECK_THROWS_AS(bidaf_attention(H, U, w, -1, 3), std::invalid_argument);
  CHECK_THROWS_AS(bidaf_attention(H, U, w, 5, 4), std::invalid_argument);
  CHECK_THROWS_AS(bidaf_attention(H, U, w, 5, -1), std::invalid_argument);
  CHECK_THROWS_AS(bidaf_attention(H, Mat::Random(3, 5), Vec::Random(12), 5, 3), std::invalid_argument);
}
