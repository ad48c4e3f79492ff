// p24 nonlocal_spacetime_block — graded tests. Golden values: tools/golden/p24.py (torch on NCTHW videos with
// 1×1×1 conv3d, converted to rows in the generator; cross-checked with a numpy loop over position pairs).
#include <attnkata/graded.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <utility>
#include <vector>

#include "golden.inc"
#include "nonlocal_spacetime_block.h"

using namespace attn;
using namespace attn::check;

namespace {

using Kind = NonLocalKind;

// Golden data stores b_z as a (1, C) matrix and w_f as a (2·C_k, 1) column.
NonLocalParams make_params(Kind kind, const Mat& W_theta, const Mat& W_phi, const Mat& W_g, const Mat& W_z,
                           const Mat& b_z, const Mat& w_f = Mat()) {
  NonLocalParams p;
  p.kind = kind;
  p.W_theta = W_theta, p.W_phi = W_phi, p.W_g = W_g, p.W_z = W_z;
  p.b_z = b_z.row(0);
  if (w_f.size() > 0) p.w_f = w_f.col(0);
  return p;
}

// Random parameters of the right shapes: (C, C_k), (C, C_k), (C, C_v), (C_v, C), (C), (2·C_k).
NonLocalParams random_params(Kind kind, Index C, Index C_k, Index C_v) {
  return make_params(kind, Mat::Random(C, C_k), Mat::Random(C, C_k), Mat::Random(C, C_v), Mat::Random(C_v, C),
                     Mat::Random(1, C), Mat::Random(2 * C_k, 1));
}

std::string kind_name(Kind kind) {
  switch (kind) {
    case Kind::Gaussian:
      return "Gaussian";
    case Kind::EmbeddedGaussian:
      return "EmbeddedGaussian";
    case Kind::DotProduct:
      return "DotProduct";
    case Kind::Concatenation:
      return "Concatenation";
  }
  return "?";
}

// ---- diagnosis only, never a golden value: the block and its classic wrong versions, in double ----

enum class Variant {
  correct,
  scaled,           // softmax kinds: logits divided by sqrt(width)
  column_softmax,   // softmax over i instead of j
  row_sum,          // dot / concatenation divided by Σ_j f instead of N
  softmax_all,      // dot / concatenation scores through a softmax
  unnormalised,     // dot / concatenation not divided by N
  swapped_halves,   // concatenation: w_f's halves swapped
  no_relu,          // concatenation without the ReLU
  raw_as_embedded,  // Gaussian computed with θ and φ
  uniform,          // every position weighted 1/N
  no_residual,      // Z = Y W_z + b_z
  no_bias,          // Z = Y W_z + X
};

MatD softmax_rows(const MatD& S) {
  MatD A = (S.colwise() - S.rowwise().maxCoeff()).array().exp().matrix();
  return A.array().colwise() / A.rowwise().sum().array();
}

MatD model(const Mat& X_f, const NonLocalParams& p, Variant v) {
  const MatD X = X_f.cast<double>();
  const Index N = X.rows();
  const MatD g = X * p.W_g.cast<double>();
  const bool raw = p.kind == Kind::Gaussian && v != Variant::raw_as_embedded;
  const MatD th = raw ? X : MatD(X * p.W_theta.cast<double>());
  const MatD ph = raw ? X : MatD(X * p.W_phi.cast<double>());
  const bool softmax_kind = p.kind == Kind::Gaussian || p.kind == Kind::EmbeddedGaussian;
  MatD f(N, N);
  if (p.kind == Kind::Concatenation) {
    const Index C_k = th.cols();
    Eigen::VectorXd w_q = p.w_f.head(C_k).cast<double>(), w_k = p.w_f.tail(C_k).cast<double>();
    if (v == Variant::swapped_halves) std::swap(w_q, w_k);
    const Eigen::VectorXd a = th * w_q, b = ph * w_k;
    for (Index i = 0; i < N; ++i)
      for (Index j = 0; j < N; ++j)
        f(i, j) = v == Variant::no_relu ? a(i) + b(j) : std::max(0.0, a(i) + b(j));
  } else {
    f = th * ph.transpose();
  }
  MatD A;
  if (v == Variant::uniform) {
    A = MatD::Constant(N, N, 1.0 / static_cast<double>(N));
  } else if (softmax_kind || v == Variant::softmax_all) {
    if (v == Variant::scaled) f /= std::sqrt(static_cast<double>(th.cols()));
    A = v == Variant::column_softmax ? MatD(softmax_rows(f.transpose()).transpose()) : softmax_rows(f);
  } else if (v == Variant::row_sum) {
    A = f.array().colwise() / f.rowwise().sum().array();
  } else {
    A = v == Variant::unnormalised ? f : MatD(f / static_cast<double>(N));
  }
  MatD Z = A * g * p.W_z.cast<double>();
  if (v != Variant::no_bias) Z.rowwise() += p.b_z.cast<double>();
  if (v != Variant::no_residual) Z += X;
  return Z;
}

// Name the classic mistakes when a comparison fails: a mistake is named when it changes the result here and
// the submission matches it.
void diagnose(const Mat& got, const Mat& X, const NonLocalParams& p) {
  const MatD truth = model(X, p, Variant::correct);
  const bool softmax_kind = p.kind == Kind::Gaussian || p.kind == Kind::EmbeddedGaussian;
  const bool decoys =
      p.W_theta.rows() == X.cols() && p.W_phi.rows() == X.cols() && p.W_theta.cols() == p.W_phi.cols();
  auto matches = [&](Variant v) {
    const MatD alt = model(X, p, v);
    return alt.allFinite() && is_close(got, alt, kT3) && !is_close(alt, truth, kT3);
  };
  if (softmax_kind && matches(Variant::scaled))
    FAIL_CHECK(
        "the output matches logits divided by sqrt("
        << std::string(p.kind == Kind::Gaussian ? "C" : "C_k")
        << "): that is the Transformer's scaled dot product (and the official video-nonlocal-net code's "
           "USE_SCALE option). The paper's Gaussian kinds, which this kata follows, are a softmax of the "
           "plain dot products");
  if (softmax_kind && matches(Variant::column_softmax))
    FAIL_CHECK(
        "the output matches a softmax over i (each column of the N×N weights sums to 1): normalise over j, "
        "the positions being summed, so each row sums to 1 (rowwise in Eigen, dim = -1 in torch)");
  if (p.kind == Kind::Gaussian && decoys && matches(Variant::raw_as_embedded))
    FAIL_CHECK(
        "the output matches exp(θ_i·φ_j): the Gaussian kind compares the raw features, f = exp(x_iᵀ x_j); "
        "θ and φ belong to the embedded Gaussian and are not read here");
  if (!softmax_kind && matches(Variant::row_sum))
    FAIL_CHECK(
        "the output matches f divided by its row sum Σ_j f_ij: for the dot-product and concatenation kinds "
        "the paper's normaliser is C(x) = N, the number of positions");
  if (!softmax_kind && matches(Variant::softmax_all))
    FAIL_CHECK("the output matches a softmax of the "
               << kind_name(p.kind)
               << " scores: only the two Gaussian kinds use a softmax; this kind divides f by N");
  if (!softmax_kind && matches(Variant::unnormalised))
    FAIL_CHECK("the output matches Σ_j f_ij g_j without the division by N (C(x) = N for this kind)");
  if (p.kind == Kind::Concatenation && matches(Variant::swapped_halves))
    FAIL_CHECK(
        "the output matches w_f with its halves swapped: entries [0, C_k) weigh θ_i (the position being "
        "computed) and entries [C_k, 2·C_k) weigh φ_j (the position being summed)");
  if (p.kind == Kind::Concatenation && matches(Variant::no_relu))
    FAIL_CHECK("the output matches the concatenation scores without the ReLU: f = ReLU(w_fᵀ[θ_i, φ_j])");
  if (matches(Variant::uniform))
    FAIL_CHECK(
        "the output matches every position weighted 1/N: the pairwise function f(x_i, x_j) was not used");
  if (matches(Variant::no_residual))
    FAIL_CHECK("the output matches Y W_z + b_z without X: the block is residual, Z = Y W_z + b_z + X");
  if (matches(Variant::no_bias)) FAIL_CHECK("the output matches Y W_z + X: b_z is missing");
}

bool check_block(const std::string& what, const Mat& got, const MatD& expected, const Mat& X,
                 const NonLocalParams& p, Tol tol = kT2) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  if (!check_finite(what, got)) return false;
  if (check_close(what, got, expected, tol)) return true;
  diagnose(got, X, p);
  return false;
}

