// p25 sinusoidal_and_alibi — graded tests. Golden values: tools/golden/p25.py (torch, cross-checked with
// loops).
#include <attnkata/graded.h>

#include <cmath>
#include <cstdlib>
#include <string>
#include <utility>
#include <vector>

#include "golden.inc"
#include "sinusoidal_and_alibi.h"

using namespace attn;
using namespace attn::check;

namespace {

// ---- diagnosis only, never a golden value: the classic wrong formulas, in double ----

enum class PeVariant { kInterleaved, kHalves, kSwapped, kNoTwo, kPerColumn, kFloatAngles };

// Rows `positions` of a position table built the way `v` says; kInterleaved is the right one.
MatD pe_rows(const std::vector<int>& positions, int d, double base, PeVariant v) {
  MatD P(static_cast<Index>(positions.size()), d);
  for (Index r = 0; r < P.rows(); ++r)
    for (int i = 0; i < d / 2; ++i) {
      const double p = positions[r];
      double w_sin = std::pow(base, -2.0 * i / d), w_cos = w_sin;
      if (v == PeVariant::kNoTwo) w_sin = w_cos = std::pow(base, -1.0 * i / d);
      if (v == PeVariant::kPerColumn) w_cos = std::pow(base, -(2.0 * i + 1) / d);
      double s = std::sin(p * w_sin), c = std::cos(p * w_cos);
      if (v == PeVariant::kFloatAngles) {
        const float angle = static_cast<float>(p) * std::pow(static_cast<float>(base), -2.f * i / d);
        s = std::sin(angle), c = std::cos(angle);
      }
      if (v == PeVariant::kSwapped) std::swap(s, c);
      if (v == PeVariant::kHalves)
        P(r, i) = s, P(r, d / 2 + i) = c;
      else
        P(r, 2 * i) = s, P(r, 2 * i + 1) = c;
    }
  return P;
}

// Name the classic position-table mistakes when a check of rows `positions` fails.
void diagnose_pe(const Mat& got, const std::vector<int>& positions, int d, double base) {
  auto is = [&](PeVariant v) { return is_close(got, pe_rows(positions, d, base, v), kT1); };
  if (is(PeVariant::kHalves))
    FAIL_CHECK(
        "this is the concatenated layout [sin … sin, cos … cos] (tensor2tensor): Vaswani and d2l "
        "interleave, column 2i = sin(p ω_i) and column 2i+1 = cos(p ω_i)");
  else if (is(PeVariant::kSwapped))
    FAIL_CHECK("sin and cos are swapped: even columns hold sin, odd columns cos");
  else if (is(PeVariant::kNoTwo))
    FAIL_CHECK("ω_i = base^(-i/d) is missing the 2: the exponent is 2i/d, so the last pair has ω ≈ 1/base");
  else if (is(PeVariant::kPerColumn))
    FAIL_CHECK(
        "the cos column uses its own column index (2i+1)/d: both columns of pair i share ω_i = "
        "base^(-2i/d)");
  else if (positions.back() > 1000 && is(PeVariant::kFloatAngles))
    FAIL_CHECK(
        "the angles are computed in float: at p = 4095 a float angle is off by up to 2.4e-4 radians. "
        "Compute ω and p·ω in double and round only the sin/cos to float");
}

struct Variant {
  double sign = -1;          // bias = sign · m (i - j); -1 is right
  bool bias_scaled = false;  // (q·k + B)/√d_h instead of q·k/√d_h + B
  bool causal = true;        // false: -m|i - j| for every key, no mask
};

// ALiBi attention in double with explicit slopes and a variant; diagnosis only.
MatD alibi_double(const Mat& Q, const Mat& K, const Mat& V, int H, const std::vector<double>& slopes,
                  Variant v) {
  const Index n = Q.rows(), dk = Q.cols() / H, dv = V.cols() / H;
  const double s = 1 / std::sqrt(static_cast<double>(dk));
  MatD O = MatD::Zero(n, V.cols());
  for (int h = 0; h < H; ++h)
    for (Index i = 0; i < n; ++i) {
      const Index n_keys = v.causal ? i + 1 : n;
      Eigen::VectorXd e(n_keys);
      for (Index j = 0; j < n_keys; ++j) {
        const double qk =
            Q.row(i).segment(h * dk, dk).cast<double>().dot(K.row(j).segment(h * dk, dk).cast<double>());
        const double bias = v.sign * slopes[h] * std::abs(static_cast<double>(i - j));
        e(j) = v.bias_scaled ? s * (qk + bias) : s * qk + bias;
      }
      e = (e.array() - e.maxCoeff()).exp();
      e /= e.sum();
      O.row(i).segment(h * dv, dv) = e.transpose() * V.topRows(n_keys).middleCols(h * dv, dv).cast<double>();
    }
  return O;
}

std::vector<double> official_slopes(int H) {
  int c = 1;
  while (c * 2 <= H) c *= 2;
  std::vector<double> m;
  for (int k = 1; k <= c; ++k) m.push_back(std::exp2(-8.0 * k / c));
  for (int k = 1; k <= H - c; ++k) m.push_back(std::exp2(-4.0 * (2 * k - 1) / c));
  return m;
}

// Name the classic ALiBi mistakes when an attention check fails.
void diagnose_attention(const Mat& got, const Mat& Q, const Mat& K, const Mat& V, int H) {
  const std::vector<double> m = official_slopes(H);
  auto is = [&](const std::vector<double>& slopes, Variant v) {
    return is_close(got, alibi_double(Q, K, V, H, slopes, v), kT2);
  };
  std::vector<double> reversed(m.rbegin(), m.rend()), pow2_formula, zero(H, 0.0);
  for (int k = 1; k <= H; ++k) pow2_formula.push_back(std::exp2(-8.0 * k / H));
  if (is(m, {+1, false, true}))
    FAIL_CHECK("the bias has the wrong sign: +m(i - j) rewards distant keys. ALiBi subtracts m·(i - j)");
  else if (is(m, {-1, true, true}))
    FAIL_CHECK("the bias is divided by √d_h too: scale q·k, then add -m(i - j) unscaled");
  else if (is(m, {-1, false, false}))
    FAIL_CHECK("the output sees future keys: the bias is -inf above the diagonal (causal), not -m|i - j|");
  else if (is(zero, {}))
    FAIL_CHECK("this is causal attention without any bias: head h adds -m_h (i - j) to its scores");
  else if (H > 1 && is(reversed, {}))
    FAIL_CHECK("the slopes are in reverse head order: head 0 gets the largest slope, 2^(-8/c)");
  else if ((H & (H - 1)) != 0 && is(pow2_formula, {}))
    FAIL_CHECK(
        "the slopes are 2^(-8k/n) for a head count that is not a power of 2: get_slopes takes the "
        "c = 2^⌊log2 n⌋ slopes of c heads, then every other slope of 2c heads");
}

// Positions listed in a golden `rows` column, as ints.
std::vector<int> positions_of(const MatD& rows) {
  std::vector<int> positions;
  for (Index r = 0; r < rows.rows(); ++r) positions.push_back(static_cast<int>(rows(r, 0)));
  return positions;
}

// Rows `positions` of a position table against golden values, naming the classic mistakes.
bool check_pe_rows(const std::string& what, const Mat& table, const std::vector<int>& positions,
                   const MatD& expected, double base) {
  const Mat got = rows_in_order(table, positions);
  if (check_close(what, got, expected, kT1)) return true;
  diagnose_pe(got, positions, static_cast<int>(table.cols()), base);
  return false;
}

// Uniform entries in [-1, 1], reproducible from seed.
Mat random_mat(Index rows, Index cols, unsigned seed) {
  std::srand(seed);
  return Mat::Random(rows, cols);
}

// The analytic ALiBi weights with Q = K = 0: row i is a geometric sequence over keys 0..i.
MatD geometric_weights(Index n, double m) {
  MatD W = MatD::Zero(n, n);
  for (Index i = 0; i < n; ++i)
    for (Index j = 0; j <= i; ++j)
      W(i, j) = std::exp(-m * (i - j)) * (1 - std::exp(-m)) / (1 - std::exp(-m * (i + 1)));
  return W;
}

}  // namespace

