// p10 monotonic_attention — graded tests. Golden values: tools/golden/p10.py (the alignment as a Markov chain
// in torch float64, cross-checked with TensorFlow's recursive, parallel and hard formulations written in
// numpy).
#include <attnkata/graded.h>

#include <cmath>
#include <limits>
#include <string>

#include "golden.inc"
#include "monotonic_attention.h"

using namespace attn;
using namespace attn::check;

namespace {

constexpr Tol kExact{0, 0, "exact"};

// ---- diagnosis only, never a golden value: the classic wrong formulations, in double ----

enum class Soft { correct, shifted, restart, renormalised };

// The expected alignment by the recursion, or one of its classic mistakes.
MatD soft_model(const Mat& P, Soft v) {
  const Index T_out = P.rows(), T_in = P.cols();
  MatD A = MatD::Zero(T_out, T_in);
  if (T_in == 0) return A;
  Eigen::RowVectorXd prev = Eigen::RowVectorXd::Zero(T_in);
  prev(0) = 1;
  for (Index i = 0; i < T_out; ++i) {
    if (v == Soft::restart) prev = Eigen::RowVectorXd::Unit(T_in, 0);
    double q = 0;
    for (Index j = 0; j < T_in; ++j) {
      const double pass = v == Soft::shifted ? 1.0 - P(i, j) : (j ? 1.0 - P(i, j - 1) : 0.0);
      q = pass * q + prev(j);
      A(i, j) = P(i, j) * q;
    }
    if (v == Soft::renormalised && A.row(i).sum() > 0) A.row(i) /= A.row(i).sum();
    prev = A.row(i);
  }
  return A;
}

enum class Hard { correct, strict, restart, after_previous, no_stop };

// The hard alignment by the scan, or one of its classic mistakes (float comparisons, as the submission
// makes).
MatD hard_model(const Mat& P, float threshold, Hard v) {
  MatD A = MatD::Zero(P.rows(), P.cols());
  Index start = 0;
  for (Index i = 0; i < P.rows(); ++i) {
    Index j = v == Hard::restart ? 0 : v == Hard::after_previous && i > 0 ? start + 1 : start;
    while (j < P.cols() && !(v == Hard::strict ? P(i, j) > threshold : P(i, j) >= threshold)) ++j;
    if (j >= P.cols()) {
      if (v == Hard::no_stop) continue;
      break;
    }
    A(i, j) = 1;
    start = j;
  }
  return A;
}

// Name the classic mistakes of the expected alignment after a check against golden values failed.
void diagnose_soft(const Mat& got, const Mat& P, const MatD& expected) {
  if (got.rows() != P.rows() || got.cols() != P.cols()) return;
  if (!got.allFinite()) {
    FAIL_CHECK(
        "NaN or inf: a cumulative product of (1 - p) underflowed (or hit a p = 1 and became 0) and was "
        "divided by. The closed form p ⊙ cumprod(1-p) ⊙ cumsum(α_prev / cumprod(1-p)) cannot survive that; "
        "the recursion q_j = (1 - p_{j-1}) q_{j-1} + α_{i-1,j}, α_ij = p_ij q_j never divides");
    return;
  }
  auto matches = [&](Soft v) {
    const MatD alt = soft_model(P, v);
    return is_close(got, alt, kT1) && !is_close(expected, alt, kT1);
  };
  if (matches(Soft::shifted))
    FAIL_CHECK(
        "off by one: the scan reaches frame j by passing frame j-1, so q_j = (1 - p_{i,j-1}) q_{j-1} + "
        "α_{i-1,j}; this result used (1 - p_ij), the probability of not stopping at j itself");
  else if (matches(Soft::restart))
    FAIL_CHECK(
        "every step starts its scan at frame 0: step i starts where step i-1 stopped, so the recursion "
        "adds α_{i-1,j} at every frame (q_j = (1 - p_{j-1}) q_{j-1} + α_{i-1,j}), not δ_0 each time");
  else if (matches(Soft::renormalised))
    FAIL_CHECK(
        "the rows were normalised to sum to 1: mass that passes the last frame is the probability that the "
        "step chose no frame, and it must stay lost (rows sum to at most 1)");
  else if (is_close(got, P.cast<double>(), kT1))
    FAIL_CHECK(
        "the result is P itself: p_ij is the chance of stopping at j if the scan gets there; "
        "multiply it by q_ij, the chance that it does");
  else
    for (Index i = 0; i < got.rows(); ++i)
      if (got.row(i).cast<double>().sum() < expected.row(i).sum() - 1e-3) {
        FAIL_CHECK("row " << i << " holds " << got.row(i).cast<double>().sum() << " of its "
                          << expected.row(i).sum()
                          << " probability mass: mass that sat behind a run where the cumulative product of "
                             "(1 - p) underflowed was lost. Clipping that product before dividing (as "
                             "TensorFlow's parallel mode does) only hides the 0/0; use the recursion");
        break;
      }
}

// Name the classic mistakes of the hard alignment after a check against golden values failed.
void diagnose_hard(const Mat& got, const Mat& P, float threshold, const MatD& expected) {
  if (got.rows() != P.rows() || got.cols() != P.cols() || !got.allFinite()) return;
  auto matches = [&](Hard v) {
    const MatD alt = hard_model(P, threshold, v);
    return is_close(got, alt, kExact) && !is_close(expected, alt, kExact);
  };
  if (matches(Hard::strict))
    FAIL_CHECK(
        "a probability equal to the threshold must be chosen (p >= threshold); this used p > threshold");
  else if (matches(Hard::restart))
    FAIL_CHECK(
        "every step scans from frame 0: the scan of step i starts at t_{i-1}, the frame step i-1 chose, so "
        "the alignment never moves backwards");
  else if (matches(Hard::after_previous))
    FAIL_CHECK(
        "the scan started one frame after t_{i-1}: it starts at t_{i-1} itself, so two output steps may "
        "attend to the same frame (several tokens in one acoustic frame)");
  else if (matches(Hard::no_stop))
    FAIL_CHECK(
        "a step that chose no frame was skipped and later steps went on: once a scan runs off the end "
        "there is nothing left to attend to, so that row and every later row are 0");
}

// P is what got was computed from, starting at δ_0; with diagnose = false (a single step from another row)
// the models of the classic mistakes do not apply.
bool check_soft(const std::string& what, const Mat& got, const Mat& P, const MatD& expected,
                bool diagnose = true) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  const bool ok = check_finite(what, got) && check_close(what, got, expected, kT1);
  if (!ok && diagnose) diagnose_soft(got, P, expected);
  return ok;
}