// The golden cases with their kinds, for tests that run every kind.
struct GoldenCase {
  const char* name;
  const Mat& X;
  NonLocalParams p;
  const MatD& output;
};

std::vector<GoldenCase> golden_cases() {
  namespace E = golden::embedded;
  namespace G = golden::gaussian;
  namespace D = golden::dot;
  namespace K = golden::concat;
  return {
      {"Gaussian", G::X, make_params(Kind::Gaussian, G::W_theta, G::W_phi, G::W_g, G::W_z, G::b_z),
       G::output},
      {"EmbeddedGaussian", E::X,
       make_params(Kind::EmbeddedGaussian, E::W_theta, E::W_phi, E::W_g, E::W_z, E::b_z), E::output},
      {"DotProduct", D::X, make_params(Kind::DotProduct, D::W_theta, D::W_phi, D::W_g, D::W_z, D::b_z),
       D::output},
      {"Concatenation", K::X,
       make_params(Kind::Concatenation, K::W_theta, K::W_phi, K::W_g, K::W_z, K::b_z, K::w_f), K::output},
  };
}

}  // namespace

ATTN_TEST("output has the shape of X for every kind", shape, 1) {
  const Mat X = Mat::Random(5, 6);  // N = 5, C = 6; C_k = 3, C_v = 2
  for (const Kind kind : {Kind::Gaussian, Kind::EmbeddedGaussian, Kind::DotProduct, Kind::Concatenation}) {
    INFO("kind " << kind_name(kind));
    expect_shape("nonlocal_block", nonlocal_block(X, random_params(kind, 6, 3, 2)), 5, 6);
  }
}

