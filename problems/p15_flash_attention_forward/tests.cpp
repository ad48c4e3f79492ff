// p15 flash_attention_forward — graded tests. Golden values: tools/golden/p15.py (dense masked attention and
// torch.logsumexp in float64, cross-checked with a numpy loop over rows and nn.MultiheadAttention's weights).
// The 20 000-token test also reports speed and peak memory next to two baselines compiled here; those
// figures are notes, never points.
#include <attnkata/graded.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <fstream>
#include <functional>
#include <limits>
#include <new>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "flash_attention_forward.h"
#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

using VecD = Eigen::VectorXd;
constexpr float kNaN = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

struct Blocks {
  int q, k;
};

std::string label(Blocks b) {
  return "block_q = " + std::to_string(b.q) + ", block_k = " + std::to_string(b.k);
}

Keep keep_of(const Mask& row) {
  return row.row(0).transpose();
}


// ---- diagnosis only, never a golden value: dense attention in double over the keys allow(i, j) admits ----

struct Dense {
  MatD output;
  VecD lse, row_max;  // row_max: the largest allowed score of each row (m at the end of the sweep)
};

Dense dense_model(const Mat& Q, const Mat& K, const Mat& V, double scale,
                  const std::function<bool(Index, Index)>& allow) {
  const MatD S = scale * (Q.cast<double>() * K.cast<double>().transpose());
  Dense r{MatD::Zero(Q.rows(), V.cols()), VecD::Constant(Q.rows(), -INFINITY),
          VecD::Constant(Q.rows(), -INFINITY)};
  for (Index i = 0; i < Q.rows(); ++i) {
    for (Index j = 0; j < K.rows(); ++j)
      if (allow(i, j)) r.row_max(i) = std::max(r.row_max(i), S(i, j));
    if (r.row_max(i) == -INFINITY) continue;
    double sum = 0;
    for (Index j = 0; j < K.rows(); ++j)
      if (allow(i, j)) {
        const double w = std::exp(S(i, j) - r.row_max(i));
        sum += w;
        r.output.row(i) += w * V.row(j).cast<double>();
      }
    r.output.row(i) /= sum;
    r.lse(i) = r.row_max(i) + std::log(sum);
  }
  return r;
}

struct Call {
  const Mat& Q;
  const Mat& K;
  const Mat& V;
  Blocks blocks;
  bool causal = false;
  std::optional<float> scale = std::nullopt;
  const Keep* valid = nullptr;

  FlashOut run() const {
    return valid ? flash_attention_forward(Q, K, V, blocks.q, blocks.k, causal, scale, *valid)
                 : flash_attention_forward(Q, K, V, blocks.q, blocks.k, causal, scale);
  }
  double scale_value() const { return scale ? double(*scale) : 1.0 / std::sqrt(double(Q.cols())); }
  bool valid_key(Index j) const { return !valid || (*valid)(j); }
};

// Name the classic mistakes when the output is wrong: a mistake is named when the submission matches it and
// it differs from the truth here. Returns whether one was named.
bool diagnose_output(const Mat& got, const Call& c) {
  const Index n_q = c.Q.rows(), n_k = c.K.rows();
  auto model = [&](double scale, const std::function<bool(Index, Index)>& allow) {
    return dense_model(c.Q, c.K, c.V, scale, allow).output;
  };
  auto allowed = [&](Index i, Index j) { return c.valid_key(j) && (!c.causal || j <= i); };
  const MatD truth = model(c.scale_value(), allowed);
  bool named = false;
  auto matches = [&](const MatD& alt) {
    const bool hit = is_close(got, alt, kT1) && !is_close(truth, alt, kT1);
    named |= hit;
    return hit;
  };

  if (c.scale_value() != 1.0 && matches(model(1.0, allowed)))
    FAIL_CHECK(
        "the output is softmax(Q Kᵀ) V: the scores must be multiplied by scale (1/sqrt(d) by default)");
  if (matches(model(c.scale_value() * c.scale_value(), allowed)))
    FAIL_CHECK("the scores were scaled twice: multiply Q (or each score) by scale once");
  if (c.causal && matches(model(c.scale_value(), [&](Index, Index j) { return c.valid_key(j); })))
    FAIL_CHECK("query i saw keys after i: causal attention lets query i attend to keys j <= i only");
  if (c.causal && matches(model(c.scale_value(), [&](Index i, Index j) { return c.valid_key(j) && j < i; })))
    FAIL_CHECK("query i did not see its own key: causal attention includes j = i (j <= i, not j < i)");
  if (c.valid && matches(model(c.scale_value(), [&](Index i, Index j) { return !c.causal || j <= i; })))
    FAIL_CHECK("padded keys took part: a key with key_valid false gets no weight at all");
  const Index full_k = n_k / c.blocks.k * c.blocks.k;
  if (full_k < n_k && full_k > 0 &&
      matches(model(c.scale_value(), [&](Index i, Index j) { return allowed(i, j) && j < full_k; })))
    FAIL_CHECK("keys " << full_k << ".." << n_k - 1 << " were never visited: n_k = " << n_k
                       << " is not a multiple of block_k = " << c.blocks.k
                       << ", so the last key block is shorter, but it still counts");
  const Index full_q = n_q / c.blocks.q * c.blocks.q;
  if (full_q < n_q && full_q > 0 && got.rows() == n_q && got.bottomRows(n_q - full_q).isZero(0) &&
      !got.topRows(full_q).isZero(0) && !truth.bottomRows(n_q - full_q).isZero(1e-9) && (named = true))
    FAIL_CHECK("rows " << full_q << ".." << n_q - 1 << " are zero: n_q = " << n_q
                       << " is not a multiple of block_q = " << c.blocks.q
                       << ", so the last query block is shorter, but it still has to be computed");
  if ((c.blocks.q > n_q || c.blocks.k > n_k) && got.isZero(0) && !truth.isZero(1e-9) && (named = true))
    FAIL_CHECK(
        "the output is all zero with a block larger than the input: such a block is the whole input "
        "(rows = min(block_q, n_q - q_start), cols = min(block_k, n_k - k_start)), not nothing");
  if (c.causal && c.blocks.q > 1 && matches(model(c.scale_value(), [&](Index i, Index j) {
        return allowed(i, j) && j / c.blocks.k * c.blocks.k <= i / c.blocks.q * c.blocks.q;
      })))
    FAIL_CHECK(
        "key blocks were skipped when they start after the query block's FIRST row: skip a key block "
        "only when it starts after the block's LAST row (k_start > q_start + rows - 1); the blocks "
        "in between cross the diagonal and are masked entry by entry");
  return named;
}

