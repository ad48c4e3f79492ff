// p16 attention_backward — graded tests. Golden values: tools/golden/p16.py (torch.autograd in float64,
// cross-checked with a numpy Jacobian chain rule and complex-step derivatives). The double instantiation is
// checked against central finite differences of a forward pass written below.
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <tuple>

#include "attention_backward.h"
#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

using VecD = Eigen::VectorXd;

MatD d(const Mat& m) {
  return m.cast<double>();
}

// ---- an independent forward pass in double, for finite differences ----

// Row softmax of X over the first n_visible(i) entries of row i; the rest stay 0.
MatD softmax_prefix(const MatD& X, bool causal) {
  MatD P = MatD::Zero(X.rows(), X.cols());
  for (Index i = 0; i < X.rows(); ++i) {
    const Index n = causal ? i + 1 : X.cols();
    const double top = X.row(i).head(n).maxCoeff();
    for (Index j = 0; j < n; ++j) P(i, j) = std::exp(X(i, j) - top);
    P.row(i).head(n) /= P.row(i).head(n).sum();
  }
  return P;
}

// L = Σ O ∘ dO with O = softmax(Q Kᵀ / sqrt(d_k)) V: the scalar whose gradients sdpa_backward returns.
double attention_loss(const MatD& Q, const MatD& K, const MatD& V, const MatD& dO, bool causal) {
  const MatD P = softmax_prefix(Q * K.transpose() / std::sqrt(static_cast<double>(Q.cols())), causal);
  return ((P * V).array() * dO.array()).sum();
}

// ∂L/∂x for every entry x of one input (which = 0: Q, 1: K, 2: V), by central differences with step h.
MatD central_differences(const MatD& Q, const MatD& K, const MatD& V, const MatD& dO, bool causal, int which,
                         double h = 1e-6) {
  MatD in[3] = {Q, K, V};
  MatD grad(in[which].rows(), in[which].cols());
  for (Index i = 0; i < grad.rows(); ++i)
    for (Index j = 0; j < grad.cols(); ++j) {
      const double x = in[which](i, j);
      in[which](i, j) = x + h;
      const double up = attention_loss(in[0], in[1], in[2], dO, causal);
      in[which](i, j) = x - h;
      const double down = attention_loss(in[0], in[1], in[2], dO, causal);
      in[which](i, j) = x;
      grad(i, j) = (up - down) / (2 * h);
    }
  return grad;
}

// ---- diagnosis only, never a golden value: the classic wrong backward passes, in double ----

struct GradsD {
  MatD dQ, dK, dV;
};

enum class Variant {
  correct,
  diagonal_jacobian,  // dS = P ∘ (1 − P) ∘ dP: only the diagonal of the softmax Jacobian
  no_D,               // dS = P ∘ dP: the −D term dropped
  D_by_column,        // D summed over queries (columns) instead of keys (rows)
  D_unweighted,       // D_i = Σ_j dP_ij, not weighted by P
  sign,               // dS = P ∘ (D − dP)
  unscaled_chain,     // dQ = dS K, dK = dSᵀ Q: the scale s forgotten in the chain rule only
  unscaled,           // s forgotten everywhere: S = Q Kᵀ and dQ = dS K
  no_causal,          // P recomputed without the causal mask
  dK_untransposed,    // dK = s dS Q (only square cases)
  dV_untransposed,    // dV = P dO (only square cases)
};

MatD softmax_backward_variant(const MatD& P, const MatD& dP, Variant v) {
  const VecD D = (P.array() * dP.array()).rowwise().sum();
  switch (v) {
    case Variant::diagonal_jacobian:
      return (P.array() * (1 - P.array()) * dP.array()).matrix();
    case Variant::no_D:
      return (P.array() * dP.array()).matrix();
    case Variant::D_by_column: {
      const Eigen::RowVectorXd D_col = (P.array() * dP.array()).colwise().sum();
      return (P.array() * (dP.rowwise() - D_col).array()).matrix();
    }
    case Variant::D_unweighted:
      return (P.array() * (dP.colwise() - dP.rowwise().sum()).array()).matrix();
    case Variant::sign:
      return -(P.array() * (dP.colwise() - D).array()).matrix();
    default:
      return (P.array() * (dP.colwise() - D).array()).matrix();
  }
}

