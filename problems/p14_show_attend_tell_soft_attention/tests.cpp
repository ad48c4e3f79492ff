// p14 show_attend_tell_soft_attention — graded tests. Golden values: tools/golden/p14.py (torch on the
// NCHW map, cross-checked with a numpy loop over the flattened locations).
#include <attnkata/graded.h>

#include <cmath>
#include <limits>
#include <string>
#include <tuple>
#include <vector>

#include "golden.inc"
#include "show_attend_tell_soft_attention.h"

using namespace attn;
using namespace attn::check;

namespace {

using VecD = Eigen::VectorXd;
using RowVecD = Eigen::RowVectorXd;

// A golden case's inputs as the function takes them (w_beta, v are stored as columns, b and h_prev as rows).
SatParams params_of(const Mat& Wa, const Mat& Wh, const Mat& b, const Mat& v, const Mat& w_beta,
                    float b_beta) {
  return {Wa, Wh, b.row(0), v.col(0), w_beta.col(0), b_beta};
}
#define GOLDEN_PARAMS(ns) params_of(ns::Wa, ns::Wh, ns::b, ns::v, ns::w_beta, ns::b_beta)

MatD as_col(const VecD& x) {
  return x;
}
MatD scalar(double x) {
  return MatD::Constant(1, 1, x);
}

// ---- diagnosis only, never a golden value: the classic wrong formulas, in double ----

VecD softmax(const VecD& e) {
  const VecD z = (e.array() - e.maxCoeff()).exp().matrix();
  return z / z.sum();
}

// e_i = v · f(a_i Wa + state_term), with the state term and the tanh switchable
VecD scores(const Mat& A, const Mat& h_prev, const SatParams& p, bool with_state, bool with_tanh) {
  MatD pre = A.cast<double>() * p.Wa.cast<double>();
  RowVecD state = p.b.cast<double>();
  if (with_state) state += h_prev.cast<double>() * p.Wh.cast<double>();
  pre.rowwise() += state;
  if (with_tanh) pre = pre.array().tanh().matrix();
  return pre * p.v.cast<double>();
}

// Name the classic mistakes when a golden attention check fails; returns whether one was named.
bool diagnose_step(const SatStep& got, const Mat& A, const Mat& h_prev, const SatParams& p, double beta,
                   const MatD& context) {
  bool named = false;
  auto name = [&](const std::string& mistake) {
    FAIL_CHECK(mistake);
    named = true;
  };
  const Index L = A.rows();
  if (got.alpha.size() == L && L > 1) {
    const double sum = got.alpha.cast<double>().sum();
    if (std::abs(sum - 1) > 1e-3)
      name("alpha sums to " + num(sum) +
           ": it must be a softmax over the L locations (exp, then divide by the sum)");
    else if (is_close(got.alpha, as_col(softmax(scores(A, h_prev, p, true, false))), kT1))
      name(
          "alpha is the softmax of v · (a_i Wa + h_prev Wh + b): the tanh is missing, so the decoder "
          "state's term is the same for every location, cancels in the softmax, and attention never moves");
    else if (is_close(got.alpha, as_col(softmax(scores(A, h_prev, p, false, true))), kT1))
      name("alpha ignores h_prev: the hidden layer is tanh(a_i Wa + h_prev Wh + b)");
    else if (is_close(got.alpha, MatD::Constant(L, 1, 1.0 / static_cast<double>(L)), kT1))
      name("alpha is uniform over the locations: score each location with v · tanh(a_i Wa + h_prev Wh + b)");
  }
  if (got.context.size() == context.size() && std::abs(beta - 1) > 1e-3) {
    if (is_close(got.context, context / beta, kT1))
      name(
          "the context is Σ alpha_i a_i without the gate: multiply it by beta = σ(h_prev · w_beta + b_beta)");
    else if (is_close(got.context, beta * A.cast<double>().colwise().mean(), kT1) && L > 1)
      name("the context is beta times the plain mean annotation: weigh row i by alpha_i");
  }
  const double gate = h_prev.cast<double>().row(0).dot(p.w_beta.cast<double>()) + p.b_beta;
  if (std::abs(got.beta - (1 - beta)) < 1e-5 && std::abs(beta - 0.5) > 1e-3)
    name("beta is σ(−z): the gate is σ(h_prev · w_beta + b_beta) = 1 / (1 + exp(−z))");
  else if (std::abs(got.beta - gate) < 1e-5 && std::abs(gate - beta) > 1e-3)
    name("beta is the raw gate logit z: apply the sigmoid, beta = σ(z)");
  return named;
}

// Check one attention step against golden values (T1), and diagnose if it is off.
bool check_step(const SatStep& got, const Mat& A, const Mat& h_prev, const SatParams& p, const MatD& alpha,
                double beta, const MatD& context) {
  if (!expect_shape("alpha", got.alpha, alpha.rows(), 1) ||
      !expect_shape("context", got.context, 1, context.cols()))
    return false;
  const bool finite = check_finite("alpha", got.alpha) & check_finite("context", got.context) &
                      check_finite("beta", scalar(got.beta));
  if (!finite) return false;
  const bool ok = check_close("alpha", got.alpha, alpha, kT1) & check_close("beta", got.beta, beta, kT1) &
                  check_close("context", got.context, context, kT1);
  if (!ok) diagnose_step(got, A, h_prev, p, beta, context);
  return ok;
}

// λ Σ_i (1 − Σ_t alphas(t, i))² and its classic misreadings, in double
double penalty_of(const MatD& alphas, double lambda) {
  return lambda * (1.0 - alphas.colwise().sum().array()).square().sum();
}

bool diagnose_penalty(double got, const MatD& alphas, double lambda) {
  const double expected = penalty_of(alphas, lambda);
  const double L = static_cast<double>(alphas.cols());
  auto near = [&](double x) { return std::abs(got - x) <= 1e-5 + 1e-4 * std::abs(x); };
  std::string mistake;
  if (L > 1 && near(expected / L))
    mistake =
        "that is the mean over the L locations, as in arctic-captions' .mean() and many PyTorch ports; "
        "the paper's eq. (14), which this problem follows, sums over them: λ Σ_i (1 − Σ_t α_ti)²";
  else if (near(lambda * (1.0 - alphas.rowwise().sum().array()).square().sum()))
    mistake =
        "the sums run over the locations of each step: every row of alphas sums to 1, so that penalty "
        "is always ~0. Sum each location's column over the T steps, then square 1 minus it";
  else if (near(lambda * (1.0 - alphas.colwise().sum().array()).sum()))
    mistake = "(1 − Σ_t α_ti) is not squared";
  else if (near(lambda * (1.0 - alphas.colwise().sum().array()).abs().sum()))
    mistake = "|1 − Σ_t α_ti| is used instead of its square";
  else if (lambda != 1 && near(expected / lambda))
    mistake = "λ is not applied";
  else if (alphas.rows() > 1 && near(lambda * (1.0 - alphas.colwise().mean().array()).square().sum()))
    mistake = "alpha is averaged over the steps instead of summed: Σ_t α_ti";
  if (mistake.empty()) return false;
  FAIL_CHECK(mistake);
  return true;
}

bool check_penalty(float got, const MatD& alphas, double lambda, double expected, const std::string& what) {
  if (check_close(what, got, expected, kT1)) return true;
  diagnose_penalty(got, alphas, lambda);
  return false;
}

bool check_init(const RowVec& got, const Mat& A, const Mat& W_init, const Mat& b_init, const MatD& expected) {
  if (!check_finite("h0", got) || !check_close("h0", got, expected, kT1)) {
    if (got.size() != expected.cols()) return false;
    const RowVecD sum = A.cast<double>().colwise().sum();
    const MatD W = W_init.cast<double>(), b = b_init.cast<double>();
    const double L = static_cast<double>(A.rows());
    if (L > 1 && is_close(got, ((sum * W + b).array().tanh()).matrix(), kT1))
      FAIL_CHECK("that is tanh(Σ_i a_i W_init + b_init): the paper feeds the mean annotation, (1/L) Σ_i a_i");
    else if (is_close(got, (sum / L) * W + b, kT1))
      FAIL_CHECK("the tanh is missing: h0 = tanh(mean W_init + b_init)");
    else if (is_close(got, ((sum / L) * W).array().tanh().matrix(), kT1))
      FAIL_CHECK("b_init is missing: h0 = tanh(mean W_init + b_init)");
    return false;
  }
  return true;
}

// alpha's map against the expected one (exact when alpha is an exact input); names the column-major mistake.
bool check_map(const Mat& got, const Vec& alpha, const MatD& expected, Tol tol = Tol{0, 0, "exact"}) {
  if (!expect_shape("attention map", got, expected.rows(), expected.cols())) return false;
  if (check_close("attention map", got, expected, tol)) return true;
  const Index H = expected.rows(), W = expected.cols();
  MatD column_major(H, W);
  for (Index h = 0; h < H; ++h)
    for (Index w = 0; w < W; ++w) column_major(h, w) = alpha(w * H + h);
  if (is_close(got, column_major, tol))
    FAIL_CHECK(
        "the map was filled column by column (map(h, w) = alpha(w·H + h)), as Eigen's reshaped() does "
        "by default: location (h, w) is row h·W + w, so fill row by row (reshaped<Eigen::RowMajor>() or "
        "two loops)");
  return false;
}

Vec iota(Index n) {
  Vec x(n);
  for (Index i = 0; i < n; ++i) x(i) = static_cast<float>(i);
  return x;
}

// A permutation of 0..n-1 with no fixed structure: i -> (i * step + 3) mod n, step coprime to n.
std::vector<int> shuffled(int n, int step) {
  std::vector<int> order(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) order[static_cast<size_t>(i)] = (i * step + 3) % n;
  return order;
}

SatParams random_params(Index D, Index n, Index k) {
  return {Mat::Random(D, k), Mat::Random(n, k), RowVec::Random(k), Vec::Random(k), Vec::Random(n), 0.1f};
}

}  // namespace