// The log-sum-exp: name the usual slips when the output is right but logsumexp is not.
void diagnose_lse(const Vec& got, const Call& c) {
  auto allowed = [&](Index i, Index j) { return c.valid_key(j) && (!c.causal || j <= i); };
  const Dense truth = dense_model(c.Q, c.K, c.V, c.scale_value(), allowed);
  VecD log_l = truth.lse - truth.row_max, finite_max = truth.row_max;
  for (Index i = 0; i < log_l.size(); ++i)
    if (!std::isfinite(truth.row_max(i))) log_l(i) = finite_max(i) = -INFINITY;
  if (is_close(got, MatD(log_l), kT1) && !is_close(got, MatD(truth.lse), kT1))
    FAIL_CHECK(
        "logsumexp equals log l: l was summed after subtracting the running max m, so add it back, "
        "L = m + log l");
  else if (is_close(got, MatD(finite_max), kT1) && !is_close(got, MatD(truth.lse), kT1))
    FAIL_CHECK("logsumexp equals the row max m: the log-sum-exp is m + log l, where l = Σ exp(s - m) >= 1");
  else if (is_close(got, MatD(truth.lse / c.scale_value()), kT1))
    FAIL_CHECK("logsumexp is over the unscaled scores q·k: use the same scaled scores as the softmax");
}

// Output and logsumexp against golden values; diagnoses on failure. Returns whether both held.
bool check_flash(const std::string& what, const FlashOut& got, const MatD& output, const MatD* lse,
                 const Call& c) {
  if (!expect_shape(what + " output", got.output, output.rows(), output.cols())) return false;
  if (lse && !expect_shape(what + " logsumexp", got.logsumexp, lse->rows(), 1)) return false;
  if (!check_finite(what + " output", got.output)) return false;
  bool ok = true;
  if (!check_close(what + " output", got.output, output, kT1)) {
    diagnose_output(got.output, c);
    ok = false;
  }
  if (lse && !check_close(what + " logsumexp", got.logsumexp, *lse, kT1)) {
    if (ok) diagnose_lse(got.logsumexp, c);
    ok = false;
  }
  return ok;
}

// After a loop over block shapes: a block shape that covers every key passing while a smaller one fails is
// the signature of a missing rescale.
void diagnose_blocks(const std::vector<std::pair<Blocks, bool>>& results, Index n_k) {
  bool whole_ok = true, split_bad = false;
  Blocks bad{0, 0};
  for (const auto& [b, ok] : results) {
    if (b.k >= n_k && !ok) whole_ok = false;
    if (b.k < n_k && !ok && !split_bad) split_bad = true, bad = b;
  }
  if (whole_ok && split_bad)
    FAIL_CHECK("the result is right when one key block holds every key and wrong with "
               << label(bad)
               << ": when a later block raises a row's running max from m to m', both its sum l and its "
                  "accumulator must be multiplied by exp(m - m') before the new block's terms are added");
}