GradsD model(const MatD& Q, const MatD& K, const MatD& V, const MatD& dO, bool causal, Variant v) {
  const double s = 1 / std::sqrt(static_cast<double>(Q.cols()));
  const double s_scores = v == Variant::unscaled ? 1 : s;
  const double s_chain = v == Variant::unscaled || v == Variant::unscaled_chain ? 1 : s;
  const MatD P = softmax_prefix(s_scores * Q * K.transpose(), causal && v != Variant::no_causal);
  const MatD dP = dO * V.transpose();
  const MatD dS = softmax_backward_variant(P, dP, v);
  GradsD g{s_chain * dS * K, s_chain * dS.transpose() * Q, P.transpose() * dO};
  if (v == Variant::dK_untransposed) g.dK = s * dS * Q;
  if (v == Variant::dV_untransposed) g.dV = P * dO;
  return g;
}

const char* explain(Variant v) {
  switch (v) {
    case Variant::diagonal_jacobian:
      return "dS = P ∘ (1 − P) ∘ dP uses only the diagonal of the softmax Jacobian: every P_ij depends on "
             "every score of its row, so dS_ij = P_ij (dP_ij − Σ_k P_ik dP_ik)";
    case Variant::no_D:
      return "dS = P ∘ dP drops the −D_i term: dS_ij = P_ij (dP_ij − D_i) with D_i = Σ_k P_ik dP_ik "
             "(the rows of dS must sum to 0)";
    case Variant::D_by_column:
      return "D is summed over the wrong axis: D_i = Σ_k P_ik dP_ik runs over the keys of row i (rowwise), "
             "not over the queries of a column";
    case Variant::D_unweighted:
      return "D_i = Σ_k dP_ik is missing the weights: D_i = Σ_k P_ik dP_ik (= dO_i · O_i)";
    case Variant::sign:
      return "the sign is flipped: dS = P ∘ (dP − D), not P ∘ (D − dP)";
    case Variant::unscaled_chain:
      return "dQ and dK miss the factor s = 1/sqrt(d_k): S = s Q Kᵀ, so dQ = s dS K and dK = s dSᵀ Q";
    case Variant::unscaled:
      return "the scale s = 1/sqrt(d_k) is missing in the recomputed scores and in dQ and dK";
    case Variant::no_causal:
      return "these are the gradients without the causal mask: the recomputed P must give key j > i "
             "weight 0 (and so dS_ij = 0)";
    case Variant::dK_untransposed:
      return "dK = s dS Q mixes queries and keys: dK_j = s Σ_i dS_ij Q_i, i.e. dK = s dSᵀ Q";
    case Variant::dV_untransposed:
      return "dV = P dO mixes queries and keys: dV_j = Σ_i P_ij dO_i, i.e. dV = Pᵀ dO";
    default:
      return "";
  }
}

// Name the classic mistakes when a gradient check failed; got holds the submission's gradients in double.
void diagnose(const GradsD& got, const MatD& Q, const MatD& K, const MatD& V, const MatD& dO, bool causal) {
  const GradsD truth = model(Q, K, V, dO, causal, Variant::correct);
  const bool square = Q.rows() == K.rows();
  for (const Variant v : {Variant::diagonal_jacobian, Variant::no_D, Variant::D_by_column,
                          Variant::D_unweighted, Variant::sign, Variant::unscaled_chain, Variant::unscaled,
                          Variant::no_causal, Variant::dK_untransposed, Variant::dV_untransposed}) {
    if (v == Variant::no_causal && !causal) continue;
    if ((v == Variant::dK_untransposed || v == Variant::dV_untransposed) && !square) continue;
    const GradsD alt = model(Q, K, V, dO, causal, v);
    // the part this mistake changes must match it; the rest must be right
    bool changes = false, matches = true;
    for (const auto& [mine, wrong, right] :
         {std::tuple{&got.dQ, &alt.dQ, &truth.dQ}, std::tuple{&got.dK, &alt.dK, &truth.dK},
          std::tuple{&got.dV, &alt.dV, &truth.dV}}) {
      changes = changes || !is_close(*wrong, *right, kT3);
      matches = matches && is_close(*mine, *wrong, kT3);
    }
    if (changes && matches) {
      FAIL_CHECK(std::string(explain(v)));
      return;  // one name: with a single row or a square P some mistakes coincide
    }
  }
  if (got.dQ.size() > 0 && got.dQ.isZero(0) && got.dK.isZero(0) && !truth.dQ.isZero(1e-9))
    FAIL_CHECK(
        "dQ and dK are all zero: the weights P depend on Q and K through the scores, so the loss does too "
        "(only dV = Pᵀ dO is not enough)");
}