ATTN_TEST("a single position and an empty video keep their shapes", shape, 1) {
  for (const Kind kind : {Kind::Gaussian, Kind::EmbeddedGaussian, Kind::DotProduct, Kind::Concatenation}) {
    INFO("kind " << kind_name(kind));
    const NonLocalParams p = random_params(kind, 4, 2, 3);
    expect_shape("nonlocal_block of N = 1", nonlocal_block(Mat::Random(1, 4), p), 1, 4);
    expect_shape("nonlocal_block of N = 0", nonlocal_block(Mat(0, 4), p), 0, 4);
  }
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // two frames of one pixel, C = 2: x_0 = [1 0], x_1 = [0 1]; W_theta = W_phi = [[2 0] [0 0]], W_g = W_z = I,
  // b_z = 0, w_f = [1 0 -1 0]. θ = φ = [[2 0] [0 0]], g = X
  NonLocalParams p;
  p.W_theta = Mat{{2.f, 0.f}, {0.f, 0.f}}, p.W_phi = p.W_theta;
  p.W_g = Mat::Identity(2, 2), p.W_z = Mat::Identity(2, 2), p.b_z = RowVec::Zero(2);
  p.w_f = Vec(4);
  p.w_f << 1.f, 0.f, -1.f, 0.f;
  const Mat X = Mat::Identity(2, 2);
  const double a = std::exp(1.0) / (1 + std::exp(1.0)), b = std::exp(4.0) / (1 + std::exp(4.0));
  struct Expect {
    Kind kind;
    MatD Z;
  };
  const std::vector<Expect> cases = {
      {Kind::Gaussian, MatD{{1 + a, 1 - a}, {1 - a, 1 + a}}},      // softmax of XXᵀ = I
      {Kind::EmbeddedGaussian, MatD{{1 + b, 1 - b}, {0.5, 1.5}}},  // softmax of [[4 0] [0 0]], no scale
      {Kind::DotProduct, MatD{{3, 0}, {0, 1}}},                    // [[4 0] [0 0]] / 2, no softmax
      {Kind::Concatenation, MatD{{1, 1}, {0, 1}}},                 // ReLU(θ_i0 - φ_j0) = [[0 2] [0 0]], / 2
  };
  for (const auto& c : cases) {
    INFO("kind " << kind_name(c.kind));
    p.kind = c.kind;
    check_block("Z", nonlocal_block(X, p), c.Z, X, p, kT1);
  }
  p.kind = Kind::EmbeddedGaussian;
  p.W_z.setZero();
  check_block("Z with W_z = 0 and b_z = 0", nonlocal_block(X, p), MatD::Identity(2, 2), X, p, kT1);
}