bool check_hard(const std::string& what, const Mat& got, const Mat& P, float threshold,
                const MatD& expected) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  const bool ok = check_close(what, got, expected, kExact);
  if (!ok) diagnose_hard(got, P, threshold, expected);
  return ok;
}

// A context check; names the 0 * NaN leak when H holds NaN or inf in frames of zero weight.
bool check_contexts(const std::string& what, const Mat& got, const MatD& expected, bool poisoned) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  if (!check_finite(what, got)) {
    if (poisoned)
      FAIL_CHECK(
          "frames of zero weight hold NaN or inf here (in a stream they are not encoded yet) and must "
          "never be read: 0 * NaN is NaN, so skip the zero weights instead of multiplying by them");
    return false;
  }
  return check_close(what, got, expected, kT1);
}

// H with the rows of frames that no step attends to (zero columns of both alignments) set to NaN or inf.
Mat poison_unattended(const Mat& H, const MatD& a, const MatD& b) {
  Mat out = H;
  for (Index j = 0; j < H.rows(); ++j)
    if (a.col(j).isZero(0) && b.col(j).isZero(0))
      out.row(j).setConstant(j % 2 ? std::numeric_limits<float>::infinity() : NAN);
  return out;
}

// The statement's worked example: p = 0.5 everywhere, 3 output steps, 4 frames (exact binary fractions).
const MatD kHalfTable{
    {0.5, 0.25, 0.125, 0.0625}, {0.25, 0.25, 0.1875, 0.125}, {0.125, 0.1875, 0.1875, 0.15625}};

}  // namespace