ATTN_TEST("sat_soft_attention returns a 1×D context and one alpha per location", shape, 1) {
  const Mat A = Mat::Random(6, 5);
  const SatStep got = sat_soft_attention(A, RowVec::Random(4), random_params(5, 4, 3));
  expect_shape("context", got.context, 1, 5);
  expect_shape("alpha", got.alpha, 6, 1);
}

ATTN_TEST("sat_init_state returns a 1×n row and sat_attention_map an H×W grid", shape, 1) {
  expect_shape("h0", sat_init_state(Mat::Random(6, 5), Mat::Random(5, 4), RowVec::Random(4)), 1, 4);
  expect_shape("attention map", sat_attention_map(Vec::Random(6), 2, 3), 2, 3);
  expect_shape("attention map", sat_attention_map(Vec::Random(6), 3, 2), 3, 2);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  namespace G = golden::worked;  // alpha [0.0788583 0.3617095 0.5422398 0.0171924], beta 0.6224593
  const SatParams p = GOLDEN_PARAMS(G);
  const SatStep got = sat_soft_attention(G::annotations, G::h_prev.row(0), p);
  if (check_step(got, G::annotations, G::h_prev, p, G::alpha, G::beta, G::context))
    check_map(sat_attention_map(got.alpha, 2, 2), got.alpha, G::alpha_map, kT1);
  check_init(sat_init_state(G::annotations, G::W_init, G::b_init.row(0)), G::annotations, G::W_init,
             G::b_init, G::h0);
}

