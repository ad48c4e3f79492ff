// p12 mult_crossmodal_attention — graded tests. Golden values: tools/golden/p12.py (torch.nn.LayerNorm +
// torch.nn.MultiheadAttention in float64, cross-checked with a numpy loop and with key_padding_mask). Every
// numeric, property and edge test (argument checks aside) compares with golden or independently computed
// numbers, so returning zeros, the target itself or uniform weights earns only the shape and argument points.
#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "golden.inc"
#include "mult_crossmodal_attention.h"

using namespace attn;
using namespace attn::check;

namespace {

using RowD = Eigen::RowVectorXd;

CrossmodalParams make_params(const Mat& gamma, const Mat& beta, const Mat& Wq, const Mat& Wk, const Mat& Wv,
                             const Mat& Wo, const Mat& bq, const Mat& bk, const Mat& bv, const Mat& bo,
                             int num_heads) {
  CrossmodalParams p;
  p.ln.gamma = gamma.row(0), p.ln.beta = beta.row(0);
  p.mha.Wq = Wq, p.mha.Wk = Wk, p.mha.Wv = Wv, p.mha.Wo = Wo;
  p.mha.bq = bq.row(0), p.mha.bk = bk.row(0), p.mha.bv = bv.row(0), p.mha.bo = bo.row(0);
  p.mha.num_heads = num_heads;
  return p;
}

// Random parameters for shape and argument tests: weights of scale 1/sqrt(d) like a trained layer's.
CrossmodalParams random_params(Index d, int num_heads) {
  const float s = 1.f / std::sqrt(static_cast<float>(d));
  CrossmodalParams p;
  p.ln.gamma = RowVec::Ones(d) + 0.3f * RowVec::Random(d), p.ln.beta = 0.2f * RowVec::Random(d);
  p.mha.Wq = s * Mat::Random(d, d), p.mha.Wk = s * Mat::Random(d, d);
  p.mha.Wv = s * Mat::Random(d, d), p.mha.Wo = s * Mat::Random(d, d);
  p.mha.bq = 0.3f * RowVec::Random(d), p.mha.bk = 0.3f * RowVec::Random(d);
  p.mha.bv = 0.3f * RowVec::Random(d), p.mha.bo = 0.3f * RowVec::Random(d);
  p.mha.num_heads = num_heads;
  return p;
}

// A golden block case: inputs, parameters and the expected output (T_a, d).
struct Case {
  Mat target, source;
  Keep valid;
  CrossmodalParams p;
  MatD output;
};

Case block_case() {
  using namespace golden::block;
  return {target, source, source_valid.col(0),
          make_params(ln_gamma, ln_beta, Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads), output};
}
Case padded_case() {
  using namespace golden::padded;
  return {target, source, source_valid.col(0),
          make_params(ln_gamma, ln_beta, Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads), output};
}
Case flat_case() {
  using namespace golden::flat;
  return {target, source, source_valid.col(0),
          make_params(ln_gamma, ln_beta, Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads), output};
}
Case wide_case() {
  using namespace golden::wide;
  return {target, source, source_valid.col(0),
          make_params(ln_gamma, ln_beta, Wq, Wk, Wv, Wo, bq, bk, bv, bo, num_heads), output};
}

struct FuseCase {
  Mat target;
  std::vector<Mat> sources;
  std::vector<Keep> valids;
  std::vector<CrossmodalParams> params;
};
FuseCase fuse_case() {
  using namespace golden::fuse;
  return {target,
          {source0, source1},
          {valid0.col(0), valid1.col(0)},
          {make_params(s0_ln_gamma, s0_ln_beta, s0_Wq, s0_Wk, s0_Wv, s0_Wo, s0_bq, s0_bk, s0_bv, s0_bo,
                       s0_num_heads),
           make_params(s1_ln_gamma, s1_ln_beta, s1_Wq, s1_Wk, s1_Wv, s1_Wo, s1_bq, s1_bk, s1_bv, s1_bo,
                       s1_num_heads)}};
}

// ---- a model in double: the oracle of the single-frame and worked-example tests, and the classic mistakes
// for diagnosis. Never a golden value. ----

enum class Norm { correct, sample_variance, eps_outside_root, no_affine, over_positions };

MatD layer_norm_double(const MatD& X, const LayerNormParams& ln, Norm v = Norm::correct) {
  const RowD gamma = ln.gamma.cast<double>(), beta = ln.beta.cast<double>();
  const double eps = ln.eps;
  if (v == Norm::over_positions) {  // each feature normalised over the rows: BatchNorm's axis
    if (X.rows() < 2) return X;
    const RowD mean = X.colwise().mean();
    const MatD centred = X.rowwise() - mean;
    const RowD var = centred.colwise().squaredNorm() / static_cast<double>(X.rows());
    MatD Y = centred.array().rowwise() / (var.array() + eps).sqrt();
    return (Y.array().rowwise() * gamma.array()).rowwise() + beta.array();
  }
  MatD Y(X.rows(), X.cols());
  const double d = static_cast<double>(X.cols());
  for (Index i = 0; i < X.rows(); ++i) {
    const RowD centred = X.row(i).array() - X.row(i).mean();
    const double var = centred.squaredNorm() / (v == Norm::sample_variance ? d - 1 : d);
    const double denom = v == Norm::eps_outside_root ? std::sqrt(var) + eps : std::sqrt(var + eps);
    Y.row(i) = centred / denom;
    if (v != Norm::no_affine) Y.row(i) = Y.row(i).cwiseProduct(gamma) + beta;
  }
  return Y;
}

enum class Block {
  correct,
  paper_residual,    // LN(target) + attention, as the paper's equation writes it
  no_residual,       // the attention alone
  post_norm,         // LN(target + MHA(target, source, source)): the original Transformer's post-LN
  no_source_norm,    // keys and values from the raw source
  no_target_norm,    // queries from the raw target
  scale_d_model,     // 1/sqrt(d) instead of 1/sqrt(d_h)
  padding_attended,  // every source frame, valid or not
  inverted_valid,    // true read as "padding"
};

MatD block_double(const Mat& target, const Mat& source, const Keep& valid, const CrossmodalParams& p,
                  Block v = Block::correct, Norm norm = Norm::correct) {
  std::vector<Index> frames;
  for (Index j = 0; j < source.rows(); ++j)
    if (v == Block::padding_attended || (v == Block::inverted_valid ? !valid(j) : valid(j)))
      frames.push_back(j);
  const MatD X = target.cast<double>(), S = source(frames, Eigen::all).cast<double>();
  const MHAParams& m = p.mha;
  const bool raw_query = v == Block::post_norm || v == Block::no_target_norm;
  const bool raw_source = v == Block::post_norm || v == Block::no_source_norm;
  const MatD q_in = raw_query ? X : layer_norm_double(X, p.ln, norm);
  const MatD kv_in = raw_source ? S : layer_norm_double(S, p.ln, norm);
  const Index d = X.cols(), d_h = d / m.num_heads;
  MatD concat = MatD::Zero(X.rows(), d);
  if (!frames.empty()) {
    const MatD Q = (q_in * m.Wq.cast<double>()).rowwise() + m.bq.cast<double>();
    const MatD K = (kv_in * m.Wk.cast<double>()).rowwise() + m.bk.cast<double>();
    const MatD V = (kv_in * m.Wv.cast<double>()).rowwise() + m.bv.cast<double>();
    const double scale = 1.0 / std::sqrt(static_cast<double>(v == Block::scale_d_model ? d : d_h));
    for (Index h = 0; h < m.num_heads; ++h) {
      MatD A = scale * Q.middleCols(h * d_h, d_h) * K.middleCols(h * d_h, d_h).transpose();
      for (Index i = 0; i < A.rows(); ++i) {
        A.row(i) = (A.row(i).array() - A.row(i).maxCoeff()).exp().matrix();
        A.row(i) /= A.row(i).sum();
      }
      concat.middleCols(h * d_h, d_h) = A * V.middleCols(h * d_h, d_h);
    }
  }
  const MatD attention = (concat * m.Wo.cast<double>()).rowwise() + m.bo.cast<double>();
  switch (v) {
    case Block::paper_residual:
      return q_in + attention;
    case Block::no_residual:
      return attention;
    case Block::post_norm:
      return layer_norm_double(X + attention, p.ln, norm);
    default:
      return X + attention;
  }
}

// The diagnosis compares loosely: a mistake's model in double need not match to T2.
constexpr Tol kLoose{1e-4, 1e-4, "diagnosis"};

// Name the classic mistakes of layer_norm when a golden comparison fails.
void diagnose_norm(const Mat& got, const Mat& X, const LayerNormParams& ln) {
  if (!got.allFinite()) {
    FAIL_CHECK(
        "layer_norm returned NaN or inf: a constant row has variance 0, so add eps inside the root, "
        "sqrt(var + eps), and never divide by the bare standard deviation");
    return;
  }
  const MatD truth = layer_norm_double(X.cast<double>(), ln);
  auto named = [&](Norm v, const char* msg) {
    const MatD alt = layer_norm_double(X.cast<double>(), ln, v);
    if (is_close(got, alt, kLoose) && !is_close(alt, truth, kLoose)) FAIL_CHECK(std::string(msg));
  };
  named(Norm::sample_variance,
        "the variance divides by d - 1: LayerNorm uses the population variance, the mean of the squared "
        "deviations (torch.var's default is the unbiased d - 1 form, which is why this slips in)");
  named(Norm::eps_outside_root,
        "eps is added to the standard deviation: LayerNorm divides by sqrt(var + eps)");
  named(Norm::no_affine, "the result is the plain standardised row: multiply by gamma and add beta");
  named(Norm::over_positions,
        "each feature was normalised over the rows (BatchNorm's axis): LayerNorm normalises each row over "
        "its d "
        "features, so a row's result never depends on the other rows");
  // rows whose mean is far from 0 compared with their spread are where E[x²] − mean² cancels in float32
  if (got.rows() == X.rows() && got.cols() == X.cols()) {
    bool only_offset_rows_wrong = false, some_row_right = false;
    for (Index i = 0; i < X.rows(); ++i) {
      const double mean = X.row(i).cast<double>().mean();
      const double spread = std::sqrt((X.row(i).cast<double>().array() - mean).square().mean());
      const bool right = is_close(got.row(i), truth.row(i), kT2);
      some_row_right |= right;
      if (!right) {
        if (std::abs(mean) < 5 * spread) return;
        only_offset_rows_wrong = true;
      }
    }
    if (only_offset_rows_wrong && some_row_right)
      FAIL_CHECK(
          "only the rows with a large mean (about 20 ± 1) are wrong: E[x²] − mean² subtracts two "
          "numbers near 400 in float32 and loses most of the variance's digits. Centre the row first, "
          "then average the squared deviations (two passes)");
  }
}

// Name the classic mistakes of the block when a golden comparison fails.
void diagnose(const Mat& got, const Mat& target, const Mat& source, const Keep& valid,
              const CrossmodalParams& p) {
  if (!got.allFinite()) {
    FAIL_CHECK(
        "the result holds NaN or inf: padded source rows must never be read (drop them before the "
        "LayerNorm and the projections; 0 · NaN is NaN), and a constant row needs sqrt(var + eps)");
    return;
  }
  const MatD truth = block_double(target, source, valid, p);
  auto named = [&](Block v, Norm norm, const char* msg) {
    const MatD alt = block_double(target, source, valid, p, v, norm);
    if (is_close(got, alt, kLoose) && !is_close(alt, truth, kLoose)) {
      FAIL_CHECK(std::string(msg));
      return true;
    }
    return false;
  };
  const Norm ok = Norm::correct;
  named(
      Block::paper_residual, ok,
      "the output is LN(target) + attention, the paper's equation: the official code (and this problem) adds "
      "the raw target, target + attention");
  named(Block::no_residual, ok,
        "the output is the attention alone: add the target (the residual connection)");
  named(Block::post_norm, ok,
        "the output is LN(target + MHA(target, source)), the original Transformer's post-LayerNorm: MulT "
        "normalises before the attention (pre-LN) and adds the raw target after it");
  named(Block::no_source_norm, ok,
        "the keys and values come from the raw source: the one LayerNorm is shared, applied to the target "
        "(query) "
        "and to the source (key and value) alike");
  named(Block::no_target_norm, ok, "the queries come from the raw target: apply the LayerNorm to it first");
  named(
      Block::scale_d_model, ok,
      "the scores are scaled by 1/sqrt(d): each head takes dot products of d_h = d / num_heads features, so "
      "scale by 1/sqrt(d_h)");
  named(Block::padding_attended, ok,
        "padded source frames take part in the attention: frames with source_valid false get no weight");
  named(
      Block::inverted_valid, ok,
      "only the padded frames were attended: source_valid = true marks a real frame (nn.MultiheadAttention's "
      "key_padding_mask is the opposite: true = ignore)");
  named(Block::correct, Norm::sample_variance,
        "the LayerNorm divides the variance by d - 1: it uses the population variance (divide by d)");
  named(Block::correct, Norm::eps_outside_root,
        "the LayerNorm adds eps outside the root: use sqrt(var + eps)");
  named(Block::correct, Norm::no_affine, "the LayerNorm ignores gamma and beta: gamma ⊙ x̂ + beta");
}

// Runs one block case and compares with its golden output; names a classic mistake when they differ.
bool check_case(const std::string& what, const Case& c, const Mat& source) {
  const Mat got = crossmodal_block(c.target, source, c.valid, c.p);
  if (!expect_shape(what, got, c.target.rows(), c.target.cols())) return false;
  if (check_close(what, got, c.output, kT2)) return true;
  diagnose(got, c.target, c.source, c.valid, c.p);
  return false;
}
bool check_case(const std::string& what, const Case& c) {
  return check_case(what, c, c.source);
}

// NaN and 1e30 in the padded rows of a source (the statement: padding may hold anything).
Mat poisoned(const Mat& source, const Keep& valid) {
  Mat bad = source;
  int n = 0;
  for (Index j = 0; j < source.rows(); ++j)
    if (!valid(j)) {
      bad.row(j).setConstant(n % 3 == 0 ? NAN : n % 3 == 1 ? 1e30f : -1e30f);
      if (n++ % 3 == 2) bad(j, 0) = NAN;
    }
  return bad;
}

}  // namespace