template <class Grads>
GradsD to_double(const Grads& g) {
  return {g.dQ.template cast<double>(), g.dK.template cast<double>(), g.dV.template cast<double>()};
}

// The three gradients against expected values; on failure, name the mistake if it is a classic one.
template <class Grads>
bool check_grads(const Grads& got, const MatD& dQ, const MatD& dK, const MatD& dV, Tol tol, const MatD& Q,
                 const MatD& K, const MatD& V, const MatD& dO, bool causal) {
  if (!expect_shape("dQ", got.dQ, dQ.rows(), dQ.cols()) ||
      !expect_shape("dK", got.dK, dK.rows(), dK.cols()) || !expect_shape("dV", got.dV, dV.rows(), dV.cols()))
    return false;
  if (!check_finite("dQ", got.dQ) || !check_finite("dK", got.dK) || !check_finite("dV", got.dV)) return false;
  const bool ok = check_close("dQ", got.dQ, dQ, tol) & check_close("dK", got.dK, dK, tol) &
                  check_close("dV", got.dV, dV, tol);
  if (!ok) diagnose(to_double(got), Q, K, V, dO, causal);
  return ok;
}

// A golden attention case: inputs (float32) and torch.autograd gradients (float64).
struct GoldenCase {
  Mat Q, K, V, dO;
  bool causal;
  MatD dQ, dK, dV, P, dS;
};
#define GOLDEN_CASE(ns)                                                                 \
  GoldenCase {                                                                          \
    ns::Q, ns::K, ns::V, ns::dO, ns::causal != 0, ns::dQ, ns::dK, ns::dV, ns::P, ns::dS \
  }

// The float gradients of a golden case against autograd (T3), with a diagnosis on failure.
bool check_golden(const AttnGrads<float>& got, const GoldenCase& c, const std::string& note = "") {
  const auto check = [&] {
    return check_grads(got, c.dQ, c.dK, c.dV, kT3, d(c.Q), d(c.K), d(c.V), d(c.dO), c.causal);
  };
  if (note.empty()) return check();
  INFO(note);
  return check();
}

AttnGrads<float> run(const Mat& Q, const Mat& K, const Mat& V, const Mat& dO, bool causal) {
  return sdpa_backward<float>(Q, K, V, dO, causal);
}

// Name the classic softmax-backward mistakes.
void diagnose_softmax(const MatD& got, const MatD& P, const MatD& dP) {
  const MatD truth = softmax_backward_variant(P, dP, Variant::correct);
  for (const Variant v : {Variant::diagonal_jacobian, Variant::no_D, Variant::D_by_column,
                          Variant::D_unweighted, Variant::sign}) {
    const MatD alt = softmax_backward_variant(P, dP, v);
    if (!is_close(alt, truth, kT3) && is_close(got, alt, kT3)) {
      FAIL_CHECK(std::string(explain(v)));
      return;  // one name: on a single row, D over a column is P_ij dP_ij, the diagonal mistake
    }
  }
  if (is_close(got, dP, kT3) && !is_close(truth, dP, kT3))
    FAIL_CHECK("that is dP unchanged: the softmax is not the identity, its Jacobian is diag(p) − p pᵀ");
}

template <class M>
bool check_softmax(const M& got, const MatD& expected, Tol tol, const MatD& P, const MatD& dP) {
  if (!expect_shape("dX", got, expected.rows(), expected.cols()) || !check_finite("dX", got)) return false;
  if (check_close("dX", got, expected, tol)) return true;
  diagnose_softmax(got.template cast<double>(), P, dP);
  return false;
}