ATTN_TEST("PE and bias have shapes n×d and n×n", shape, 1) {
  expect_shape("sinusoidal_positional_encoding(5, 6)", sinusoidal_positional_encoding(5, 6), 5, 6);
  expect_shape("sinusoidal_positional_encoding(1, 2)", sinusoidal_positional_encoding(1, 2), 1, 2);
  expect_shape("alibi_bias(4, 0.5)", alibi_bias(4, 0.5f), 4, 4);
}

ATTN_TEST("alibi_slopes returns one slope in (0 1) per head", shape, 1) {
  for (int H = 1; H <= 20; ++H) {
    CAPTURE(H);
    const std::vector<float> m = alibi_slopes(H);
    REQUIRE(m.size() == static_cast<size_t>(H));
    for (const float slope : m) CHECK((slope > 0 && slope < 1));
  }
}

ATTN_TEST("attention output is n×(heads·d_v)", shape, 1) {
  const Mat Q = random_mat(5, 8, 1), K = random_mat(5, 8, 2), V = random_mat(5, 6, 3);
  expect_shape("alibi_causal_attention with 2 heads", alibi_causal_attention(Q, K, V, 2), 5, 6);
  expect_shape("alibi_causal_attention with 1 head", alibi_causal_attention(Q, K, V.leftCols(3), 1), 5, 3);
}