ATTN_TEST("embedded Gaussian matches the torch block on an NCTHW video", numeric, 3) {
  using namespace golden::embedded;  // T = 2, H = 3, W = 2 flattened in the generator: row (t·H + h)·W + w
  const NonLocalParams p = make_params(Kind::EmbeddedGaussian, W_theta, W_phi, W_g, W_z, b_z);
  check_block("Z", nonlocal_block(X, p), output, X, p);
}

ATTN_TEST("Gaussian compares the raw features and matches golden values", numeric, 2) {
  using namespace golden::gaussian;  // W_theta and W_phi are set, and must not be read
  const NonLocalParams p = make_params(Kind::Gaussian, W_theta, W_phi, W_g, W_z, b_z);
  check_block("Z", nonlocal_block(X, p), output, X, p);
}

ATTN_TEST("dot product divided by N matches golden values", numeric, 2) {
  using namespace golden::dot;
  const NonLocalParams p = make_params(Kind::DotProduct, W_theta, W_phi, W_g, W_z, b_z);
  check_block("Z", nonlocal_block(X, p), output, X, p);
}

ATTN_TEST("concatenation matches golden values", numeric, 2) {
  using namespace golden::concat;  // about half the pairs are clipped by the ReLU
  const NonLocalParams p = make_params(Kind::Concatenation, W_theta, W_phi, W_g, W_z, b_z, w_f);
  check_block("Z", nonlocal_block(X, p), output, X, p);
}

ATTN_TEST("SAGAN widths with C/8 key and C/2 value channels match golden values", numeric, 1) {
  using namespace golden::sagan;  // one 4×4 image, C = 16: C_k = 2, C_v = 8
  const NonLocalParams p = make_params(Kind::EmbeddedGaussian, W_theta, W_phi, W_g, W_z, b_z);
  check_block("Z", nonlocal_block(X, p), output, X, p);
}

ATTN_TEST("a 4×4×4 video with C = 32 stays within T2", numeric, 1) {
  using namespace golden::wide;  // N = 64; the same inputs through two kinds
  NonLocalParams p = make_params(Kind::EmbeddedGaussian, W_theta, W_phi, W_g, W_z, b_z);
  check_block("Z of the embedded Gaussian", nonlocal_block(X, p), output, X, p);
  p.kind = Kind::DotProduct;
  check_block("Z of the dot product", nonlocal_block(X, p), output_dot, X, p);
}