// |sum| within the rounding of a float32 sum whose terms have absolute sum `magnitude`.
bool check_sums_to_zero(const std::string& what, double sum, double magnitude) {
  const double bound = 1e-5 + 1e-4 * magnitude;
  if (std::abs(sum) <= bound) return true;
  FAIL_CHECK(what << " is " << num(sum) << ", expected 0 (tolerance " << num(bound) << ")");
  return false;
}

}  // namespace

ATTN_TEST("sdpa_backward returns dQ n_q×d_k and dK dV shaped like K and V", shape, 1) {
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(5, 4), V = Mat::Random(5, 2), dO = Mat::Random(3, 2);
  const AttnGrads<float> g = sdpa_backward(Q, K, V, dO);
  expect_shape("dQ", g.dQ, 3, 4);
  expect_shape("dK", g.dK, 5, 4);
  expect_shape("dV", g.dV, 5, 2);
  const AttnGrads<double> g2 = sdpa_backward(d(Q), d(K), d(V), d(dO));
  expect_shape("dQ (double)", g2.dQ, 3, 4);
  expect_shape("dK (double)", g2.dK, 5, 4);
  expect_shape("dV (double)", g2.dV, 5, 2);
}

ATTN_TEST("softmax_rows_backward returns a matrix shaped like P", shape, 1) {
  const Mat P = Mat::Constant(3, 5, 0.2f), dP = Mat::Random(3, 5);
  expect_shape("dX", softmax_rows_backward(P, dP), 3, 5);
  expect_shape("dX (double)", softmax_rows_backward(d(P), d(dP)), 3, 5);
}

ATTN_TEST("worked examples from the statement", numeric, 2) {
  // 1. P = [0.5 0.25 0.25], dP = [1 0 -1]: D = 0.5 - 0.25 = 0.25, dX = P ∘ (dP - D) = [0.375 -0.0625 -0.3125]
  const Mat P{{0.5f, 0.25f, 0.25f}}, dP{{1.f, 0.f, -1.f}};
  check_softmax(softmax_rows_backward(P, dP), MatD{{0.375, -0.0625, -0.3125}}, kT1, d(P), d(dP));
  // 2. d_k = 4 (s = 1/2), two keys ±e_1, V = I₂. Query 0 = 2e_0 scores [0 0], P = [0.5 0.5]; query 1 =
  // 2 ln3 e_1 scores [ln3 -ln3], P = [0.9 0.1]. dO = I₂.
  const double ln3 = std::log(3.0);
  const Mat Q{{2.f, 0.f, 0.f, 0.f}, {0.f, static_cast<float>(2 * ln3), 0.f, 0.f}};
  const Mat K{{0.f, 1.f, 0.f, 0.f}, {0.f, -1.f, 0.f, 0.f}}, V = Mat::Identity(2, 2), dO = Mat::Identity(2, 2);
  // dP = dO Vᵀ = I, dS_0 = [0.25 -0.25], dS_1 = [-0.09 0.09]
  const MatD dQ{{0, 0.25, 0, 0}, {0, -0.09, 0, 0}};
  const MatD dK{{0.25, -0.09 * ln3, 0, 0}, {-0.25, 0.09 * ln3, 0, 0}};
  const MatD dV{{0.5, 0.9}, {0.5, 0.1}};
  check_grads(run(Q, K, V, dO, false), dQ, dK, dV, kT1, d(Q), d(K), d(V), d(dO), false);
}

ATTN_TEST("softmax backward matches torch autograd", numeric, 2) {
  using namespace golden::softmax;
  check_softmax(softmax_rows_backward(P, dP), dS, kT3, d(P), d(dP));
}

ATTN_TEST("attention gradients match torch autograd", numeric, 3) {
  const GoldenCase c = GOLDEN_CASE(golden::sdpa);  // n_q = 5, n_k = 6, d_k = 4, d_v = 3
  check_golden(run(c.Q, c.K, c.V, c.dO, false), c);
}

ATTN_TEST("causal attention gradients match torch autograd", numeric, 2) {
  const GoldenCase c = GOLDEN_CASE(golden::causal);  // n = 6, key j visible to query i when j <= i
  check_golden(run(c.Q, c.K, c.V, c.dO, true), c);
}