ATTN_TEST("shapes: layer_norm n×d and crossmodal_block T_a×d for any T_b and mult_fuse T_a×S·d", shape, 1) {
  const CrossmodalParams p = random_params(8, 2), q = random_params(8, 4);
  const Mat target = Mat::Random(3, 8);
  expect_shape("layer_norm of a 3×8 input", layer_norm(target, p.ln), 3, 8);
  for (const Index T_b : {5, 1, 2}) {
    CAPTURE(T_b);
    const Mat got = crossmodal_block(target, Mat::Random(T_b, 8), Keep::Constant(T_b, true), p);
    if (got.rows() == T_b && T_b != 3)
      FAIL_CHECK(
          "the output has one row per source frame: the queries come from the target, so the output "
          "follows the target's length T_a");
    expect_shape("crossmodal_block with T_a = 3", got, 3, 8);
  }
  const Mat Z = mult_fuse(target, {Mat::Random(5, 8), Mat::Random(2, 8)},
                          {Keep::Constant(5, true), Keep::Constant(2, true)}, {p, q});
  if (Z.rows() == 6 && Z.cols() == 8)
    FAIL_CHECK("the two blocks were stacked as rows: MulT concatenates them along the features, T_a × 2d");
  if (Z.rows() == 3 && Z.cols() == 8)
    FAIL_CHECK("the result has d columns: the blocks are concatenated side by side (T_a × S·d), not added");
  expect_shape("mult_fuse of 2 sources, d = 8", Z, 3, 16);
}