ATTN_TEST("PE table for n = 3 and d = 4 from the statement", numeric, 2) {
  MatD expected(3, 4);
  expected << 0, 1, 0, 1,                                                                //
      0.8414709848078965, 0.5403023058681398, 0.009999833334166664, 0.9999500004166653,  //
      0.9092974268256817, -0.4161468365471424, 0.01999866669333308, 0.9998000066665778;
  const Mat got = sinusoidal_positional_encoding(3, 4);
  if (!check_close("sinusoidal_positional_encoding(3, 4)", got, expected, kT1))
    diagnose_pe(got, {0, 1, 2}, 4, 1e4);
}

ATTN_TEST("PE with base 100 matches golden values", numeric, 2) {
  using namespace golden::pe_base100;
  const Mat got = sinusoidal_positional_encoding(50, 16, 100.f);
  if (check_close("sinusoidal_positional_encoding(50, 16, 100)", got, expected, kT1)) return;
  std::vector<int> rows(50);
  for (int p = 0; p < 50; ++p) rows[p] = p;
  if (is_close(got, pe_rows(rows, 16, 1e4, PeVariant::kInterleaved), kT1))
    FAIL_CHECK("this is the table for base 10000: use the base argument");
  else
    diagnose_pe(got, rows, 16, 100);
}

ATTN_TEST("PE rows of a 4096-position table match double-precision angles", numeric, 3) {
  using namespace golden::pe_long;
  const Mat table = sinusoidal_positional_encoding(4096, 64);
  if (!expect_shape("sinusoidal_positional_encoding(4096, 64)", table, 4096, 64)) return;
  check_pe_rows("rows 1, 1000, 2047, 3001, 4095", table, positions_of(rows), expected, 1e4);
}