ATTN_TEST("a 24×32 case with d_k = d_v = 16 stays within T3", numeric, 1) {
  const GoldenCase c = GOLDEN_CASE(golden::wide);
  check_golden(run(c.Q, c.K, c.V, c.dO, false), c);
}

ATTN_TEST("scores near +128 match golden values", numeric, 2) {
  // a constant column 16 in Q and K adds s·16² = 128 to every score: exp(128) overflows float32 (88.7)
  const GoldenCase c = GOLDEN_CASE(golden::large);
  const AttnGrads<float> got = run(c.Q, c.K, c.V, c.dO, false);
  if (!got.dQ.allFinite() || !got.dK.allFinite() || !got.dV.allFinite())
    FAIL_CHECK(
        "every score here is about 128 and exp(128) overflows float32: subtract each row's maximum before "
        "exponentiating when you recompute P (the softmax is unchanged by the shift)");
  check_golden(got, c);
}

ATTN_TEST("the dS behind the attention matches autograd's gradient of the scores", numeric, 1) {
  // softmax_rows_backward(P, dO Vᵀ) is pass 3 of sdpa_backward: it must give autograd's ∂L/∂S
  const GoldenCase c = GOLDEN_CASE(golden::sdpa);
  const Mat P = c.P.cast<float>(), dP = c.dO * c.V.transpose();
  check_softmax(softmax_rows_backward(P, dP), c.dS, kT3, c.P, d(c.dO) * d(c.V).transpose());
}

ATTN_TEST("double gradients match central finite differences", numeric, 3) {
  // the golden inputs in double; expected values: (L(x + h) − L(x − h)) / 2h, h = 1e-6, of the forward above
  const GoldenCase c = GOLDEN_CASE(golden::sdpa);
  const MatD Q = d(c.Q), K = d(c.K), V = d(c.V), dO = d(c.dO);
  const AttnGrads<double> got = sdpa_backward(Q, K, V, dO);
  check_grads(got, central_differences(Q, K, V, dO, false, 0), central_differences(Q, K, V, dO, false, 1),
              central_differences(Q, K, V, dO, false, 2), kT4, Q, K, V, dO, false);
}

ATTN_TEST("double causal gradients match central finite differences", numeric, 2) {
  const GoldenCase c = GOLDEN_CASE(golden::causal);
  const MatD Q = d(c.Q), K = d(c.K), V = d(c.V), dO = d(c.dO);
  const AttnGrads<double> got = sdpa_backward(Q, K, V, dO, true);
  check_grads(got, central_differences(Q, K, V, dO, true, 0), central_differences(Q, K, V, dO, true, 1),
              central_differences(Q, K, V, dO, true, 2), kT4, Q, K, V, dO, true);
}

ATTN_TEST("double softmax backward matches central finite differences", numeric, 1) {
  // logits X (4×6), P = softmax(X) in double; L(X) = Σ softmax(X) ∘ dP, so ∂L/∂X is what the backward returns
  MatD X(4, 6), dP(4, 6);
  for (Index i = 0; i < 4; ++i)
    for (Index j = 0; j < 6; ++j) X(i, j) = 3 * std::sin(1.7 * i + 0.9 * j), dP(i, j) = std::cos(2.3 * i - j);
  const auto loss = [&](const MatD& logits) {
    return (softmax_prefix(logits, false).array() * dP.array()).sum();
  };
  MatD fd(4, 6);
  const double h = 1e-6;
  for (Index i = 0; i < 4; ++i)
    for (Index j = 0; j < 6; ++j) {
      MatD up = X, down = X;
      up(i, j) += h, down(i, j) -= h;
      fd(i, j) = (loss(up) - loss(down)) / (2 * h);
    }
  const MatD P = softmax_prefix(X, false);
  check_softmax(softmax_rows_backward(P, dP), fd, kT4, P, dP);
}

ATTN_TEST("rows of the softmax backward sum to 0", property, 1) {
  // the softmax is unchanged when a constant is added to a row of X, so ∂L/∂X is orthogonal to (1 … 1)
  using namespace golden::softmax;
  const Mat got = softmax_rows_backward(P, dP);
  if (!check_softmax(got, dS, kT3, d(P), d(dP))) return;
  for (Index i = 0; i < got.rows(); ++i)
    if (!check_sums_to_zero("row " + std::to_string(i) + " of dX", got.row(i).cast<double>().sum(),
                            got.row(i).cast<double>().cwiseAbs().sum()))
      return;
}