// NaN / 1e30 in the rows of K and V from `from` on (or where `where` says).
void poison_rows(Mat& K, Mat& V, const std::function<bool(Index)>& where) {
  for (Index j = 0; j < K.rows(); ++j)
    if (where(j)) {
      const float bad = j % 2 == 0 ? kNaN : 1e30f;
      K.row(j).setConstant(bad);
      V.row(j).setConstant(bad);
    }
}

// ---- speed and memory, reported next to two baselines compiled into this file (never scored) ----

// Peak memory of a call, in MiB (-1: not measured), through graded.h's PeakRss.
struct PeakProbe {
  PeakRss rss;
  void reset() { rss.start(); }
  double rise_mib() const {
    const long kib = rss.rise_kib();
    return kib < 0 ? -1 : kib / 1024.0;
  }
};

std::string mib(double m) {
  if (m < 0) return "not measured";
  std::ostringstream s;
  s.precision(m < 10 ? 2 : 4);
  s << m << " MiB";
  return s.str();
}

// The dense baseline: the whole (n_k, n_q) score matrix (transposed: one query per column), softmax, P V.
Mat dense_baseline(const Mat& Q, const Mat& K, const Mat& V) {
  const float scale = 1.f / std::sqrt(static_cast<float>(Q.cols()));
  Mat scores_t = K * (scale * Q).transpose();  // (n_k, n_q)
  for (Index i = 0; i < scores_t.cols(); ++i) {
    auto col = scores_t.col(i);
    col = (col.array() - col.maxCoeff()).exp().matrix();
    col /= col.sum();
  }
  return (V.transpose() * scores_t).transpose();
}

// The tiled baseline: the online softmax over square blocks, no masks (what the learner's function does on
// this input, written plainly).
Mat tiled_baseline(const Mat& Q, const Mat& K, const Mat& V, Index block) {
  const float scale = 1.f / std::sqrt(static_cast<float>(Q.cols()));
  Mat out(Q.rows(), V.cols()), scores_t, acc_t;
  for (Index q0 = 0; q0 < Q.rows(); q0 += block) {
    const Index rows = std::min(block, Q.rows() - q0);
    const Mat Qs_t = (scale * Q.middleRows(q0, rows)).transpose();
    Eigen::RowVectorXf m = Eigen::RowVectorXf::Constant(rows, -kInf), l = Eigen::RowVectorXf::Zero(rows);
    acc_t = Mat::Zero(V.cols(), rows);
    for (Index k0 = 0; k0 < K.rows(); k0 += block) {
      const Index cols = std::min(block, K.rows() - k0);
      scores_t.noalias() = K.middleRows(k0, cols) * Qs_t;
      for (Index i = 0; i < rows; ++i) {
        const float m_new = std::max(m(i), scores_t.col(i).maxCoeff()), rescale = std::exp(m(i) - m_new);
        scores_t.col(i) = (scores_t.col(i).array() - m_new).exp().matrix();
        l(i) = l(i) * rescale + scores_t.col(i).sum();
        acc_t.col(i) *= rescale;
        m(i) = m_new;
      }
      acc_t.noalias() += V.middleRows(k0, cols).transpose() * scores_t;
    }
    out.middleRows(q0, rows) = (acc_t.array().rowwise() / l.array()).matrix().transpose();
  }
  return out;
}

struct Timed {
  double seconds, peak_mib;
};

template <class F>
Timed measure(F&& f) {
  using clock = std::chrono::steady_clock;
  PeakProbe probe;
  probe.reset();
  Timed best{1e30, -1};
  for (int rep = 0; rep < 2; ++rep) {
    const auto start = clock::now();
    f();
    best.seconds = std::min(best.seconds, std::chrono::duration<double>(clock::now() - start).count());
    if (rep == 0) best.peak_mib = probe.rise_mib();
  }
  return best;
}

// Notes for the report: the learner's function, the tiled and the dense baseline on one input, in this
// process.
void report_speed(double long_peak_mib, Index long_n) {
  constexpr Index n = 2048, d = 64, block = 64;
  const Mat Q = hashed_matrix(n, d, 4), K = hashed_matrix(n, d, 5), V = hashed_matrix(n, d, 6);
  Mat sink;
  const Timed yours = measure([&] { sink = flash_attention_forward(Q, K, V, block, block).output; });
  const Timed tiled = measure([&] { sink = tiled_baseline(Q, K, V, block); });
  const Timed dense = measure([&] { sink = dense_baseline(Q, K, V); });
  auto ms = [](double s) {
    std::ostringstream o;
    o.precision(3);
    o << s * 1e3 << " ms";
    return o.str();
  };
  auto ratio = [](double a, double b) {
    std::ostringstream o;
    o.precision(2);
    o << a / b << "×";
    return o.str();
  };
  const double gflop = 4.0 * n * n * d / 1e9;
  std::ostringstream rate;
  rate << std::fixed;
  rate.precision(1);
  rate << gflop / yours.seconds << " GFLOP/s";
  MESSAGE("speed, reported and never scored (N = "
          << n << ", d = " << d << ", blocks " << block << "×" << block
          << ", best of 2, same process): your function " << ms(yours.seconds) << " (" << rate.str() << "), "
          << ratio(yours.seconds, tiled.seconds) << " the tiled baseline's time and "
          << ratio(yours.seconds, dense.seconds) << " the dense baseline's");
  MESSAGE("peak memory of one call at N = " << n << ": yours +" << mib(yours.peak_mib) << ", tiled baseline +"
                                            << mib(tiled.peak_mib) << ", dense baseline +"
                                            << mib(dense.peak_mib) << "; at N = " << long_n << " yours +"
                                            << mib(long_peak_mib) << ", where a dense score matrix alone is "
                                            << mib(double(long_n) * long_n * 4 / (1 << 20)));
}