ATTN_TEST("alignments are T_out×T_in and a step returns one row of T_in", shape, 1) {
  const Mat P = 0.5f * (Mat::Random(3, 7).array() + 1.f).matrix();
  expect_shape("monotonic_expected_alignment", monotonic_expected_alignment(P), 3, 7);
  expect_shape("monotonic_hard_alignment", monotonic_hard_alignment(P), 3, 7);
  RowVec prev = RowVec::Zero(7);
  prev(0) = 1.f;
  expect_shape("monotonic_expected_step", monotonic_expected_step(P.row(0), prev), 1, 7);
}

ATTN_TEST("contexts are T_out×d", shape, 1) {
  const Mat alignment = 0.1f * (Mat::Random(4, 6).array() + 1.f).matrix();
  expect_shape("monotonic_contexts", monotonic_contexts(alignment, Mat::Random(6, 5)), 4, 5);
}

ATTN_TEST("worked example: p = 0.5 everywhere", numeric, 2) {
  const Mat P = Mat::Constant(3, 4, 0.5f);
  // the statement's table; the rows sum to 0.9375, 0.8125 and 0.65625
  check_soft("expected alignment", monotonic_expected_alignment(P), P, kHalfTable);
  // a tie chooses: every step stops at frame 0
  MatD on_frame_0 = MatD::Zero(3, 4);
  on_frame_0.col(0).setOnes();
  check_hard("hard alignment", monotonic_hard_alignment(P), P, 0.5f, on_frame_0);
  // contexts with h_j = j + 1 (d = 1): 1.625, 1.8125, 1.6875 from the table; the hard ones read h_0 = 1
  const Mat H{{1.f}, {2.f}, {3.f}, {4.f}};
  check_contexts("contexts of the table", monotonic_contexts(kHalfTable.cast<float>(), H),
                 MatD{{1.625}, {1.8125}, {1.6875}}, false);
  check_contexts("contexts of the hard alignment", monotonic_contexts(on_frame_0.cast<float>(), H),
                 MatD::Ones(3, 1), false);
}

ATTN_TEST("random choosing probabilities match golden values", numeric, 3) {
  using namespace golden::random;
  check_soft("expected alignment", monotonic_expected_alignment(P), P, expected);
  check_hard("hard alignment", monotonic_hard_alignment(P), P, 0.5f, hard);
}

ATTN_TEST("a diagonal speech alignment over 240 frames matches golden values", numeric, 2) {
  using namespace golden::speech;
  check_soft("expected alignment", monotonic_expected_alignment(P), P, expected);
  check_hard("hard alignment", monotonic_hard_alignment(P), P, 0.5f, hard);
}

ATTN_TEST("contexts of the expected and hard alignments match golden values", numeric, 2) {
  for (const bool speech : {false, true}) {
    const Mat& P = speech ? golden::speech::P : golden::random::P;
    const Mat& H = speech ? golden::speech::H : golden::random::H;
    const MatD& expected = speech ? golden::speech::expected : golden::random::expected;
    const MatD& hard = speech ? golden::speech::hard : golden::random::hard;
    const MatD& c_expected = speech ? golden::speech::contexts_expected : golden::random::contexts_expected;
    const MatD& c_hard = speech ? golden::speech::contexts_hard : golden::random::contexts_hard;
    CAPTURE(speech);
    // from the golden alignments, then end to end from P
    check_contexts("contexts of the golden expected alignment", monotonic_contexts(expected.cast<float>(), H),
                   c_expected, false);
    check_contexts("contexts of the golden hard alignment", monotonic_contexts(hard.cast<float>(), H), c_hard,
                   false);
    check_contexts("contexts of monotonic_expected_alignment(P)",
                   monotonic_contexts(monotonic_expected_alignment(P), H), c_expected, false);
  }
}

ATTN_TEST("p within 2⁻²⁰ of 1 and p = 1 exactly stay finite and match golden values", numeric, 2) {
  // step i stops at frame 10 (i + 1) with p = 1; the frames it already passed have p = 1 - 2⁻²⁰. The
  // cumulative product of (1 - p) is 2^(-20·10 i) there: 0 in float32 after 8 frames, and 0 for good after a
  // p = 1.
  using namespace golden::near_one;
  check_soft("expected alignment", monotonic_expected_alignment(P), P, expected);
}