ATTN_TEST("zero-initialised W_z and b_z give the identity", property, 2) {
  for (GoldenCase c : golden_cases()) {
    INFO("kind " << c.name);
    check_block("Z", nonlocal_block(c.X, c.p), c.output, c.X, c.p);  // first the trained block
    c.p.W_z.setZero();
    c.p.b_z.setZero();
    const Mat Z = nonlocal_block(c.X, c.p);
    if (!check_close("Z with W_z = 0 and b_z = 0", Z, c.X.cast<double>(), Tol{0, 0, "exact"}))
      FAIL_CHECK(
          "with W_z = 0 and b_z = 0 the block must return X exactly: Z = Y·0 + 0 + X. This is how the paper "
          "inserts the block into a pre-trained network without changing it");
  }
}

ATTN_TEST("permuting the positions permutes the output", property, 2) {
  // the block has no positional term: flattening the video in another order gives the same rows, permuted
  std::vector<GoldenCase> cases = golden_cases();
  for (const GoldenCase& c : {cases[1], cases[3]}) {  // embedded Gaussian (N = 12), concatenation (N = 8)
    INFO("kind " << c.name);
    if (!check_block("Z", nonlocal_block(c.X, c.p), c.output, c.X, c.p)) continue;
    const std::vector<int> order = c.X.rows() == 12 ? std::vector<int>{5, 0, 11, 3, 8, 1, 10, 2, 7, 4, 9, 6}
                                                    : std::vector<int>{3, 7, 0, 5, 1, 6, 2, 4};
    const Mat X_perm = rows_in_order(c.X, order);
    if (!check_close("Z of the permuted positions", nonlocal_block(X_perm, c.p),
                     rows_in_order(c.output, order), kT2))
      FAIL_CHECK(
          "row i of the permuted input is position order[i], so row i of the output must be the output of "
          "position order[i]: nothing in the block may depend on where a position sits in X");
  }
}

ATTN_TEST("doubling X multiplies the dot-product term by 8 and the concatenation term by 4", property, 2) {
  // θ, φ and g are linear in X, so the dot product's θφᵀg/N is cubic (×8); ReLU is positively homogeneous,
  // so the concatenation's ReLU(w_fᵀ[θ_i, φ_j]) g / N is quadratic (×4). A softmax or a division by Σ_j f
  // would cancel some of the scale.
  std::vector<GoldenCase> cases = golden_cases();
  for (const auto& [c, factor] : {std::pair{cases[2], 8.0}, std::pair{cases[3], 4.0}}) {
    INFO("kind " << c.name);
    if (!check_block("Z", nonlocal_block(c.X, c.p), c.output, c.X, c.p)) continue;
    const Mat X2 = 2 * c.X;
    const MatD X_d = c.X.cast<double>();
    const Eigen::RowVectorXd b_z = c.p.b_z.cast<double>();
    const MatD term = (c.output - X_d).rowwise() - b_z;  // Y W_z from the golden values
    const MatD expected = (factor * term + 2 * X_d).rowwise() + b_z;
    const Mat got = nonlocal_block(X2, c.p);
    if (check_close("Z of 2X", got, expected, kT2)) continue;
    const MatD twice = (2 * term + 2 * X_d).rowwise() + b_z;
    if (is_close(got, twice, kT3))
      FAIL_CHECK(
          "Y W_z only doubled (with g): the scores were normalised by something that scales with them, "
          "such as their row sum; this kind divides by N");
    else
      diagnose(got, X2, c.p);
  }
}