// The configurations the block-shape tests sweep: equal, unequal, 1, non-divisors and larger than n.
const std::vector<Blocks> kBlockShapes{{37, 37}, {64, 64}, {4, 4},  {8, 5},  {5, 8},
                                       {16, 16}, {1, 1},   {1, 37}, {37, 1}, {3, 7}};

}  // namespace

ATTN_TEST("output is n_q×d_v and logsumexp has n_q entries", shape, 1) {
  const Mat Q = Mat::Random(5, 3), K = Mat::Random(9, 3), V = Mat::Random(9, 4);
  for (const Blocks b : {Blocks{2, 4}, Blocks{100, 100}, Blocks{1, 1}}) {
    INFO(label(b));
    const FlashOut got = flash_attention_forward(Q, K, V, b.q, b.k);
    expect_shape("output", got.output, 5, 4);
    expect_shape("logsumexp", got.logsumexp, 5, 1);
  }
}

ATTN_TEST("no queries give a 0×d_v output and an empty logsumexp", shape, 1) {
  const FlashOut got = flash_attention_forward(Mat(0, 3), Mat::Random(6, 3), Mat::Random(6, 2), 4, 4);
  expect_shape("output", got.output, 0, 2);
  expect_shape("logsumexp", got.logsumexp, 0, 1);
}

ATTN_TEST("worked examples from the statement", numeric, 2) {
  using namespace golden::worked;
  {
    INFO("example 1: query [1] over keys [0] [1] [2], values [1] [2] [3]");
    for (const Blocks b : {Blocks{1, 2}, Blocks{1, 1}, Blocks{1, 3}}) {
      INFO(label(b));
      const Call c{q1, k1, v1, b};
      if (!check_flash("example 1", c.run(), output1, &lse1, c)) break;
    }
  }
  {
    INFO("example 2: causal, Q = K = [0] [1] [2], V = [1] [2] [3], blocks of 2");
    const Call c{k1, k1, v1, {2, 2}, true};
    check_flash("example 2", c.run(), output2, &lse2, c);
  }
  {
    INFO("example 3: query [1] over keys [0] [1] [2] [3] of which 0 and 1 are padding, blocks of 2");
    const Keep valid = keep_of(valid3);
    const Call c{q1, k3, v3, {1, 2}, false, std::nullopt, &valid};
    const FlashOut got = c.run();
    if (got.output.allFinite() || got.output.size() != 1)
      check_flash("example 3", got, output3, &lse3, c);
    else
      FAIL_CHECK(
          "example 3 is NaN: the first key block is all padding, so after it m = -inf, and "
          "exp(score - m) = exp((-inf) - (-inf)) = NaN. A row that has seen no allowed key yet must "
          "add nothing (its l stays 0)");
  }
}

ATTN_TEST("random attention matches golden values for every block shape", numeric, 3) {
  using namespace golden::random;
  std::vector<std::pair<Blocks, bool>> results;
  bool named = false;
  for (const Blocks b : kBlockShapes) {
    INFO(label(b));
    const Call c{Q, K, V, b};
    const FlashOut got = c.run();
    if (!expect_shape("output", got.output, output.rows(), output.cols())) return;
    const bool ok = check_finite("output", got.output) && is_close(got.output, output, kT1);
    results.emplace_back(b, ok);
    if (!ok && std::count_if(results.begin(), results.end(), [](auto& r) { return !r.second; }) == 1) {
      check_close("output", got.output, output, kT1);  // the first failure, with its worst element
      named = diagnose_output(got.output, c);
    }
  }
  if (!named) diagnose_blocks(results, K.rows());
}