ATTN_TEST("a single source frame gets weight 1: every target row adds the same vector", shape, 1) {
  // with one key every head's softmax is [1], so the attention is ((LN(s) Wv + bv) Wo + bo) for every target
  // row
  const CrossmodalParams p = random_params(6, 3);
  const Mat target = Mat::Random(4, 6), source = 2 * Mat::Random(1, 6);
  const Mat got = crossmodal_block(target, source, Keep::Constant(1, true), p);
  const MatD v =
      (layer_norm_double(source.cast<double>(), p.ln) * p.mha.Wv.cast<double>()) + p.mha.bv.cast<double>();
  const RowD added = v * p.mha.Wo.cast<double>() + p.mha.bo.cast<double>();
  check_close("crossmodal_block with T_b = 1", got, MatD(target.cast<double>().rowwise() + added), kT2);
}

ATTN_TEST("worked example from the statement (d = 2 and identity weights)", numeric, 2) {
  // target [[1, 3], [4, 0]], source [[0, 2], [6, 2], [5, 5]], every W = I, every b = 0, gamma = 1, beta = 0,
  // 1 head
  Mat target(2, 2), source(3, 2);
  target << 1, 3, 4, 0;
  source << 0, 2, 6, 2, 5, 5;
  CrossmodalParams p;
  p.ln.gamma = RowVec::Ones(2), p.ln.beta = RowVec::Zero(2);
  p.mha.Wq = p.mha.Wk = p.mha.Wv = p.mha.Wo = Mat::Identity(2, 2);
  p.mha.bq = p.mha.bk = p.mha.bv = p.mha.bo = RowVec::Zero(2);
  p.mha.num_heads = 1;
  // a two-feature row [a, b] normalises to ±(1, -1)·|a - b|/2 / sqrt((a - b)²/4 + eps); the constant [5, 5]
  // to 0
  const double eps = p.ln.eps, c1 = 1 / std::sqrt(1 + eps), c2 = 2 / std::sqrt(4 + eps);
  check_close("layer_norm(target)", layer_norm(target, p.ln), MatD{{-c1, c1}, {c2, -c2}}, kT1);
  check_close("layer_norm(source)", layer_norm(source, p.ln), MatD{{-c1, c1}, {c2, -c2}, {0, 0}}, kT1);
  // target row 0 scores (2c1², -2c1c2, 0)/sqrt(2); row 1 scores (-2c1c2, 2c2², 0)/sqrt(2)
  auto row = [&](double s0, double s1, const RowD& x) {
    const double e0 = std::exp(s0 / std::sqrt(2.0)), e1 = std::exp(s1 / std::sqrt(2.0)), sum = e0 + e1 + 1;
    return RowD(x + (e0 / sum) * RowD{{-c1, c1}} + (e1 / sum) * RowD{{c2, -c2}});
  };
  MatD expected(2, 2);
  expected.row(0) = row(2 * c1 * c1, -2 * c1 * c2, RowD{{1, 3}});  // ≈ (0.27748, 3.72252)
  expected.row(1) = row(-2 * c1 * c2, 2 * c2 * c2, RowD{{4, 0}});  // ≈ (4.72253, -0.72253)
  const Mat got = crossmodal_block(target, source, Keep::Constant(3, true), p);
  if (!check_close("crossmodal_block", got, expected, kT1))
    diagnose(got, target, source, Keep::Constant(3, true), p);
}