ATTN_TEST("slopes for 1 2 4 and 8 heads are 2^(-8k/n)", numeric, 2) {
  for (const int H : {1, 2, 4, 8}) {
    CAPTURE(H);
    const std::vector<float> got = alibi_slopes(H);
    REQUIRE(got.size() == static_cast<size_t>(H));
    MatD expected(H, 1);
    for (int k = 1; k <= H; ++k) expected(k - 1, 0) = std::exp2(-8.0 * k / H);  // 8 heads: 1/2, 1/4, …, 1/256
    const Eigen::Map<const Mat> col(got.data(), H, 1);
    if (check_close("alibi_slopes", col, expected, kT1)) continue;
    if (H > 1 && is_close(col.colwise().reverse(), expected, kT1))
      FAIL_CHECK("the slopes are in reverse order: head 0 gets the largest slope, 2^(-8/n)");
  }
}

ATTN_TEST("slopes for 6 and 12 heads follow get_slopes", numeric, 3) {
  for (const int H : {6, 12}) {
    CAPTURE(H);
    const MatD& expected = H == 6 ? golden::slopes6::expected : golden::slopes12::expected;
    const std::vector<float> got = alibi_slopes(H);
    REQUIRE(got.size() == static_cast<size_t>(H));
    const Eigen::Map<const Mat> col(got.data(), H, 1);
    if (check_close("alibi_slopes", col, expected, kT1)) continue;
    MatD pow2(H, 1);
    for (int k = 1; k <= H; ++k) pow2(k - 1, 0) = std::exp2(-8.0 * k / H);
    if (is_close(col, pow2, kT1))
      FAIL_CHECK("2^(-8k/n) is the recipe for a power of 2 only. For "
                 << H << " heads take c = " << (H == 6 ? 4 : 8) << ": the " << (H == 6 ? 4 : 8)
                 << " slopes of c heads, then the first " << H - (H == 6 ? 4 : 8)
                 << " of every other slope of 2c heads");
  }
}

ATTN_TEST("alibi_bias for n = 4 and slope 0.5", numeric, 2) {
  const double inf = INFINITY;
  MatD expected(4, 4);
  expected << 0, -inf, -inf, -inf,  //
      -0.5, 0, -inf, -inf,          //
      -1, -0.5, 0, -inf,            //
      -1.5, -1, -0.5, 0;
  const Mat got = alibi_bias(4, 0.5f);
  if (!expect_shape("alibi_bias(4, 0.5)", got, 4, 4)) return;
  for (Index i = 0; i < 4; ++i)
    for (Index j = 0; j < 4; ++j)
      if (got(i, j) != expected(i, j)) {
        std::string why;
        if (got(i, j) == -expected(i, j))
          why = ": the sign is flipped, keys further back must cost more";
        else if (j > i)
          why = ": entries above the diagonal (future keys) must be -inf";
        FAIL_CHECK(at("alibi_bias", i, j)
                   << " expected " << num(expected(i, j)) << ", got " << num(got(i, j)) << why);
        return;
      }
}

ATTN_TEST("Q = K = 0 gives the geometric weights of the statement", numeric, 3) {
  // 8 heads (head 0 has m = 1/2), d_h = 4, n = 6; V_h = I so each output block is that head's weight matrix
  const int H = 8, n = 6, d_h = 4;
  const Mat Q = Mat::Zero(n, H * d_h);
  Mat V(n, H * n);
  for (int h = 0; h < H; ++h) V.middleCols(h * n, n) = Mat::Identity(n, n);
  const Mat got = alibi_causal_attention(Q, Q, V, H);
  if (!expect_shape("output", got, n, H * n) || !check_finite("output", got)) return;
  MatD row5(1, 6);
  row5 << 0.0339902, 0.0560404, 0.092395, 0.1523335, 0.2511555, 0.4140854;
  const bool row_ok = check_close("head 0, row 5", got.block(5, 0, 1, n), row5, Tol{1e-6, 1e-6, "7 digits"});
  bool all_ok = true;
  for (int h = 0; h < H; ++h)
    all_ok &= check_close("head " + std::to_string(h) + " weights", got.middleCols(h * n, n),
                          geometric_weights(n, std::exp2(-(h + 1.0))), kT1);
  if (row_ok && all_ok) return;
  if (got(0, 0) < 0.999f)
    FAIL_CHECK("position 0 gives weight to later keys: the bias is -inf above the diagonal (causal)");
  else if (got(5, 0) > got(5, 5))
    FAIL_CHECK("the oldest key gets the largest weight: the bias must be -m(i - j), not +m(i - j)");
  else if (is_close(got.leftCols(n), geometric_weights(n, 0.25), kT1))
    FAIL_CHECK("head 0 decays with m/2: the bias was divided by √d_h = 2. Add it after scaling q·k");
  else if (is_close(got.leftCols(n), geometric_weights(n, 1.0 / 256), kT1))
    FAIL_CHECK("head 0 has m = 1/256: the slopes are in reverse head order");
}