ATTN_TEST("logsumexp matches log Σ exp of the scaled scores computed in double", numeric, 3) {
  for (const Blocks b : {Blocks{37, 37}, Blocks{4, 4}, Blocks{8, 5}, Blocks{1, 1}, Blocks{5, 64}}) {
    INFO(label(b));
    {
      using namespace golden::random;
      const Call c{Q, K, V, b};
      const FlashOut got = c.run();
      if (!expect_shape("logsumexp", got.logsumexp, lse.rows(), 1)) return;
      if (!check_close("logsumexp (37 tokens)", got.logsumexp, lse, kT1)) {
        diagnose_lse(got.logsumexp, c);
        return;
      }
    }
    {
      using namespace golden::cross;
      const Call c{Q, K, V, b};
      const FlashOut got = c.run();
      if (!expect_shape("logsumexp", got.logsumexp, lse.rows(), 1)) return;
      if (!check_close("logsumexp (13 queries, 29 keys)", got.logsumexp, lse, kT1)) {
        diagnose_lse(got.logsumexp, c);
        return;
      }
    }
  }
}

ATTN_TEST("cross attention with n_q different from n_k matches golden values", numeric, 2) {
  using namespace golden::cross;
  for (const Blocks b :
       {Blocks{4, 8}, Blocks{8, 4}, Blocks{3, 7}, Blocks{13, 29}, Blocks{1, 1}, Blocks{20, 50}}) {
    INFO(label(b));
    const Call c{Q, K, V, b};
    if (!check_flash("cross attention", c.run(), output, &lse, c)) return;
  }
}

ATTN_TEST("causal attention matches golden values", numeric, 3) {
  using namespace golden::random;
  for (const Blocks b : {Blocks{4, 4}, Blocks{8, 3}, Blocks{3, 8}, Blocks{16, 6}, Blocks{1, 1},
                         Blocks{64, 64}, Blocks{37, 1}, Blocks{5, 5}}) {
    INFO("causal, " << label(b));
    const Call c{Q, K, V, b, true};
    if (!check_flash("causal", c.run(), output_causal, &lse_causal, c)) return;
  }
}

ATTN_TEST("scale replaces 1/sqrt(d) and scale 0 averages the values", numeric, 1) {
  using namespace golden::random;
  const Call c{Q, K, V, {8, 5}, false, 0.3f};
  if (!check_flash("scale 0.3", c.run(), output_scaled, &lse_scaled, c)) {
    if (is_close(c.run().output, output, kT1))
      FAIL_CHECK("this is the result with scale 1/sqrt(d): an explicit scale replaces the default");
    return;
  }
  // every score is 0: uniform weights, the mean of the values, and logsumexp = log n_k
  const FlashOut zero = flash_attention_forward(Q, K, V, 8, 5, false, 0.f);
  const MatD mean = V.cast<double>().colwise().mean().replicate(Q.rows(), 1);
  check_close("output with scale 0", zero.output, mean, kT1);
  check_close("logsumexp with scale 0", zero.logsumexp, MatD::Constant(Q.rows(), 1, std::log(37.0)), kT1);
}

ATTN_TEST("scores beyond 1e4 stay finite and match golden values", numeric, 2) {
  using namespace golden::large;  // integer Q and K: scores are exact in float32 and reach past 1e4
  for (const bool causal : {false, true})
    for (const Blocks b : {Blocks{4, 4}, Blocks{7, 3}, Blocks{20, 20}}) {
      INFO(std::string(causal ? "causal, " : "") << label(b));
      const Call c{Q, K, V, b, causal};
      const FlashOut got = c.run();
      if (!expect_shape("output", got.output, Q.rows(), V.cols())) return;
      if (!got.output.allFinite() || !got.logsumexp.allFinite()) {
        FAIL_CHECK(
            "a result is not finite with scores near 1e4: exp(1e4) is inf in float32. Subtract the "
            "running max before exp, and rescale the old terms by exp(m - m') <= 1");
        return;
      }
      if (!check_flash("large scores", got, causal ? output_causal : output, causal ? &lse_causal : &lse, c))
        return;
    }
}

ATTN_TEST("block sizes 1 and n give the same result", property, 2) {
  using namespace golden::random;
  const FlashOut whole = flash_attention_forward(Q, K, V, 37, 37);
  const FlashOut single = flash_attention_forward(Q, K, V, 1, 1);
  const bool ok_whole = check_close("output with one block of 37", whole.output, output, kT1);
  const bool ok_single = check_close("output with blocks of 1", single.output, output, kT1);
  if (ok_whole && !ok_single)
    FAIL_CHECK(
        "one block is right, blocks of 1 are not: the online update must rescale l and the "
        "accumulator by exp(m - m') whenever the max grows");
  if (!ok_whole || !ok_single) return;
  // the two tilings are the same arithmetic in another order: within float32 rounding of each other
  check_close("blocks of 1 against one block", single.output, MatD(whole.output.cast<double>()), kT1);
  check_close("logsumexp, blocks of 1 against one block", single.logsumexp,
              MatD(whole.logsumexp.cast<double>()), kT1);
}