ATTN_TEST("layer_norm matches torch.nn.LayerNorm with constant and offset rows and a large eps", numeric, 2) {
  {
    using namespace golden::ln;  // rows: plain, 3 + 5N, 20 ± 1, constant 2.5, variance < eps, plain, -24
                                 // ± 1.2
    LayerNormParams ln;
    ln.gamma = ln_gamma.row(0), ln.beta = ln_beta.row(0);
    const Mat got = layer_norm(X, ln);
    if (!check_close("layer_norm", got, Y, kT2)) diagnose_norm(got, X, ln);
  }
  {
    using namespace golden::ln_eps;  // eps = 0.1; row 2 has variance ~ 2.5e-3, far below eps
    LayerNormParams ln;
    ln.gamma = ln_gamma.row(0), ln.beta = ln_beta.row(0), ln.eps = eps;
    const Mat got = layer_norm(X, ln);
    if (!check_close("layer_norm with eps = 0.1", got, Y, kT2)) {
      LayerNormParams fixed = ln;
      fixed.eps = 1e-5f;
      if (is_close(got, layer_norm_double(X.cast<double>(), fixed), kLoose))
        FAIL_CHECK("that is eps = 1e-5: use the eps in LayerNormParams, not a hard-coded constant");
      else
        diagnose_norm(got, X, ln);
    }
  }
}