ATTN_TEST("4-head attention matches golden values", numeric, 3) {
  using namespace golden::attn4;
  const Mat got = alibi_causal_attention(Q, K, V, n_heads);
  if (!check_close("output", got, output, kT1)) diagnose_attention(got, Q, K, V, n_heads);
}

ATTN_TEST("6-head attention matches golden values", numeric, 3) {
  using namespace golden::attn6;
  const Mat got = alibi_causal_attention(Q, K, V, n_heads);
  if (!check_close("output", got, output, kT1)) diagnose_attention(got, Q, K, V, n_heads);
}

// Each property test checks its base case against golden values first: a table of zeros, the same row for
// every position or the mean of the values satisfies most relations.

ATTN_TEST("PE rotation property PE(p+k) = PE(p) R(k)", property, 3) {
  // each pair (sin pω, cos pω) turns by the angle kω: [sin, cos] R = [sin(p+k)ω, cos(p+k)ω] with
  // R = [[cos kω, -sin kω], [sin kω, cos kω]] — the same matrix for every p, up to p = 1023
  using namespace golden::pe_1024;
  const int n = 1024, d = 32;
  const Mat PE = sinusoidal_positional_encoding(n, d);
  if (!expect_shape("PE", PE, n, d)) return;
  if (!check_pe_rows("PE(1024, 32) rows 0, 1, 2, 500, 1023", PE, positions_of(rows), expected, 1e4)) return;
  for (const int k : {1, 7, 300}) {
    CAPTURE(k);
    MatD R = MatD::Zero(d, d);
    for (int i = 0; i < d / 2; ++i) {
      const double kw = k * std::pow(1e4, -2.0 * i / d);
      R(2 * i, 2 * i) = std::cos(kw), R(2 * i, 2 * i + 1) = -std::sin(kw);
      R(2 * i + 1, 2 * i) = std::sin(kw), R(2 * i + 1, 2 * i + 1) = std::cos(kw);
    }
    const MatD rotated = PE.topRows(n - k).cast<double>() * R;
    if (!check_close("PE rows k.. vs PE rows ..n-k times R(k)", PE.bottomRows(n - k), rotated, kT1)) {
      FAIL_CHECK(
          "shifting by k positions must rotate each (sin, cos) pair by kω_i: check the pair layout "
          "(interleaved), that both columns of a pair share ω_i, and that p·ω_i is computed in double");
      return;
    }
  }
}

ATTN_TEST("PE pairs lie on the unit circle", property, 1) {
  using namespace golden::pe_base500;
  const Mat PE = sinusoidal_positional_encoding(2000, 32, 500.f);
  if (!expect_shape("PE", PE, 2000, 32) || !check_finite("PE", PE)) return;
  if (!check_pe_rows("PE(2000, 32, 500) rows 0, 1, 50, 1999", PE, positions_of(rows), expected, 500)) return;
  MatD norms(2000, 16);
  for (Index p = 0; p < 2000; ++p)
    for (Index i = 0; i < 16; ++i)
      norms(p, i) = std::pow(double(PE(p, 2 * i)), 2) + std::pow(double(PE(p, 2 * i + 1)), 2);
  if (!check_close("sin² + cos² of each pair", norms, MatD::Ones(2000, 16), kT1))
    FAIL_CHECK("columns 2i and 2i+1 must be sin and cos of the same angle");
}