ATTN_TEST("mass behind a run of p = 0.9 is not lost", numeric, 2) {
  // step 0 ends near frame 100; steps 1 and 2 have p = 0.9 on frames 0..99, so cumprod(1 - p) reaches 1e-100
  // at frame 100, far below float32's 1e-45: dividing by it gives 0/0, clipping it loses the mass
  using namespace golden::behind;
  check_soft("expected alignment", monotonic_expected_alignment(P), P, expected);
}

ATTN_TEST("2000 frames with long runs of moderate p stay finite and match golden values", numeric, 2) {
  // step i stops near frame 300 (i + 1), behind runs of p ~ U[0.3, 0.7]: cumprod(1 - p) is e^-219 by frame
  // 300 (below float32) and e^-866 by frame 1200 (below float64)
  using namespace golden::long_runs;
  check_soft("expected alignment", monotonic_expected_alignment(P), P, expected);
}

ATTN_TEST("row sums are at most 1 and never increase", property, 2) {
  for (const bool speech : {false, true}) {
    const Mat& P = speech ? golden::speech::P : golden::random::P;
    const MatD& expected = speech ? golden::speech::expected : golden::random::expected;
    CAPTURE(speech);
    const Mat got = monotonic_expected_alignment(P);
    // a row of zeros, or 1/T_in everywhere, also sums to at most 1: the rows must be the golden ones
    if (!check_soft("expected alignment", got, P, expected)) return;
    const double slack = 4.0 * static_cast<double>(P.cols()) * 1.1920929e-7;
    double previous = 1.0;
    for (Index i = 0; i < got.rows(); ++i) {
      const double sum = got.row(i).cast<double>().sum();
      if (!(sum <= previous + slack)) {
        FAIL_CHECK(
            "row " << i << " sums to " << sum << ", more than " << previous
                   << " (the row before, or 1): probability mass is only ever lost past the last frame");
        return;
      }
      previous = sum;
    }
  }
}

ATTN_TEST("binary P gives an expected alignment equal to the hard one", property, 2) {
  using namespace golden::binary;  // p in {0, 1}; steps 4.. choose nothing
  const Mat got_hard = monotonic_hard_alignment(P);
  if (!check_hard("hard alignment", got_hard, P, 0.5f, hard)) return;
  // with p in {0, 1} the expected alignment is the hard one exactly: every q is 0 or 1, nothing is rounded
  const Mat got = monotonic_expected_alignment(P);
  if (!check_soft("expected alignment", got, P, hard)) return;
  check_close("expected alignment against the hard one", got, hard, kExact);
}

ATTN_TEST("hard alignment frames never move backwards", property, 1) {
  using namespace golden::speech;
  if (!check_hard("hard alignment", monotonic_hard_alignment(P), P, 0.5f, hard)) return;
  // random P: every chosen frame is at or after the one before, and rows after an empty row are empty
  for (int trial = 0; trial < 20; ++trial) {
    const Mat P_random = 0.5f * (Mat::Random(6, 9).array() + 1.f).matrix();
    const Mat got = monotonic_hard_alignment(P_random, 0.7f);
    if (!expect_shape("hard alignment", got, 6, 9)) return;
    Index last = 0;
    bool ended = false;
    for (Index i = 0; i < got.rows(); ++i) {
      Index chosen = -1;
      for (Index j = 0; j < got.cols(); ++j)
        if (got(i, j) != 0) chosen = j;
      if (chosen < 0) {
        ended = true;
        continue;
      }
      if (ended || chosen < last || got.row(i).sum() != 1) {
        FAIL_CHECK(
            "row " << i << " of the hard alignment of a random P is not monotonic: "
                   << std::string(ended ? "it follows an empty row" : "it moves back or is not one-hot"));
        diagnose_hard(got, P_random, 0.7f, hard_model(P_random, 0.7f, Hard::correct));
        return;
      }
      last = chosen;
    }
  }
}