ATTN_TEST("random soft attention on a 2×3 map matches golden values", numeric, 2) {
  namespace G = golden::random;
  const SatParams p = GOLDEN_PARAMS(G);
  check_step(sat_soft_attention(G::annotations, G::h_prev.row(0), p), G::annotations, G::h_prev, p, G::alpha,
             G::beta, G::context);
}

ATTN_TEST("the initial state tanh of the mean annotation matches golden values", numeric, 2) {
  for (const auto& [name, A, W_init, b_init, h0] :
       {std::tuple{"2×3 map", golden::random::annotations, golden::random::W_init, golden::random::b_init,
                   golden::random::h0},
        std::tuple{"7×7 map", golden::grid::annotations, golden::grid::W_init, golden::grid::b_init,
                   golden::grid::h0}}) {
    CAPTURE(std::string(name));
    check_init(sat_init_state(A, W_init, b_init.row(0)), A, W_init, b_init, h0);
  }
}

ATTN_TEST("a 7×7 grid with D = 32 stays within T1", numeric, 1) {
  namespace G = golden::grid;
  const SatParams p = GOLDEN_PARAMS(G);
  const SatStep got = sat_soft_attention(G::annotations, G::h_prev.row(0), p);
  if (check_step(got, G::annotations, G::h_prev, p, G::alpha, G::beta, G::context))
    check_map(sat_attention_map(got.alpha, G::height, G::width), got.alpha, G::alpha_map, kT1);
}