ATTN_TEST("a longer PE table starts with the shorter one", property, 1) {
  const Mat short_table = sinusoidal_positional_encoding(10, 8),
            long_table = sinusoidal_positional_encoding(300, 8);
  if (!check_close("PE(10, 8)", short_table, golden::pe_short::expected, kT1)) {
    diagnose_pe(short_table, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, 8, 1e4);
    return;
  }
  if (!expect_shape("PE(300, 8)", long_table, 300, 8)) return;
  if (!check_close("first 10 rows of PE(300, 8)", long_table.topRows(10), short_table.cast<double>(), kT1))
    FAIL_CHECK("the encoding of position p must not depend on n: ω_i depends on i and d only");
}

ATTN_TEST("the bias depends only on the distance i - j", property, 1) {
  const Mat B = alibi_bias(7, 0.3f);
  if (!expect_shape("alibi_bias(7, 0.3)", B, 7, 7)) return;
  // first column: -0.3·i; above the diagonal: -inf
  MatD first_col(7, 1);
  for (Index i = 0; i < 7; ++i) first_col(i, 0) = -0.3 * static_cast<double>(i);
  if (!check_close("column 0 of alibi_bias(7, 0.3)", B.col(0), first_col, kT1)) {
    if (B(6, 0) > 0) FAIL_CHECK("the sign is flipped: B(i, j) = -m·(i - j), keys further back cost more");
    return;
  }
  for (Index i = 0; i < 7; ++i)
    for (Index j = i + 1; j < 7; ++j)
      if (B(i, j) != -INFINITY) {
        FAIL_CHECK(at("alibi_bias", i, j) << " = " << num(B(i, j)) << ": future keys (j > i) must be -inf");
        return;
      }
  for (Index i = 0; i + 1 < 7; ++i)
    for (Index j = 0; j + 1 < 7; ++j)
      if (B(i + 1, j + 1) != B(i, j)) {
        FAIL_CHECK("B(" << i + 1 << ", " << j + 1 << ") = " << num(B(i + 1, j + 1)) << " but B(" << i << ", "
                        << j << ") = " << num(B(i, j)) << ": both pairs are " << i - j << " apart");
        return;
      }
}

ATTN_TEST("changing future keys and values changes nothing", property, 3) {
  using namespace golden::causal8;  // n = 8, 2 heads, d_h = 3, d_v = 2
  const Mat base = alibi_causal_attention(Q, K, V, n_heads);
  if (!check_close("output", base, output, kT1)) {
    diagnose_attention(base, Q, K, V, n_heads);
    return;
  }
  for (const int t : {0, 2, 5}) {
    CAPTURE(t);
    Mat Q2 = Q, K2 = K, V2 = V;
    const Index later = Q.rows() - t - 1;
    Q2.bottomRows(later) = random_mat(later, 6, 21 + t), K2.bottomRows(later) = random_mat(later, 6, 31 + t);
    V2.bottomRows(later) = random_mat(later, 4, 41 + t);
    const Mat got = alibi_causal_attention(Q2, K2, V2, n_heads);
    if (!expect_shape("output", got, Q.rows(), V.cols())) return;
    if (!check_close("output rows 0..t after changing rows t+1..", got.topRows(t + 1), output.topRows(t + 1),
                     kT1)) {
      FAIL_CHECK((t == 0 ? "position 0 has a single allowed key, itself: its output is V row 0 in every head"
                         : "query i must see keys 0..i only: the causal mask is missing"));
      return;
    }
  }
}