ATTN_TEST("a causal query block never reads key blocks after its last row", property, 3) {
  // K and V rows from p on hold NaN / 1e30; p is a multiple of both block sizes, so every key block from p on
  // starts after the last row of every query block before p and must be skipped, not computed and masked
  // (0 · NaN = NaN in P V). Rows before p must be the golden ones.
  using namespace golden::random;
  struct Case {
    Blocks blocks;
    Index p;
  };
  for (const Case cs :
       {Case{{4, 6}, 24}, Case{{8, 3}, 24}, Case{{5, 5}, 25}, Case{{12, 12}, 24}, Case{{1, 1}, 30}}) {
    INFO("causal, " << label(cs.blocks) << ", K and V rows " << cs.p << ".. poisoned");
    Mat Kp = K, Vp = V;
    poison_rows(Kp, Vp, [&](Index j) { return j >= cs.p; });
    const FlashOut got = flash_attention_forward(Q, Kp, Vp, cs.blocks.q, cs.blocks.k, true);
    if (!expect_shape("output", got.output, Q.rows(), V.cols())) return;
    const Mat before = got.output.topRows(cs.p);
    if (!before.allFinite()) {
      FAIL_CHECK("rows before " << cs.p << " read K or V rows from " << cs.p
                                << " on: in causal mode a key block that starts after the query block's "
                                   "last row is entirely in the future; skip it (masking its scores still "
                                   "multiplies its NaN values by 0)");
      return;
    }
    if (!check_close("rows 0.." + std::to_string(cs.p - 1), before, MatD(output_causal.topRows(cs.p)), kT1) ||
        !check_close("logsumexp 0.." + std::to_string(cs.p - 1), Vec(got.logsumexp.head(cs.p)),
                     MatD(lse_causal.topRows(cs.p)), kT1))
      return;
  }
}

ATTN_TEST("padded keys and values never leak even NaN or 1e30", property, 2) {
  using namespace golden::padded;
  const Keep keep = keep_of(valid);
  Mat Kp = K, Vp = V;
  poison_rows(Kp, Vp, [&](Index j) { return !keep(j); });
  for (const Blocks b : {Blocks{4, 4}, Blocks{3, 5}, Blocks{11, 23}, Blocks{1, 1}, Blocks{6, 9}}) {
    INFO(label(b) << "; padded rows of K and V hold NaN and 1e30");
    const Call c{Q, K, V, b, false, std::nullopt, &keep};
    const FlashOut got = flash_attention_forward(Q, Kp, Vp, b.q, b.k, false, std::nullopt, keep);
    if (!expect_shape("output", got.output, Q.rows(), V.cols())) return;
    if (!got.output.allFinite()) {
      FAIL_CHECK(
          "the output is not finite: a padded key's row of V was multiplied by its zero weight "
          "(0 · NaN = NaN) or its NaN score reached the max. Overwrite padded scores with -inf and "
          "leave their rows of V out of P V");
      return;
    }
    if (!check_flash("padded", got, output, &lse, c)) return;
  }
}

ATTN_TEST("permuting keys and values together changes nothing", property, 1) {
  using namespace golden::random;
  const Call c{Q, K, V, {8, 5}};
  if (!check_flash("unpermuted", c.run(), output, &lse, c)) return;
  std::vector<int> order(37);
  for (int j = 0; j < 37; ++j) order[static_cast<size_t>(j)] = (j * 14 + 5) % 37;  // a permutation of 0..36
  const FlashOut keys = flash_attention_forward(Q, rows_in_order(K, order), rows_in_order(V, order), 8, 5);
  check_close("output with permuted keys and values", keys.output, output, kT1);
  check_close("logsumexp with permuted keys and values", keys.logsumexp, lse, kT1);
  const FlashOut queries = flash_attention_forward(rows_in_order(Q, order), K, V, 8, 5);
  check_close("output with permuted queries", queries.output, rows_in_order(output, order), kT1);
  check_close("logsumexp with permuted queries", queries.logsumexp, rows_in_order(lse, order), kT1);
}