ATTN_TEST("one step at a time from δ_0 equals the whole matrix", property, 2) {
  for (const bool speech : {false, true}) {
    const Mat& P = speech ? golden::speech::P : golden::random::P;
    const MatD& expected = speech ? golden::speech::expected : golden::random::expected;
    CAPTURE(speech);
    RowVec prev = RowVec::Zero(P.cols());
    prev(0) = 1.f;  // δ_0
    for (Index i = 0; i < P.rows(); ++i) {
      CAPTURE(i);
      const RowVec row = monotonic_expected_step(P.row(i), prev);
      if (!check_soft("step i from step i-1", row, P.row(i), expected.row(i), i == 0)) {
        FAIL_CHECK("monotonic_expected_step(P.row(i), α_{i-1}) must give row i of the expected alignment");
        return;
      }
      prev = row;
    }
    // and from the golden previous row, not the submission's own
    const Index last = P.rows() - 1;
    check_soft("step from the golden previous row",
               monotonic_expected_step(P.row(last), expected.row(last - 1).cast<float>()), P.row(last),
               expected.row(last), false);
  }
}

ATTN_TEST("the alignment is online: later frames and later steps change nothing earlier", property, 2) {
  using namespace golden::speech;
  if (!check_soft("expected alignment", monotonic_expected_alignment(P), P, expected)) return;
  // frames 120.. and steps 6.. replaced: α_ij depends only on p_i'j' with i' <= i and j' <= j
  Mat changed = P;
  changed.rightCols(120) = 0.5f * (Mat::Random(P.rows(), 120).array() + 1.f).matrix();
  changed.bottomRows(4) = 0.5f * (Mat::Random(4, P.cols()).array() + 1.f).matrix();
  const Mat got = monotonic_expected_alignment(changed);
  if (!expect_shape("expected alignment", got, P.rows(), P.cols())) return;
  if (!check_close("steps 0..5 and frames 0..119 with the rest of P changed", got.topLeftCorner(6, 120),
                   expected.topLeftCorner(6, 120), kT1))
    FAIL_CHECK(
        "an entry changed when only later frames or later steps did: a streaming decoder has not seen them "
        "yet. Normalising a row, or anything else that looks ahead, breaks this");
  const Mat got_hard = monotonic_hard_alignment(changed);
  if (expect_shape("hard alignment", got_hard, P.rows(), P.cols()))
    check_close("hard steps 0..5 with the rest of P changed", got_hard.topLeftCorner(6, 120),
                hard.topLeftCorner(6, 120), kExact);
}

ATTN_TEST("contexts never read frames with zero weight", property, 2) {
  using namespace golden::stop;  // p = 1 at frame 6 of every step: frames 7..11 are never reached
  check_soft("expected alignment", monotonic_expected_alignment(P), P, expected);
  check_hard("hard alignment", monotonic_hard_alignment(P), P, 0.5f, hard);
  const Mat H_stream = poison_unattended(H, expected, hard);  // rows 7..11: NaN and inf
  check_contexts("contexts of the expected alignment", monotonic_contexts(expected.cast<float>(), H_stream),
                 contexts_expected, true);
  check_contexts("contexts of the hard alignment", monotonic_contexts(hard.cast<float>(), H_stream),
                 contexts_hard, true);
}

ATTN_TEST("p = 1 everywhere stays on frame 0 and p = 0 everywhere attends to nothing", edge, 2) {
  MatD on_frame_0 = MatD::Zero(4, 5);
  on_frame_0.col(0).setOnes();
  const Mat ones = Mat::Ones(4, 5), zeros = Mat::Zero(4, 5);
  check_soft("expected alignment of p = 1", monotonic_expected_alignment(ones), ones, on_frame_0);
  check_hard("hard alignment of p = 1", monotonic_hard_alignment(ones), ones, 0.5f, on_frame_0);
  // p = 0: every scan passes every frame and all mass runs off the end; rows of zeros, no NaN
  check_soft("expected alignment of p = 0", monotonic_expected_alignment(zeros), zeros, MatD::Zero(4, 5));
  check_hard("hard alignment of p = 0", monotonic_hard_alignment(zeros), zeros, 0.5f, MatD::Zero(4, 5));
}