ATTN_TEST("scores beyond 88 and a saturated gate stay finite and match golden values", numeric, 2) {
  namespace G = golden::saturated;  // every score > 88 and the gate logit is above 88
  const SatParams p = GOLDEN_PARAMS(G);
  const SatStep got = sat_soft_attention(G::annotations, G::h_prev.row(0), p);
  if (!std::isfinite(got.beta))
    FAIL_CHECK("beta is " << num(got.beta)
                          << ": the gate logit here is above 88, and exp(z) / (1 + exp(z)) is inf / inf. "
                             "Use 1 / (1 + exp(−z)), which only overflows to 1 / inf = 0 on the other side");
  if (got.alpha.size() == G::alpha.rows() && !got.alpha.allFinite())
    FAIL_CHECK(
        "alpha is not finite: every score here exceeds 88, where float32 exp overflows. Subtract the maximum "
        "score before exponentiating (softmax does not change)");
  check_step(got, G::annotations, G::h_prev, p, G::alpha, G::beta, G::context);
}

ATTN_TEST("doubly stochastic penalty matches golden values", numeric, 2) {
  namespace G = golden::penalty;  // T = 7 steps, L = 12 locations, λ = 0.3
  check_penalty(doubly_stochastic_penalty(G::alphas, G::lambda), G::alphas.cast<double>(), G::lambda,
                G::penalty, "penalty");
}

ATTN_TEST("five decoding steps give the golden alphas and contexts and their penalty", numeric, 2) {
  namespace G = golden::sequence;  // row t of states is h_{t-1}; λ = 0.5
  const SatParams p = GOLDEN_PARAMS(G);
  const Index T = G::states.rows();
  Mat alphas(T, G::annotations.rows());
  for (Index t = 0; t < T; ++t) {
    CAPTURE(t);
    const SatStep got = sat_soft_attention(G::annotations, G::states.row(t), p);
    if (!check_step(got, G::annotations, G::states.row(t), p, G::alphas.row(t).transpose(), G::betas(t),
                    G::contexts.row(t)))
      return;
    alphas.row(t) = got.alpha.transpose();
  }
  // the penalty of the T alphas this function produced, against the golden penalty of the golden alphas
  check_penalty(doubly_stochastic_penalty(alphas, G::lambda), G::alphas, G::lambda, G::penalty,
                "penalty of the five steps");
}

ATTN_TEST("alpha sums to 1 and is the golden alpha", property, 1) {
  for (const auto& [name, A, h_prev, p, alpha] :
       {std::tuple{"7×7 map", golden::grid::annotations, golden::grid::h_prev, GOLDEN_PARAMS(golden::grid),
                   golden::grid::alpha},
        std::tuple{"scores beyond 88", golden::saturated::annotations, golden::saturated::h_prev,
                   GOLDEN_PARAMS(golden::saturated), golden::saturated::alpha}}) {
    CAPTURE(std::string(name));
    const SatStep got = sat_soft_attention(A, h_prev.row(0), p);
    if (!expect_shape("alpha", got.alpha, alpha.rows(), 1)) continue;
    // the sum alone holds for any distribution (uniform weights too): alpha must also be the right one
    if (!check_rows_sum_to("alpha (as one row)", got.alpha.transpose()) && !got.alpha.allFinite())
      FAIL_CHECK(
          "alpha is not finite: exp of a score above 88 overflows float32; subtract the maximum score first");
    check_close("alpha", got.alpha, alpha, kT1);
  }
}