ATTN_TEST("heads are independent", property, 2) {
  using namespace golden::heads3;  // n = 6, 3 heads, d_h = 3, d_v = 2
  const Mat base = alibi_causal_attention(Q, K, V, n_heads);
  if (!check_close("output", base, output, kT1)) {
    diagnose_attention(base, Q, K, V, n_heads);
    return;
  }
  Mat Q2 = Q, K2 = K, V2 = V;
  Q2.middleCols(3, 3) *= 5, K2.middleCols(3, 3) = random_mat(6, 3, 54), V2.middleCols(2, 2).setConstant(7);
  const Mat got = alibi_causal_attention(Q2, K2, V2, n_heads);
  if (!expect_shape("output", got, 6, 6)) return;
  const bool head0 = check_close("head 0 after changing head 1", got.leftCols(2), output.leftCols(2), kT1);
  const bool head2 = check_close("head 2 after changing head 1", got.rightCols(2), output.rightCols(2), kT1);
  if (!head0 || !head2)
    FAIL_CHECK("head h reads only its own columns: [h·d_h, (h+1)·d_h) of Q and K, [h·d_v, (h+1)·d_v) of V");
}

ATTN_TEST("a 4096-token sequence needs no position table and gives no NaN", edge, 2) {
  // Q = K = 0 and 2 heads (m = 1/16, 1/256); V_h = [1, j/n]: output = [1, (i - E[i - j])/n] per head
  const int n = 4096, H = 2;
  const Mat Q = Mat::Zero(n, H * 2);
  Mat V(n, H * 2);
  for (Index j = 0; j < n; ++j) V.row(j) << 1.f, float(j) / n, 1.f, float(j) / n;
  const Mat got = alibi_causal_attention(Q, Q, V, H);
  if (!expect_shape("output", got, n, H * 2)) return;
  if (!check_finite("output", got)) {
    FAIL_CHECK(
        "ALiBi must work at any length: -m(i - j) reaches -256 here, exp(-256) is 0 in float32 and "
        "that is fine, but -inf - (-inf) or 0·inf is NaN");
    return;
  }
  MatD expected(n, H * 2);
  for (int h = 0; h < H; ++h) {
    const double r = std::exp(-std::exp2(-4.0 * (h + 1)));
    for (Index i = 0; i < n; ++i) {
      const double mean_distance = r / (1 - r) - (i + 1) * std::pow(r, i + 1) / (1 - std::pow(r, i + 1));
      expected(i, 2 * h) = 1, expected(i, 2 * h + 1) = (i - mean_distance) / n;
    }
  }
  // with the sign flipped the last query looks at the oldest keys: (E[j])/n is near 0 instead of near 1
  if (!check_close("output", got, expected, kT1) && got(n - 1, 1) < 0.1)
    FAIL_CHECK("the last query averages the oldest positions: the bias sign is flipped");
}

ATTN_TEST("scores far beyond 88 stay finite and match golden values", edge, 2) {
  using namespace golden::attn_large;
  const Mat got = alibi_causal_attention(Q, K, V, n_heads);
  if (!check_finite("output", got)) {
    FAIL_CHECK(
        "scores here reach thousands, far above 88 where float32 exp overflows: subtract each row's maximum "
        "first");
    return;
  }
  if (!check_close("output", got, output, kT1)) diagnose_attention(got, Q, K, V, n_heads);
}

ATTN_TEST("NaN in future keys and values does not leak", edge, 2) {
  using namespace golden::attn6;  // n = 9, 6 heads
  Mat K2 = K, V2 = V;
  K2.bottomRows(4).setConstant(NAN), V2.bottomRows(4).setConstant(NAN);
  const Mat dirty = alibi_causal_attention(Q, K2, V2, n_heads);
  if (!expect_shape("output", dirty, 9, V.cols())) return;
  if (!check_finite("output rows 0..4 with NaN in rows 5..8 of K and V", dirty.topRows(5))) {
    FAIL_CHECK("row i must read only keys 0..i: NaN + (-inf) is NaN, and 0·NaN in weights·V is NaN too");
    return;
  }
  check_close("output rows 0..4", dirty.topRows(5), output.topRows(5), kT1);
}