ATTN_TEST("a crossmodal block matches torch LayerNorm and MultiheadAttention", numeric, 3) {
  check_case("crossmodal_block", block_case());
}

ATTN_TEST("padding anywhere in the source matches torch", numeric, 3) {
  check_case("crossmodal_block with frames 1 4 and 7 padded", padded_case());
}

ATTN_TEST("mult_fuse puts the two crossmodal blocks side by side in source order", numeric, 3) {
  using golden::fuse::output;
  const FuseCase f = fuse_case();
  const Mat got = mult_fuse(f.target, f.sources, f.valids, f.params);
  if (!expect_shape("mult_fuse", got, 4, 16) || check_close("mult_fuse", got, output, kT2)) return;
  const bool left = is_close(got.leftCols(8), output.leftCols(8)),
             right = is_close(got.rightCols(8), output.rightCols(8));
  if (is_close(got.leftCols(8), output.rightCols(8)) && is_close(got.rightCols(8), output.leftCols(8)))
    FAIL_CHECK("the two halves are swapped: source s fills columns [s·d, (s+1)·d)");
  else if (left && !right)
    FAIL_CHECK(
        "source 0's half is right and source 1's is not: source 1 has its own params[1] and its own "
        "valids[1] (its frame 2 is padding)");
  else if (!left && !right)
    for (size_t s = 0; s < 2; ++s) {
      CAPTURE(s);
      diagnose(got.middleCols(static_cast<Index>(s) * 8, 8), f.target, f.sources[s], f.valids[s],
               f.params[s]);
    }
}