ATTN_TEST("a single position gives y = g for the Gaussian kinds and f(x x)·g otherwise", edge, 2) {
  // with N = 1 the Gaussian kinds' softmax is 1; the dot product keeps θ·φ / 1 and the concatenation
  // ReLU(w_fᵀ[θ, φ]) / 1. First the golden N = 12 case of the same parameters
  {
    using namespace golden::embedded;
    const NonLocalParams p = make_params(Kind::EmbeddedGaussian, W_theta, W_phi, W_g, W_z, b_z);
    check_block("Z", nonlocal_block(X, p), output, X, p);
  }
  for (GoldenCase c : golden_cases()) {
    INFO("kind " << c.name);
    const Index C = c.X.cols(), C_k = c.p.W_theta.cols();
    // a row whose concatenation score is positive (the first one works for the other kinds)
    Index row = 0;
    if (c.p.kind == Kind::Concatenation)
      while (row + 1 < c.X.rows() &&
             (c.X.row(row) * c.p.W_theta * c.p.w_f.head(C_k) + c.X.row(row) * c.p.W_phi * c.p.w_f.tail(C_k))
                     .value() <= 0.1f)
        ++row;
    const Mat x = c.X.row(row);
    const Eigen::RowVectorXd xd = x.cast<double>().row(0), g = xd * c.p.W_g.cast<double>();
    double f = 1.0;
    if (c.p.kind == Kind::DotProduct) {
      f = (xd * c.p.W_theta.cast<double>()).dot(xd * c.p.W_phi.cast<double>());
    } else if (c.p.kind == Kind::Concatenation) {
      const double score = (xd * c.p.W_theta.cast<double>()).dot(c.p.w_f.head(C_k).cast<double>()) +
                           (xd * c.p.W_phi.cast<double>()).dot(c.p.w_f.tail(C_k).cast<double>());
      f = std::max(0.0, score);
    }
    const MatD expected = (f * g * c.p.W_z.cast<double>() + c.p.b_z.cast<double>() + xd);
    const Mat got = nonlocal_block(x, c.p);
    if (!expect_shape("Z", got, 1, C) || check_close("Z of one position", got, expected, kT2)) continue;
    const MatD softmax_like = g * c.p.W_z.cast<double>() + c.p.b_z.cast<double>() + xd;
    if ((c.p.kind == Kind::DotProduct || c.p.kind == Kind::Concatenation) && is_close(got, softmax_like, kT2))
      FAIL_CHECK("y = g: a softmax or a division by Σ_j f makes the single weight 1. This kind divides f = "
                 << f << " by N = 1");
    else
      diagnose(got, x, c.p);
  }
}

ATTN_TEST("embedded Gaussian logits near 1e4 stay finite", edge, 2) {
  using namespace golden::large;  // inputs ×100; the top two logits of every row are more than 30 apart
  const NonLocalParams p = make_params(Kind::EmbeddedGaussian, W_theta, W_phi, W_g, W_z, b_z);
  const Mat got = nonlocal_block(X, p);
  if (!expect_shape("Z", got, X.rows(), X.cols())) return;
  if (!got.allFinite()) {
    FAIL_CHECK(
        "Z is not finite: exp(logit) overflows float32 above 88.7. Subtract each row's maximum logit before "
        "exponentiating; softmax does not change");
    return;
  }
  check_block("Z", got, output, X, p);
}

ATTN_TEST("a static scene whose Gaussian logits pass 88 stays finite", edge, 2) {
  // three frames of the same 2×2 scene plus noise, features of size ~3 and C = 16: x_i·x_j ≈ 150 between the
  // copies of a pixel, so each pixel attends to itself in every frame, weights about [0.3 0.5 0.2]
  using namespace golden::scene;
  const NonLocalParams p = make_params(Kind::Gaussian, W_theta, W_phi, W_g, W_z, b_z);
  const Mat got = nonlocal_block(X, p);
  if (!expect_shape("Z", got, X.rows(), X.cols())) return;
  if (!got.allFinite()) {
    FAIL_CHECK(
        "Z is not finite: raw features give x_i·x_j ≈ 150 here, and exp overflows float32 above 88.7. "
        "Subtract each row's maximum logit before exponentiating");
    return;
  }
  check_block("Z", got, output, X, p);
}