ATTN_TEST("beta stays within [0 1] when its gate saturates and equals the sigmoid of the gate", property, 2) {
  namespace G = golden::random;
  check_close("beta of the golden 2×3 case",
              sat_soft_attention(G::annotations, G::h_prev.row(0), GOLDEN_PARAMS(G)).beta, G::beta, kT1);
  // n = 1, w_beta = [1], b_beta = 0: the gate logit is h_prev itself
  const SatParams p{Mat::Random(2, 3), Mat::Random(1, 3), RowVec::Random(3),
                    Vec::Random(3),    Vec::Ones(1),      0.f};
  const Mat A = Mat::Random(4, 2);
  for (const float z : {0.5f, -3.f, 30.f, -30.f, 120.f, -120.f}) {
    CAPTURE(z);
    const float beta = sat_soft_attention(A, RowVec::Constant(1, z), p).beta;
    if (!std::isfinite(beta)) {
      FAIL_CHECK("beta is " << num(beta) << " for the gate logit " << num(z)
                            << ": exp overflows float32 beyond 88; compute σ(z) as 1 / (1 + exp(−z))");
      continue;
    }
    if (!(beta >= 0.f && beta <= 1.f))
      FAIL_CHECK("beta = " << num(beta) << " is outside [0, 1]: beta is a sigmoid, σ(z) = 1 / (1 + exp(−z))");
    check_close("beta", beta, 1 / (1 + std::exp(-static_cast<double>(z))), kT1);
  }
}

ATTN_TEST("Wa = Wh = 0 gives uniform alpha and a context of beta times the mean annotation", property, 2) {
  namespace G = golden::random;
  SatParams p = GOLDEN_PARAMS(G);
  if (!check_step(sat_soft_attention(G::annotations, G::h_prev.row(0), p), G::annotations, G::h_prev, p,
                  G::alpha, G::beta, G::context))
    return;
  // every score is v · tanh(b): the same for every location
  p.Wa.setZero();
  p.Wh.setZero();
  const SatStep got = sat_soft_attention(G::annotations, G::h_prev.row(0), p);
  const Index L = G::annotations.rows();
  check_close("alpha with Wa = Wh = 0", got.alpha, MatD::Constant(L, 1, 1.0 / static_cast<double>(L)), kT1);
  const RowVecD mean = G::annotations.cast<double>().colwise().mean();
  if (!check_close("context with Wa = Wh = 0", got.context, G::beta * mean, kT1) &&
      is_close(got.context, mean, kT1))
    FAIL_CHECK("that is the mean annotation without the gate: the context is beta · Σ alpha_i a_i");
}

ATTN_TEST("permuting locations permutes alpha and leaves the context unchanged", property, 2) {
  namespace G = golden::grid;
  const SatParams p = GOLDEN_PARAMS(G);
  if (!check_step(sat_soft_attention(G::annotations, G::h_prev.row(0), p), G::annotations, G::h_prev, p,
                  G::alpha, G::beta, G::context))
    return;
  const std::vector<int> order =
      shuffled(static_cast<int>(G::annotations.rows()), 17);  // row i is old order[i]
  const SatStep got = sat_soft_attention(rows_in_order(G::annotations, order), G::h_prev.row(0), p);
  check_close("alpha of the permuted locations", got.alpha, rows_in_order(G::alpha, order), kT1);
  check_close("context of the permuted locations", got.context, G::context, kT1);
}

ATTN_TEST("the attention map puts alpha of row h·W + w at row h and column w", property, 2) {
  // alpha(p) = p on a 2×3 grid: the map must read [[0 1 2] [3 4 5]]
  const Vec positions = iota(6);
  check_map(sat_attention_map(positions, 2, 3), positions, MatD{{0, 1, 2}, {3, 4, 5}});
  check_map(sat_attention_map(positions, 3, 2), positions, MatD{{0, 1}, {2, 3}, {4, 5}});
  // golden alphas, laid out by the generator on the NCHW grid itself
  const Vec grid_alpha = golden::grid::alpha.cast<float>().col(0);
  check_map(sat_attention_map(grid_alpha, 7, 7), grid_alpha,
            golden::grid::alpha_map.cast<float>().cast<double>());
  const Vec wide_alpha = golden::saturated::alpha.cast<float>().col(0);
  check_map(sat_attention_map(wide_alpha, 2, 4), wide_alpha,
            golden::saturated::alpha_map.cast<float>().cast<double>());
}