ATTN_TEST("20 000 causal tokens run without an N×N matrix under the 1 GiB limit", property, 4) {
  // A dense 20 000 × 20 000 float score matrix alone is 1.5 GiB, past the problem's 1 GiB address-space
  // limit; the tiles need (64 × 64 + 64 × 16) floats per block pair. The rows checked are golden rows of the
  // hashed inputs, which tools/golden/p15.py draws the same way.
  using namespace golden::long_seq;
#if defined(__SANITIZE_ADDRESS__)
  const Index n_run = prefix;
  MESSAGE("AddressSanitizer build: there is no address-space limit here, so only the first "
          << prefix << " tokens run");
#else
  const Index n_run = n;
#endif
  const Mat Q = hashed_matrix(n_run, d, 1), K = hashed_matrix(n_run, d, 2), V = hashed_matrix(n_run, d, 3);
  double peak = -1;
  try {
    PeakProbe probe;
    probe.reset();
    const FlashOut got = flash_attention_forward(Q, K, V, 64, 64, true);
    peak = probe.rise_mib();
    if (expect_shape("output", got.output, n_run, d) && expect_shape("logsumexp", got.logsumexp, n_run, 1)) {
      const std::vector<std::tuple<int, const MatD*, const MatD*>> checks{
          {head_row, &output_head, &lse_head},
          {prefix_tail_row, &output_prefix_tail, &lse_prefix_tail},
          {middle_row, &output_middle, &lse_middle},
          {tail_row, &output_tail, &lse_tail}};
      for (const auto& [row, out, lse] : checks) {
        if (row + 8 > n_run) continue;
        const std::string rows = "rows " + std::to_string(row) + ".." + std::to_string(row + 7);
        check_close("output " + rows, got.output.middleRows(row, 8), *out, kT1);
        check_close("logsumexp " + rows, Vec(got.logsumexp.segment(row, 8)), *lse, kT1);
      }
    }
  } catch (const std::bad_alloc&) {
    FAIL_CHECK(
        "std::bad_alloc: at N = 20 000 an N×N float matrix is 1.5 GiB and the limit is 1 GiB. Keep "
        "only one block_q × block_k tile of scores at a time, with a running max, sum and "
        "accumulator per query row: that is the point of the online softmax");
  }
  report_speed(peak, n_run);
}

ATTN_TEST("a row whose first key block is all padding stays finite", edge, 3) {
  // non-causal: keys 0..6 are padding, so with block_k <= 7 the first key block of every row is all padding
  {
    using namespace golden::padded;
    const Keep keep = keep_of(valid);
    for (const Blocks b : {Blocks{4, 1}, Blocks{4, 2}, Blocks{4, 4}, Blocks{11, 7}, Blocks{2, 3}}) {
      INFO(label(b) << " (keys 0..6 padding)");
      const Call c{Q, K, V, b, false, std::nullopt, &keep};
      const FlashOut got = c.run();
      if (!expect_shape("output", got.output, Q.rows(), V.cols())) return;
      if (!got.output.allFinite() || !got.logsumexp.allFinite()) {
        FAIL_CHECK(
            "NaN after a key block that is all padding: for such a row m stays -inf, and "
            "exp(score - m) = exp((-inf) - (-inf)) = NaN. While a row has seen no allowed key, add "
            "nothing to it (or skip the block)");
        return;
      }
      if (!check_flash("first block padded", got, output, &lse, c)) return;
    }
  }
  // causal: keys 0..4 are padding, and a key block that also holds keys 5.. is all masked for rows 0..4
  using namespace golden::padded_causal;
  const Keep keep = keep_of(valid);
  for (const Blocks b : {Blocks{4, 8}, Blocks{8, 8}, Blocks{2, 6}, Blocks{19, 19}}) {
    INFO("causal, " << label(b) << " (keys 0..4, 9, 10 padding)");
    const Call c{Q, K, V, b, true, std::nullopt, &keep};
    const FlashOut got = c.run();
    if (!expect_shape("output", got.output, Q.rows(), V.cols())) return;
    if (!got.output.allFinite()) {
      FAIL_CHECK(
          "NaN in causal rows 0..4: their first key block holds only padding and keys after them, so "
          "every score they see is -inf and exp((-inf) - (-inf)) = NaN. Guard it: a row whose max is "
          "still -inf adds nothing");
      return;
    }
    if (!check_flash("causal, left padding", got, output, &lse, c)) return;
  }
}