ATTN_TEST("a step that chooses nothing zeroes every later hard row and context", edge, 2) {
  using namespace golden::hard;  // steps 0..2 choose frames 2, 2, 4; step 3 finds nothing at or after frame 4
  if (!check_hard("hard alignment", monotonic_hard_alignment(P), P, 0.5f, hard)) return;
  // the hard decoder reads only the chosen frames: every other frame's encoder state may be missing
  const Mat H_stream = poison_unattended(H, hard, hard);
  check_contexts("contexts of the hard alignment", monotonic_contexts(hard.cast<float>(), H_stream),
                 contexts_hard, true);
}

ATTN_TEST("p exactly at the threshold is chosen and the threshold is honoured", edge, 2) {
  using namespace golden::hard;  // p = 0.5 at (0, 2) and p = 0.8f at (0, 3) and (1, 3)
  check_hard("hard alignment with threshold 0.5", monotonic_hard_alignment(P, 0.5f), P, 0.5f, hard);
  check_hard("hard alignment with threshold 0.8", monotonic_hard_alignment(P, 0.8f), P, 0.8f, hard_08);
}

ATTN_TEST("empty input or output sequences", edge, 1) {
  using namespace golden::random;
  check_soft("expected alignment", monotonic_expected_alignment(P), P, expected);
  // no frames (T_in = 0): nothing to attend to
  const Mat no_frames(3, 0);
  expect_shape("expected alignment of T_in = 0", monotonic_expected_alignment(no_frames), 3, 0);
  expect_shape("hard alignment of T_in = 0", monotonic_hard_alignment(no_frames), 3, 0);
  const Mat c = monotonic_contexts(no_frames, Mat(0, 4));
  if (expect_shape("contexts of T_in = 0", c, 3, 4))
    check_close("contexts of T_in = 0", c, MatD::Zero(3, 4), kExact);
  // no output steps (T_out = 0)
  const Mat no_steps(0, 5);
  expect_shape("expected alignment of T_out = 0", monotonic_expected_alignment(no_steps), 0, 5);
  expect_shape("hard alignment of T_out = 0", monotonic_hard_alignment(no_steps), 0, 5);
  expect_shape("contexts of T_out = 0", monotonic_contexts(no_steps, Mat::Random(5, 2)), 0, 2);
}

ATTN_TEST("choosing probabilities outside 0..1 or NaN throw std::invalid_argument", edge, 1) {
  const Mat P = Mat::Constant(2, 3, 0.5f);
  const RowVec prev = RowVec::Unit(3, 0);
  for (const float bad : {-0.01f, 1.01f, NAN, std::numeric_limits<float>::infinity()}) {
    CAPTURE(bad);
    Mat P_bad = P;
    P_bad(1, 2) = bad;
    CHECK_THROWS_AS(monotonic_expected_alignment(P_bad), std::invalid_argument);
    CHECK_THROWS_AS(monotonic_hard_alignment(P_bad), std::invalid_argument);
    CHECK_THROWS_AS(monotonic_expected_step(P_bad.row(1), prev), std::invalid_argument);
  }
  CHECK_NOTHROW(monotonic_expected_alignment(Mat::Ones(2, 3)));
  CHECK_NOTHROW(monotonic_expected_alignment(Mat::Zero(2, 3)));
}

ATTN_TEST("mismatched shapes or a threshold outside 0..1 throw std::invalid_argument", edge, 1) {
  const Mat P = Mat::Constant(2, 3, 0.5f);
  CHECK_THROWS_AS(monotonic_contexts(P, Mat::Random(4, 2)), std::invalid_argument);
  CHECK_THROWS_AS(monotonic_contexts(P, Mat::Random(2, 3)), std::invalid_argument);
  CHECK_THROWS_AS(monotonic_expected_step(RowVec::Constant(3, 0.5f), RowVec::Unit(4, 0)),
                  std::invalid_argument);
  for (const float bad : {-0.1f, 1.5f, NAN}) {
    CAPTURE(bad);
    CHECK_THROWS_AS(monotonic_hard_alignment(P, bad), std::invalid_argument);
  }
  CHECK_NOTHROW(monotonic_hard_alignment(P, 0.f));
  CHECK_NOTHROW(monotonic_hard_alignment(P, 1.f));
}