ATTN_TEST("the penalty is 0 for one location per step and λL(1 − T/L)² for uniform alpha", property, 2) {
  // T = L = 4 steps, step t all on location t: every column sums to 1
  check_penalty(doubly_stochastic_penalty(Mat::Identity(4, 4), 0.7f), MatD::Identity(4, 4), 0.7f, 0.0,
                "penalty of one-hot steps");
  // uniform alpha: every column sums to T/L. L = 4, T = 2, λ = 1: 4 · (1 − 1/2)² = 1
  check_penalty(doubly_stochastic_penalty(Mat::Constant(2, 4, 0.25f), 1.f), MatD::Constant(2, 4, 0.25), 1.0,
                1.0, "penalty of uniform alpha, L = 4, T = 2");
  // L = 196 (14×14), T = 20, λ = 1: 196 · (1 − 20/196)² = 176² / 196
  const float a = 1.f / 196.f;
  check_penalty(doubly_stochastic_penalty(Mat::Constant(20, 196, a), 1.f), MatD::Constant(20, 196, a), 1.0,
                196.0 * std::pow(1.0 - 20.0 * a, 2), "penalty of uniform alpha, L = 196, T = 20");
}

ATTN_TEST("permuting locations leaves the initial state unchanged", property, 1) {
  namespace G = golden::grid;
  if (!check_init(sat_init_state(G::annotations, G::W_init, G::b_init.row(0)), G::annotations, G::W_init,
                  G::b_init, G::h0))
    return;
  const Mat permuted = rows_in_order(G::annotations, shuffled(static_cast<int>(G::annotations.rows()), 10));
  check_close("h0 of the permuted locations", sat_init_state(permuted, G::W_init, G::b_init.row(0)), G::h0,
              kT1);
}

ATTN_TEST("an empty annotation set gives an empty alpha and a zero context", edge, 1) {
  namespace G = golden::random;
  const SatStep got = sat_soft_attention(Mat(0, G::annotations.cols()), G::h_prev.row(0), GOLDEN_PARAMS(G));
  if (!expect_shape("alpha", got.alpha, 0, 1) ||
      !expect_shape("context", got.context, 1, G::annotations.cols()))
    return;
  if (!check_finite("context", got.context)) {
    FAIL_CHECK("with no location the softmax has nothing to normalise: return a zero context, not 0/0");
    return;
  }
  check_close("context", got.context, MatD::Zero(1, G::annotations.cols()), Tol{0, 0, "exact"});
  // beta depends on h_prev alone: the golden beta
  check_close("beta", got.beta, G::beta, kT1);
}

ATTN_TEST("a single location gets alpha = 1 and context beta times its annotation", edge, 1) {
  namespace G = golden::random;
  const Mat one = G::annotations.topRows(1);
  const SatStep got = sat_soft_attention(one, G::h_prev.row(0), GOLDEN_PARAMS(G));
  check_close("alpha", got.alpha, MatD::Ones(1, 1), kT1);
  check_close("beta", got.beta, G::beta, kT1);
  check_close("context", got.context, G::beta * one.cast<double>(), kT1);
}

ATTN_TEST("scores all near −100 still give a distribution", edge, 1) {
  // D = n = k = 1, Wa = [1], Wh = [0], b = [0], v = [110]: e_i = 110 tanh(a_i), all between −110 and −106,
  // where float32 exp underflows to 0 for every location (0/0) unless the largest score is subtracted first
  const SatParams p{Mat::Ones(1, 1),         Mat::Zero(1, 1), RowVec::Zero(1),
                    Vec::Constant(1, 110.f), Vec::Ones(1),    0.f};
  const Mat A{{-3.f}, {-2.5f}, {-2.f}};
  VecD e(3);
  for (Index i = 0; i < 3; ++i) e(i) = 110 * std::tanh(static_cast<double>(A(i, 0)));
  const VecD alpha = softmax(e);
  const double beta = 1 / (1 + std::exp(-0.5));  // the gate logit is h_prev = 0.5
  const SatStep got = sat_soft_attention(A, RowVec::Constant(1, 0.5f), p);
  if (got.alpha.size() == 3 && !got.alpha.allFinite())
    FAIL_CHECK(
        "alpha is not finite: exp of scores near −106 .. −110 underflows to 0 for every location in "
        "float32, and 0/0 is NaN. Subtract the largest score first: its exponent is then 0 and the sum "
        "at least 1");
  check_close("alpha", got.alpha, as_col(alpha), kT1);
  check_close("context", got.context, MatD::Constant(1, 1, beta * alpha.dot(A.col(0).cast<double>())), kT1);
}