ATTN_TEST("rows with no allowed key give zeros and logsumexp -inf", edge, 2) {
  {
    // rows 0..4 see only padding; rows 5.. are golden. As in a left-padded batch, the padded rows of K and V
    // hold garbage (NaN and 1e30), which is never to be read.
    using namespace golden::padded_causal;
    const Keep keep = keep_of(valid);
    Mat Kp = K, Vp = V;
    poison_rows(Kp, Vp, [&](Index j) { return !keep(j); });
    for (const Blocks b : {Blocks{4, 4}, Blocks{5, 10}, Blocks{1, 1}}) {
      INFO("causal, " << label(b) << "; keys 0..4, 9, 10 are padding and hold NaN and 1e30");
      const FlashOut got = flash_attention_forward(Q, Kp, Vp, b.q, b.k, true, std::nullopt, keep);
      if (!expect_shape("output", got.output, Q.rows(), V.cols()) ||
          !expect_shape("logsumexp", got.logsumexp, Q.rows(), 1))
        return;
      if (!got.output.allFinite()) {
        const FlashOut clean = flash_attention_forward(Q, K, V, b.q, b.k, true, std::nullopt, keep);
        if (clean.output.allFinite())
          FAIL_CHECK(
              "NaN only when the padded rows hold NaN: a padded key's row of V was multiplied by its "
              "zero weight (0 · NaN = NaN). Leave padded rows out of P V");
        else
          FAIL_CHECK(
              "NaN in rows 0..4, which have no key to attend: their max stays -inf and "
              "exp((-inf) - (-inf)) = NaN. Such a row adds nothing; at the end its l is 0, and it "
              "returns zeros and logsumexp -inf");
        return;
      }
      const bool ok =
          check_close("output rows 0..4 (nothing to attend)", got.output.topRows(5), MatD::Zero(5, V.cols()),
                      Tol{0, 0, "exact"}) &
          check_close("output rows 5..18", got.output.bottomRows(14), MatD(output.bottomRows(14)), kT1);
      if (!check_close("logsumexp", got.logsumexp, lse, kT1) && got.logsumexp.head(5).allFinite())
        FAIL_CHECK("log Σ over no key is log 0 = -inf: rows 0..4 must report -infinity, not "
                   << got.logsumexp(0));
      if (!ok) return;
    }
  }
  using namespace golden::random;
  {
    INFO("every key padded");
    const Keep none = Keep::Constant(K.rows(), false);
    const FlashOut got = flash_attention_forward(Q, K, V, 8, 5, false, std::nullopt, none);
    check_close("output", got.output, MatD::Zero(Q.rows(), V.cols()), Tol{0, 0, "exact"});
    check_close("logsumexp", got.logsumexp, MatD::Constant(Q.rows(), 1, -INFINITY), Tol{0, 0, "exact"});
  }
  {
    INFO("no keys at all (n_k = 0)");
    const FlashOut got = flash_attention_forward(Q, Mat(0, K.cols()), Mat(0, V.cols()), 8, 5);
    check_close("output", got.output, MatD::Zero(Q.rows(), V.cols()), Tol{0, 0, "exact"});
    check_close("logsumexp", got.logsumexp, MatD::Constant(Q.rows(), 1, -INFINITY), Tol{0, 0, "exact"});
  }
}

ATTN_TEST("block sizes below 1 throw std::invalid_argument", edge, 1) {
  const Mat Q = Mat::Random(4, 3), K = Mat::Random(5, 3), V = Mat::Random(5, 2);
  CHECK_THROWS_AS(flash_attention_forward(Q, K, V, 0, 4), std::invalid_argument);
  CHECK_THROWS_AS(flash_attention_forward(Q, K, V, 4, 0), std::invalid_argument);
  CHECK_THROWS_AS(flash_attention_forward(Q, K, V, -2, 4), std::invalid_argument);
  CHECK_THROWS_AS(flash_attention_forward(Q, K, V, 4, -1), std::invalid_argument);
  CHECK_NOTHROW(flash_attention_forward(Q, K, V, 1, 1));
}

ATTN_TEST("mismatched shapes throw std::invalid_argument", edge, 2) {
  const Mat Q = Mat::Random(4, 3), K = Mat::Random(5, 3), V = Mat::Random(5, 2);
  auto throws = [&](const char* why, const Mat& q, const Mat& k, const Mat& v,
                    const std::optional<Keep>& keep) {
    INFO(std::string(why));
    CHECK_THROWS_AS(flash_attention_forward(q, k, v, 2, 2, false, std::nullopt, keep), std::invalid_argument);
  };
  throws("K must have the d columns of Q", Q, Mat::Random(5, 4), V, std::nullopt);
  throws("V must have one row per key", Q, K, Mat::Random(6, 2), std::nullopt);
  throws("key_valid must have one entry per key", Q, K, V, Keep::Constant(4, true));
  throws("d = 0 has no scale 1/sqrt(d)", Mat(4, 0), Mat(5, 0), V, std::nullopt);
  CHECK_NOTHROW(flash_attention_forward(Q, K, V, 2, 2, false, std::nullopt, Keep::Constant(5, true)));
}

ATTN_TEST("causal with n_q different from n_k or a non-finite scale throws", edge, 1) {
  const Mat Q = Mat::Random(4, 3), K = Mat::Random(5, 3), V = Mat::Random(5, 2);
  {
    INFO("causal attention is top-left aligned and needs n_q == n_k");
    CHECK_THROWS_AS(flash_attention_forward(Q, K, V, 2, 2, true), std::invalid_argument);
  }
  {
    INFO("scale must be finite");
    CHECK_THROWS_AS(flash_attention_forward(Q, K, V, 2, 2, false, kInf), std::invalid_argument);
    CHECK_THROWS_AS(flash_attention_forward(Q, K, V, 2, 2, false, kNaN), std::invalid_argument);
  }
  CHECK_NOTHROW(flash_attention_forward(K, K, V, 2, 2, true));
}