ATTN_TEST("column sums of dK are 0 and those of dV equal those of dO", property, 2) {
  // dK = s dSᵀ Q and every row of dS sums to 0, so Σ_j dK_j = s Σ_i (Σ_j dS_ij) Q_i = 0; rows of P sum to 1,
  // so Σ_j dV_j = Σ_i dO_i
  const GoldenCase c = GOLDEN_CASE(golden::wide);
  const AttnGrads<float> got = run(c.Q, c.K, c.V, c.dO, false);
  if (!check_golden(got, c)) return;
  const MatD dK = d(got.dK), dV = d(got.dV), dO = d(c.dO);
  for (Index col = 0; col < dK.cols(); ++col)
    if (!check_sums_to_zero("column " + std::to_string(col) + " of dK", dK.col(col).sum(),
                            dK.col(col).cwiseAbs().sum())) {
      FAIL_CHECK("dK's columns sum to 0 only if every row of dS sums to 0: dS_ij = P_ij (dP_ij − D_i)");
      return;
    }
  for (Index col = 0; col < dV.cols(); ++col)
    if (!check_sums_to_zero("column " + std::to_string(col) + " of dV minus that of dO",
                            dV.col(col).sum() - dO.col(col).sum(), dO.col(col).cwiseAbs().sum()))
      return;
}

ATTN_TEST("adding one vector to every key leaves all three gradients unchanged", property, 2) {
  // K + 1cᵀ adds Q_i · c to every score of row i: P, O and L are unchanged, and so are dK = s dSᵀ Q, dV, and
  // dQ = s dS (K + 1cᵀ) = dQ + s (dS 1) cᵀ, because the rows of dS sum to 0
  const GoldenCase c = GOLDEN_CASE(golden::sdpa);
  if (!check_golden(run(c.Q, c.K, c.V, c.dO, false), c)) return;
  const Eigen::RowVectorXf shift{{0.7f, -1.3f, 2.1f, 0.4f}};
  const Mat K_shifted = c.K.rowwise() + shift;
  if (!check_golden(run(c.Q, K_shifted, c.V, c.dO, false), c, "every key shifted by c = [0.7 -1.3 2.1 0.4]"))
    FAIL_CHECK(
        "shifting every key by the same vector must change no gradient: if only dQ moved, the rows of dS do "
        "not sum to 0 (dS 1 ≠ 0)");
}

ATTN_TEST("scaling Q by 2 and K by 1/2 halves dQ and doubles dK", property, 1) {
  // S = s (2Q)(K/2)ᵀ is unchanged, so dS is too: dQ' = s dS K/2, dK' = s dSᵀ 2Q. At t = 1 the derivative of
  // L(tQ, K/t) = L(Q, K) gives the identity Σ dQ ∘ Q = Σ dK ∘ K.
  const GoldenCase c = GOLDEN_CASE(golden::causal);
  const AttnGrads<float> got = run(c.Q, c.K, c.V, c.dO, true);
  if (!check_golden(got, c)) return;
  const double qq = (d(got.dQ).array() * d(c.Q).array()).sum(),
               kk = (d(got.dK).array() * d(c.K).array()).sum();
  const double magnitude = (d(got.dQ).array() * d(c.Q).array()).abs().sum();
  if (!check_sums_to_zero("Σ dQ ∘ Q − Σ dK ∘ K", qq - kk, magnitude)) return;
  const AttnGrads<float> scaled = run(2 * c.Q, c.K / 2, c.V, c.dO, true);
  check_grads(scaled, c.dQ / 2, c.dK * 2, c.dV, kT3, 2 * d(c.Q), d(c.K) / 2, d(c.V), d(c.dO), true);
}