ATTN_TEST("concatenation scores all clipped by the ReLU give y = 0", edge, 1) {
  using namespace golden::concat;
  NonLocalParams p = make_params(Kind::Concatenation, W_theta, W_phi, W_g, W_z, b_z, w_f);
  check_block("Z", nonlocal_block(X, p), output, X, p);
  // positive inputs and embeddings with negative w_f: every w_fᵀ[θ_i, φ_j] < 0, every f_ij = 0, so y_i = 0
  // and Z = b_z + X. Dividing by Σ_j f instead of N would give 0/0
  const Mat X_pos = X.cwiseAbs();
  p.W_theta = W_theta.cwiseAbs(), p.W_phi = W_phi.cwiseAbs(), p.w_f = -p.w_f.cwiseAbs();
  const Mat got = nonlocal_block(X_pos, p);
  const MatD expected = X_pos.cast<double>().rowwise() + p.b_z.cast<double>();
  if (!expect_shape("Z with every pair clipped", got, X.rows(), X.cols())) return;
  if (!got.allFinite()) {
    FAIL_CHECK("Z is not finite with every f_ij = 0: divide by N (the paper's C(x)), not by Σ_j f_ij = 0");
    return;
  }
  if (!check_close("Z with every pair clipped", got, expected, kT1)) diagnose(got, X_pos, p);
}

ATTN_TEST("parameters a kind does not read may be empty", edge, 1) {
  // the Gaussian kind reads neither W_theta, W_phi nor w_f; only the concatenation reads w_f
  for (GoldenCase c : golden_cases()) {
    INFO("kind " << c.name);
    if (c.p.kind == Kind::Gaussian) c.p.W_theta = Mat(), c.p.W_phi = Mat();
    if (c.p.kind != Kind::Concatenation) c.p.w_f = Vec();
    Mat got;
    try {
      got = nonlocal_block(c.X, c.p);
    } catch (const std::invalid_argument& e) {
      FAIL_CHECK("threw std::invalid_argument (" << std::string(e.what())
                                                 << ") for a parameter this kind does not read");
      continue;
    }
    check_block("Z", got, c.output, c.X, c.p);
  }
}

ATTN_TEST("mismatched shapes or an unknown kind throw std::invalid_argument", edge, 2) {
  const Mat X = Mat::Random(5, 6);  // C = 6; C_k = 3, C_v = 2
  const auto throws = [&](const char* why, Kind kind, auto&& change) {
    INFO(std::string(why));
    NonLocalParams p = random_params(kind, 6, 3, 2);
    CHECK_NOTHROW(nonlocal_block(X, p));
    change(p);
    CHECK_THROWS_AS(nonlocal_block(X, p), std::invalid_argument);
  };
  throws("W_g must have C = 6 rows", Kind::EmbeddedGaussian,
         [](NonLocalParams& p) { p.W_g = Mat::Random(5, 2); });
  throws("W_z must have W_g.cols() = 2 rows", Kind::Gaussian,
         [](NonLocalParams& p) { p.W_z = Mat::Random(3, 6); });
  throws("W_z must have C = 6 columns", Kind::DotProduct,
         [](NonLocalParams& p) { p.W_z = Mat::Random(2, 5); });
  throws("b_z must have C = 6 entries", Kind::Concatenation,
         [](NonLocalParams& p) { p.b_z = RowVec::Random(5); });
  throws("W_theta must have C = 6 rows", Kind::EmbeddedGaussian,
         [](NonLocalParams& p) { p.W_theta = Mat::Random(4, 3); });
  throws("W_phi must have C = 6 rows", Kind::DotProduct,
         [](NonLocalParams& p) { p.W_phi = Mat::Random(7, 3); });
  throws("W_theta and W_phi must have the same width C_k", Kind::DotProduct,
         [](NonLocalParams& p) { p.W_phi = Mat::Random(6, 4); });
  throws("w_f must have 2·C_k = 6 entries", Kind::Concatenation,
         [](NonLocalParams& p) { p.w_f = Vec::Random(3); });
  throws("an unknown kind", Kind::EmbeddedGaussian, [](NonLocalParams& p) { p.kind = static_cast<Kind>(7); });
}