ATTN_TEST("odd d and other bad PE arguments throw std::invalid_argument", edge, 1) {
  CHECK_THROWS_AS(sinusoidal_positional_encoding(4, 5), std::invalid_argument);
  CHECK_THROWS_AS(sinusoidal_positional_encoding(4, 0), std::invalid_argument);
  CHECK_THROWS_AS(sinusoidal_positional_encoding(4, -2), std::invalid_argument);
  CHECK_THROWS_AS(sinusoidal_positional_encoding(-1, 4), std::invalid_argument);
  // base must be a finite number > 0
  CHECK_THROWS_AS(sinusoidal_positional_encoding(4, 4, 0.f), std::invalid_argument);
  CHECK_THROWS_AS(sinusoidal_positional_encoding(4, 4, -100.f), std::invalid_argument);
  CHECK_THROWS_AS(sinusoidal_positional_encoding(4, 4, INFINITY), std::invalid_argument);
  CHECK_THROWS_AS(sinusoidal_positional_encoding(4, 4, -INFINITY), std::invalid_argument);
  CHECK_THROWS_AS(sinusoidal_positional_encoding(4, 4, NAN), std::invalid_argument);
}

ATTN_TEST("columns not divisible by heads throw std::invalid_argument", edge, 2) {
  const Mat Q = random_mat(5, 12, 81), V = random_mat(5, 8, 82);
  CHECK_THROWS_AS(alibi_causal_attention(Q, Q, V, 5), std::invalid_argument);              // 12 % 5
  CHECK_THROWS_AS(alibi_causal_attention(Q, Q, V.leftCols(6), 4), std::invalid_argument);  // V: 6 % 4
  CHECK_THROWS_AS(alibi_causal_attention(Q, Q.leftCols(8), V, 4), std::invalid_argument);  // K narrower
  CHECK_THROWS_AS(alibi_causal_attention(Q, Q.topRows(4), V, 4), std::invalid_argument);   // K shorter
  CHECK_THROWS_AS(alibi_causal_attention(Q, Q, V.topRows(4), 4), std::invalid_argument);   // V shorter
  const Mat no_cols(5, 0);
  CHECK_THROWS_AS(alibi_causal_attention(no_cols, no_cols, V, 4), std::invalid_argument);  // d_h = 0
  CHECK_THROWS_AS(alibi_causal_attention(Q, Q, V, 0), std::invalid_argument);
}

ATTN_TEST("bad head counts and bias arguments throw std::invalid_argument", edge, 1) {
  CHECK_THROWS_AS(alibi_slopes(0), std::invalid_argument);
  CHECK_THROWS_AS(alibi_slopes(-3), std::invalid_argument);
  CHECK_THROWS_AS(alibi_bias(-1, 0.5f), std::invalid_argument);
  CHECK_THROWS_AS(alibi_bias(3, NAN), std::invalid_argument);
  CHECK_THROWS_AS(alibi_bias(3, INFINITY), std::invalid_argument);
  CHECK_THROWS_AS(alibi_bias(3, -INFINITY), std::invalid_argument);
}

ATTN_TEST("n = 0 gives empty results and n = 2 matches golden values", edge, 1) {
  expect_shape("sinusoidal_positional_encoding(0, 4)", sinusoidal_positional_encoding(0, 4), 0, 4);
  expect_shape("alibi_bias(0, 0.5)", alibi_bias(0, 0.5f), 0, 0);
  expect_shape("alibi_causal_attention of 0 rows", alibi_causal_attention(Mat(0, 4), Mat(0, 4), Mat(0, 6), 2),
               0, 6);
  // the smallest non-empty sequence beside it
  using namespace golden::two;  // n = 2, 2 heads
  check_close("alibi_causal_attention of 2 rows", alibi_causal_attention(Q, K, V, n_heads), output, kT1);
}