ATTN_TEST("causal dQ of early rows ignores later keys and values", property, 2) {
  // query i reads keys 0..i only: replacing keys and values 3..5 leaves dQ rows 0..2 as they were, and
  // query 0, with one visible key of weight 1, has dQ_0 = 0
  const GoldenCase c = GOLDEN_CASE(golden::causal);
  if (!check_golden(run(c.Q, c.K, c.V, c.dO, true), c)) return;
  Mat K = c.K, V = c.V;
  K.bottomRows(3) = 3 * Mat::Random(3, K.cols());
  V.bottomRows(3) = 3 * Mat::Random(3, V.cols());
  const AttnGrads<float> got = run(c.Q, K, V, c.dO, true);
  if (!expect_shape("dQ", got.dQ, c.dQ.rows(), c.dQ.cols())) return;
  if (!check_close("dQ rows 0..2 with keys and values 3..5 replaced", got.dQ.topRows(3), c.dQ.topRows(3),
                   kT3))
    FAIL_CHECK("dQ_i may depend only on keys and values 0..i: the recomputed P must be causal");
  check_close("dQ row 0 (one visible key: P_00 = 1, so dS_00 = 0)", got.dQ.topRows(1),
              MatD::Zero(1, c.dQ.cols()), kT3);
}

ATTN_TEST("causal dK and dV of late keys ignore earlier queries", property, 2) {
  // key j is read by queries j..n-1 only: replacing queries and dO rows 0..2 leaves dK and dV rows 3..5 as
  // they were; the last key and value learn from the last query alone, dV_5 = P_55 dO_5
  const GoldenCase c = GOLDEN_CASE(golden::causal);
  if (!check_golden(run(c.Q, c.K, c.V, c.dO, true), c)) return;
  Mat Q = c.Q, dO = c.dO;
  Q.topRows(3) = 3 * Mat::Random(3, Q.cols());
  dO.topRows(3) = 3 * Mat::Random(3, dO.cols());
  const AttnGrads<float> got = run(Q, c.K, c.V, dO, true);
  if (!expect_shape("dK", got.dK, c.dK.rows(), c.dK.cols()) ||
      !expect_shape("dV", got.dV, c.dV.rows(), c.dV.cols()))
    return;
  const bool ok = check_close("dK rows 3..5 with queries and dO 0..2 replaced", got.dK.bottomRows(3),
                              c.dK.bottomRows(3), kT3) &
                  check_close("dV rows 3..5 with queries and dO 0..2 replaced", got.dV.bottomRows(3),
                              c.dV.bottomRows(3), kT3);
  if (!ok)
    FAIL_CHECK("key j is visible to queries j..n-1 only: masked pairs (i < j) must contribute nothing");
  const Index last = c.dV.rows() - 1;
  check_close("dV of the last key", got.dV.bottomRows(1), c.P(last, last) * d(c.dO).bottomRows(1), kT3);
}

ATTN_TEST("entries where P is 0 get exactly 0 in the softmax backward", property, 1) {
  // a masked softmax: row 0 fully masked (P = 0), row 1 one visible entry (P = 1, so dX = 0)
  using namespace golden::masked;
  const Mat got = softmax_rows_backward(P, dP);
  if (!check_zero_where_masked("dX", got, keep)) return;
  check_softmax(got, dS, kT3, d(P), d(dP));
}

ATTN_TEST("one key gives dQ = dK = 0 and dV = the column sums of dO", edge, 2) {
  // with n_k = 1 every P_i0 = 1 whatever the scores: the loss does not depend on Q or K, and dV = Σ_i dO_i
  const GoldenCase c = GOLDEN_CASE(golden::sdpa);
  if (!check_golden(run(c.Q, c.K, c.V, c.dO, false), c)) return;
  const Mat K = c.K.topRows(1), V = c.V.topRows(1);
  const AttnGrads<float> got = run(c.Q, K, V, c.dO, false);
  check_grads(got, MatD::Zero(c.Q.rows(), c.Q.cols()), MatD::Zero(1, c.K.cols()), d(c.dO).colwise().sum(),
              kT1, d(c.Q), d(K), d(V), d(c.dO), false);
}

ATTN_TEST("saturated scores near 1e4 give finite golden gradients", edge, 2) {
  // scores ~1e4 with the top two of each row over 50 apart: P is one-hot in float32 and float64, dV_j is the
  // sum of dO_i over the queries whose top key is j, and dQ, dK are 0 (about 1e-20)
  const GoldenCase c = GOLDEN_CASE(golden::saturated);
  const AttnGrads<float> got = run(c.Q, c.K, c.V, c.dO, false);
  if (!check_finite("dQ", got.dQ) || !check_finite("dK", got.dK) || !check_finite("dV", got.dV)) {
    FAIL_CHECK(
        "scores of 1e4 overflow exp in float32 and in double: subtract each row's maximum before "
        "exponentiating, so that the largest exponent is exactly 0");
    return;
  }
  check_golden(got, c);
}