ATTN_TEST("a 16×24 case with d = 32 and 4 heads and poisoned padding stays within T2", numeric, 1) {
  const Case c = wide_case();  // source frames 20..23 are padding, here NaN and ±1e30
  check_case("crossmodal_block, T_a = 16 and T_b = 24", c, poisoned(c.source, c.valid));
}

ATTN_TEST("padded source frames holding NaN or 1e30 do not leak", property, 3) {
  for (const Case& c : {padded_case(), wide_case()}) {
    const Mat bad = poisoned(c.source, c.valid);
    const Mat got = crossmodal_block(c.target, bad, c.valid, c.p);
    if (!check_finite("output with poisoned padded frames", got)) {
      FAIL_CHECK(
          "a padded frame must never be read: keep only the valid source rows before the LayerNorm and "
          "the projections. Masking the scores is not enough when V' still holds the NaN row (0 · NaN "
          "is NaN), and a 1e30 row's LayerNorm is not finite either");
      return;
    }
    if (!check_close("output with poisoned padded frames", got, c.output, kT2)) {
      diagnose(got, c.target, c.source, c.valid, c.p);
      return;
    }
  }
}

ATTN_TEST("permuting source frames with their validity leaves the output unchanged", property, 2) {
  const Case c = padded_case();
  if (!check_case("crossmodal_block", c)) return;
  // attention is a weighted sum over the source frames: their order cannot matter (no positions here)
  const std::vector<int> order{7, 2, 5, 0, 8, 4, 1, 6, 3};
  Keep valid(9);
  for (Index j = 0; j < 9; ++j) valid(j) = c.valid(order[static_cast<size_t>(j)]);
  check_close("output with permuted source frames",
              crossmodal_block(c.target, rows_in_order(c.source, order), valid, c.p), c.output, kT2);
}

ATTN_TEST("permuting target frames permutes the output rows", property, 2) {
  const Case c = block_case();
  if (!check_case("crossmodal_block", c)) return;
  // each target row is normalised, queries and is added back on its own
  const std::vector<int> order{3, 0, 4, 1, 2};
  check_close("output of permuted target frames",
              crossmodal_block(rows_in_order(c.target, order), c.source, c.valid, c.p),
              rows_in_order(c.output, order), kT2);
}

ATTN_TEST("a per-row affine change of the source leaves the output unchanged", property, 2) {
  using golden::block::a_source, golden::block::b_source;
  const Case c = block_case();
  if (!check_case("crossmodal_block", c)) return;
  // LN(a x + b) = LN(x) for a > 0 and one scalar b per row (up to eps; the rows here have variance ~6)
  Mat source = c.source;
  for (Index j = 0; j < source.rows(); ++j)
    source.row(j) = (a_source(j, 0) * source.row(j)).array() + b_source(j, 0);
  if (!check_close("output with source row j replaced by a_j x_j + b_j",
                   crossmodal_block(c.target, source, c.valid, c.p), c.output, kT2))
    FAIL_CHECK(
        "rescaling or shifting a source frame must not matter: the source goes through the same "
        "LayerNorm as the target before its keys and values are projected");
}