ATTN_TEST("the penalty with no steps is λL and with no locations 0", edge, 1) {
  namespace G = golden::penalty;
  check_penalty(doubly_stochastic_penalty(G::alphas, G::lambda), G::alphas.cast<double>(), G::lambda,
                G::penalty, "penalty of the golden alphas");
  // T = 0: nothing attended anywhere, each of the L = 5 locations adds (1 − 0)²
  check_close("penalty with T = 0, L = 5, λ = 0.5", doubly_stochastic_penalty(Mat(0, 5), 0.5f), 2.5, kT1);
  check_close("penalty with L = 0", doubly_stochastic_penalty(Mat(3, 0), 0.5f), 0.0, kT1);
}

ATTN_TEST("mismatched attention parameters throw std::invalid_argument", edge, 2) {
  const Index D = 5, n = 4, k = 3;
  const Mat A = Mat::Random(6, D);
  const RowVec h = RowVec::Random(n);
  const SatParams good = random_params(D, n, k);
  CHECK_NOTHROW(sat_soft_attention(A, h, good));
  const auto throws = [&](const char* why, const SatParams& p) {
    INFO(std::string(why));
    CHECK_THROWS_AS(sat_soft_attention(A, h, p), std::invalid_argument);
  };
  SatParams p = good;
  p.Wa = Mat::Random(D + 1, k);
  throws("Wa.rows() must equal the annotation width D", p);
  p = good, p.Wa = Mat::Random(D, k + 1);
  throws("Wa must have k = v.size() columns", p);
  p = good, p.Wh = Mat::Random(n + 1, k);
  throws("Wh.rows() must equal h_prev.size()", p);
  p = good, p.Wh = Mat::Random(n, k - 1);
  throws("Wh must have k = v.size() columns", p);
  p = good, p.b = RowVec::Random(k + 1);
  throws("b needs k = v.size() entries", p);
  p = good, p.v = Vec::Random(k + 1);
  throws("v.size() must equal the columns of Wa and Wh", p);
  p = good, p.w_beta = Vec::Random(n - 1);
  throws("w_beta needs h_prev.size() entries", p);
}

ATTN_TEST("sat_init_state rejects mismatched shapes and an empty annotation set", edge, 1) {
  const Mat A = Mat::Random(6, 5);
  CHECK_NOTHROW(sat_init_state(A, Mat::Random(5, 4), RowVec::Random(4)));
  CHECK_THROWS_AS(sat_init_state(A, Mat::Random(4, 4), RowVec::Random(4)), std::invalid_argument);
  CHECK_THROWS_AS(sat_init_state(A, Mat::Random(5, 4), RowVec::Random(3)), std::invalid_argument);
  INFO("the mean of no annotations is undefined");
  CHECK_THROWS_AS(sat_init_state(Mat(0, 5), Mat::Random(5, 4), RowVec::Random(4)), std::invalid_argument);
}

ATTN_TEST("a negative or non-finite λ throws std::invalid_argument", edge, 1) {
  const Mat alphas = Mat::Constant(2, 4, 0.25f);
  CHECK_NOTHROW(doubly_stochastic_penalty(alphas, 0.f));
  CHECK_THROWS_AS(doubly_stochastic_penalty(alphas, -0.1f), std::invalid_argument);
  CHECK_THROWS_AS(doubly_stochastic_penalty(alphas, std::numeric_limits<float>::quiet_NaN()),
                  std::invalid_argument);
  CHECK_THROWS_AS(doubly_stochastic_penalty(alphas, std::numeric_limits<float>::infinity()),
                  std::invalid_argument);
}

ATTN_TEST("a grid whose H·W is not L throws std::invalid_argument", edge, 1) {
  const Vec alpha = Vec::Constant(6, 1.f / 6);
  CHECK_NOTHROW(sat_attention_map(alpha, 2, 3));
  CHECK_THROWS_AS(sat_attention_map(alpha, 2, 2), std::invalid_argument);
  CHECK_THROWS_AS(sat_attention_map(alpha, 7, 1), std::invalid_argument);
  CHECK_THROWS_AS(sat_attention_map(alpha, -2, -3), std::invalid_argument);
  CHECK_THROWS_AS(sat_attention_map(Vec(0), 0, 5), std::invalid_argument);
}