ATTN_TEST("n_q = 0 or n_k = 0 gives zero gradients of the right shapes", edge, 1) {
  // nothing to attend to: O = 0 whatever the inputs, so every gradient is 0. Then the golden causal case.
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(5, 4), V = Mat::Random(5, 2), dO = Mat::Random(3, 2);
  const AttnGrads<float> no_queries = run(Mat(0, 4), K, V, Mat(0, 2), false);
  expect_shape("dQ with n_q = 0", no_queries.dQ, 0, 4);
  check_close("dK with n_q = 0", no_queries.dK, MatD::Zero(5, 4), Tol{0, 0, "exact"});
  check_close("dV with n_q = 0", no_queries.dV, MatD::Zero(5, 2), Tol{0, 0, "exact"});
  const AttnGrads<float> no_keys = run(Q, Mat(0, 4), Mat(0, 2), dO, false);
  check_close("dQ with n_k = 0", no_keys.dQ, MatD::Zero(3, 4), Tol{0, 0, "exact"});
  expect_shape("dK with n_k = 0", no_keys.dK, 0, 4);
  expect_shape("dV with n_k = 0", no_keys.dV, 0, 2);
  const AttnGrads<float> empty_causal = run(Mat(0, 4), Mat(0, 4), Mat(0, 2), Mat(0, 2), true);
  expect_shape("dQ of an empty causal call", empty_causal.dQ, 0, 4);
  const GoldenCase c = GOLDEN_CASE(golden::causal);
  check_golden(run(c.Q, c.K, c.V, c.dO, true), c);
}

ATTN_TEST("mismatched shapes or d_k = 0 throw std::invalid_argument", edge, 2) {
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(5, 4), V = Mat::Random(5, 2), dO = Mat::Random(3, 2);
  const auto throws = [](const char* why, const Mat& Q_, const Mat& K_, const Mat& V_, const Mat& dO_) {
    INFO(std::string(why));
    CHECK_THROWS_AS(sdpa_backward(Q_, K_, V_, dO_), std::invalid_argument);
  };
  throws("K must have d_k = Q.cols() columns", Q, Mat::Random(5, 3), V, dO);
  throws("V must have n_k = K.rows() rows", Q, K, Mat::Random(4, 2), dO);
  throws("dO must have n_q = Q.rows() rows", Q, K, V, Mat::Random(2, 2));
  throws("dO must have d_v = V.cols() columns", Q, K, V, Mat::Random(3, 3));
  throws("d_k = 0: the scale 1/sqrt(d_k) is undefined", Mat(3, 0), Mat(5, 0), V, dO);
  CHECK_THROWS_AS(sdpa_backward<double>(d(Q), d(K), MatD::Random(4, 2), d(dO)), std::invalid_argument);
  CHECK_THROWS_AS(softmax_rows_backward<float>(Mat::Random(3, 4), Mat::Random(3, 5)), std::invalid_argument);
  CHECK_THROWS_AS(softmax_rows_backward<float>(Mat::Random(3, 4), Mat::Random(4, 4)), std::invalid_argument);
  CHECK_THROWS_AS(softmax_rows_backward<double>(MatD::Random(3, 4), MatD::Random(3, 5)),
                  std::invalid_argument);
}

ATTN_TEST("causal with n_q ≠ n_k throws std::invalid_argument", edge, 1) {
  const Mat Q = Mat::Random(3, 4), K = Mat::Random(5, 4), V = Mat::Random(5, 2), dO = Mat::Random(3, 2);
  CHECK_THROWS_AS(sdpa_backward(Q, K, V, dO, true), std::invalid_argument);
  CHECK_THROWS_AS(sdpa_backward(d(Q), d(K), d(V), d(dO), true), std::invalid_argument);
  CHECK_NOTHROW(sdpa_backward(Q, K, V, dO, false));
}