ATTN_TEST("a per-row affine change of the target moves only the residual", property, 2) {
  using golden::block::a_target, golden::block::b_target;
  const Case c = block_case();
  if (!check_case("crossmodal_block", c)) return;
  // the target enters the attention only through LN(target), which a_i x_i + b_i does not change, and the
  // residual adds the raw target: Y' - target' = Y - target
  Mat target = c.target;
  for (Index i = 0; i < target.rows(); ++i)
    target.row(i) = (a_target(i, 0) * target.row(i)).array() + b_target(i, 0);
  const MatD attention = c.output - c.target.cast<double>();
  if (!check_close("output with target row i replaced by a_i x_i + b_i",
                   crossmodal_block(target, c.source, c.valid, c.p), MatD(target.cast<double>() + attention),
                   kT2))
    FAIL_CHECK(
        "Y - target must not change: the queries come from LN(target), and the residual adds the raw "
        "target (adding LN(target), or normalising after the residual, breaks this)");
}

ATTN_TEST("constant rows and large offsets stay finite and match torch", edge, 2) {
  // target rows: 20 ± 1, constant 2.5, plain, variance < eps; source rows: -24 ± 1.2, constant 2.5, variance
  // < eps, plain, 20 ± 1, plain
  const Case c = flat_case();
  const Mat constant = layer_norm(c.target.row(1), c.p.ln);  // 2.5 eight times: the mean is exact
  if (!check_finite("layer_norm of a constant row", constant))
    FAIL_CHECK("a constant row has variance 0: (x - mean) / sqrt(0 + eps) = 0, so the row becomes beta");
  else
    check_close("layer_norm of a constant row", constant, c.p.ln.beta.cast<double>(), kT1);
  const Mat got = crossmodal_block(c.target, c.source, c.valid, c.p);
  if (!check_finite("crossmodal_block", got)) {
    FAIL_CHECK(
        "a constant row has variance 0 and needs sqrt(var + eps); and E[x²] − mean² can come out "
        "negative in float32 for a row at 20 ± 1: centre the row first (two passes)");
    return;
  }
  if (!check_close("crossmodal_block", got, c.output, kT2)) {
    const Mat both = (Mat(10, 8) << c.target, c.source).finished();
    diagnose_norm(layer_norm(both, c.p.ln), both, c.p.ln);
    diagnose(got, c.target, c.source, c.valid, c.p);
  }
}

ATTN_TEST("a source with no valid frame adds only bo to the target", edge, 2) {
  const Case c = padded_case();
  if (!check_case("crossmodal_block", c)) return;
  // every frame padded (and NaN): each head has nothing to attend to, its output is 0, so Y = target + bo
  const MatD expected = c.target.cast<double>().rowwise() + c.p.mha.bo.cast<double>();
  const Keep none = Keep::Constant(9, false);
  const Mat got = crossmodal_block(c.target, Mat::Constant(9, 12, NAN), none, c.p);
  if (!check_finite("output with every frame padded", got))
    FAIL_CHECK("with no valid frame there is nothing to normalise over: return target + bo, not 0/0 = NaN");
  else if (!check_close("output with every frame padded", got, expected, kT1) &&
           is_close(got, c.target.cast<double>()))
    FAIL_CHECK("the output is the target alone: the zero heads still go through the output layer, adding bo");
  check_close("output with T_b = 0", crossmodal_block(c.target, Mat(0, 12), Keep(0), c.p), expected, kT1);
}

ATTN_TEST("bad layer_norm arguments throw std::invalid_argument", edge, 1) {
  const Mat X = Mat::Random(3, 8);
  LayerNormParams ok;
  ok.gamma = RowVec::Ones(8), ok.beta = RowVec::Zero(8);
  CHECK_NOTHROW(layer_norm(X, ok));
  LayerNormParams bad = ok;
  bad.gamma = RowVec::Ones(7);
  CHECK_THROWS_AS_MESSAGE(layer_norm(X, bad), std::invalid_argument, "gamma has 7 entries, d = 8");
  bad = ok, bad.beta = RowVec::Zero(9);
  CHECK_THROWS_AS_MESSAGE(layer_norm(X, bad), std::invalid_argument, "beta has 9 entries, d = 8");
  bad = ok, bad.eps = -1e-5f;
  CHECK_THROWS_AS_MESSAGE(layer_norm(X, bad), std::invalid_argument, "eps < 0");
  bad = ok, bad.eps = NAN;
  CHECK_THROWS_AS_MESSAGE(layer_norm(X, bad), std::invalid_argument, "eps is NaN");
  bad.gamma = bad.beta = RowVec(0), bad.eps = 1e-5f;
  CHECK_THROWS_AS_MESSAGE(layer_norm(Mat(3, 0), bad), std::invalid_argument, "X has no columns");
}

ATTN_TEST("mismatched block shapes and head counts throw std::invalid_argument", edge, 2) {
  const Mat target = Mat::Random(3, 8), source = Mat::Random(5, 8);
  const Keep valid = Keep::Constant(5, true);
  const CrossmodalParams p = random_params(8, 2);
  CHECK_NOTHROW(crossmodal_block(target, source, valid, p));
  auto throws = [&](const CrossmodalParams& bad, const std::string& why) {
    CHECK_THROWS_AS_MESSAGE(crossmodal_block(target, source, valid, bad), std::invalid_argument, why);
  };
  for (const int heads : {0, -2, 3}) {
    CrossmodalParams bad = p;
    bad.mha.num_heads = heads;
    CAPTURE(heads);
    throws(bad, "num_heads <= 0 or d = 8 not divisible by num_heads");
  }
  for (Mat MHAParams::*W : {&MHAParams::Wq, &MHAParams::Wk, &MHAParams::Wv, &MHAParams::Wo})
    for (const int rows : {8, 6}) {
      CrossmodalParams bad = p;
      bad.mha.*W = Mat::Random(rows, 14 - rows);  // 8×6, then 6×8
      CAPTURE(rows);
      throws(bad, "a weight that is not 8×8");
    }
  for (RowVec MHAParams::*b : {&MHAParams::bq, &MHAParams::bk, &MHAParams::bv, &MHAParams::bo}) {
    CrossmodalParams bad = p;
    bad.mha.*b = RowVec::Random(7);
    throws(bad, "a bias with 7 entries, d = 8");
  }
  CrossmodalParams bad = p;
  bad.ln.gamma = RowVec::Ones(6);
  throws(bad, "gamma with 6 entries, d = 8");
  bad = p, bad.ln.beta = RowVec::Zero(9);
  throws(bad, "beta with 9 entries, d = 8");
  bad = p, bad.ln.eps = -1.f;
  throws(bad, "eps < 0");
  CHECK_THROWS_AS_MESSAGE(crossmodal_block(target, Mat::Random(5, 6), valid, p), std::invalid_argument,
                          "source has 6 columns, the target 8");
  CHECK_THROWS_AS_MESSAGE(crossmodal_block(target, source, Keep::Constant(4, true), p), std::invalid_argument,
                          "source_valid has 4 entries, the source 5 frames");
}

ATTN_TEST("mult_fuse with empty or mismatched lists throws std::invalid_argument", edge, 1) {
  const Mat target = Mat::Random(3, 8), a = Mat::Random(5, 8), b = Mat::Random(2, 8);
  const Keep va = Keep::Constant(5, true), vb = Keep::Constant(2, true);
  const CrossmodalParams p = random_params(8, 2), q = random_params(8, 2);
  CHECK_NOTHROW(mult_fuse(target, {a, b}, {va, vb}, {p, q}));
  CHECK_THROWS_AS_MESSAGE(mult_fuse(target, {}, {}, {}), std::invalid_argument, "no source at all");
  CHECK_THROWS_AS_MESSAGE(mult_fuse(target, {a, b}, {va}, {p, q}), std::invalid_argument,
                          "2 sources, 1 valids");
  CHECK_THROWS_AS_MESSAGE(mult_fuse(target, {a, b}, {va, vb}, {p}), std::invalid_argument,
                          "2 sources, 1 params");
  CHECK_THROWS_AS_MESSAGE(mult_fuse(target, {a, b}, {va, vb}, {p, q, p}), std::invalid_argument,
                          "2 sources, 3 params");
  CHECK_THROWS_AS_MESSAGE(mult_fuse(target, {a, Mat::Random(2, 6)}, {va, vb}, {p, q}), std::invalid_argument,
                          "source 1 has 6 columns, d = 8");
  CHECK_THROWS_AS_MESSAGE(mult_fuse(target, {a, b}, {va, Keep::Constant(3, true)}, {p, q}),
                          std::invalid_argument, "valids[1] has 3 entries, source 1 has 2 frames");
}
