// p26 tacotron2_location_sensitive — graded tests.
// Golden values: tools/golden/p26.py (torch.nn.Conv1d and an explicit numpy loop, cross-checked).
#include "tacotron2_location_sensitive.h"

#include <attnkata/graded.h>

#include <cmath>
#include <string>
#include <vector>

#include "golden.inc"

using namespace attn;
using namespace attn::check;

namespace {

// golden conv matrices are (2 n_f, r): rows 2f and 2f+1 are filter f's α_prev and α_cum rows
std::vector<Mat> filters_of(const Mat& stacked) {
  std::vector<Mat> filters;
  for (Index f = 0; f < stacked.rows() / 2; ++f) filters.push_back(stacked.middleRows(2 * f, 2));
  return filters;
}

struct Case {
  Mat memory, queries;
  int valid_len;
  LsaParams p;
  LsaOut run() const { return location_sensitive_attention(memory, queries, valid_len, p); }
  Index T_in() const { return memory.rows(); }
  LsaState zero_state() const { return {Vec::Zero(T_in()), Vec::Zero(T_in())}; }
};

// clang-format off
#define P26_CASE(ns)                                                                                  \
  Case{ns::memory, ns::queries, ns::valid_len,                                                        \
       LsaParams{ns::W_query, ns::W_memory, filters_of(ns::conv), ns::W_location, ns::v.col(0)}}
// clang-format on

// ---- diagnosis only, never a golden value: the classic wrong versions of the recurrence, in double ----

enum class Mistake { flipped, swapped, cum_assigned, frozen, uncentred, uniform_start, all_positions };

MatD simulate(const Case& c, Mistake m) {
  const Index T_in = c.T_in(), T_out = c.queries.rows(), r = c.p.conv[0].cols(), half = (r - 1) / 2;
  const Index n = m == Mistake::all_positions ? T_in : c.valid_len, n_f = static_cast<Index>(c.p.conv.size());
  const MatD H = c.memory.topRows(n).cast<double>(), Wl = c.p.W_location.cast<double>();
  const MatD processed = H * c.p.W_memory.cast<double>(),
             Qh = c.queries.cast<double>() * c.p.W_query.cast<double>();
  const Eigen::VectorXd v = c.p.v.cast<double>();
  Eigen::VectorXd prev = Eigen::VectorXd::Zero(T_in), cum = Eigen::VectorXd::Zero(T_in);
  if (m == Mistake::uniform_start && c.valid_len > 0) prev.head(c.valid_len).setConstant(1.0 / c.valid_len);
  MatD A = MatD::Zero(T_out, T_in);
  for (Index i = 0; i < T_out && n > 0; ++i) {
    Eigen::VectorXd e(n);
    for (Index j = 0; j < n; ++j) {
      Eigen::RowVectorXd F = Eigen::RowVectorXd::Zero(n_f);
      for (Index u = 0; u < r; ++u) {
        const Index src = m == Mistake::flipped     ? j - u + half
                          : m == Mistake::uncentred ? j + u
                                                    : j + u - half;
        if (src < 0 || src >= T_in) continue;
        for (Index f = 0; f < n_f; ++f) {
          const Index row_prev = m == Mistake::swapped ? 1 : 0;
          F(f) += c.p.conv[f](row_prev, u) * prev(src) + c.p.conv[f](1 - row_prev, u) * cum(src);
        }
      }
      e(j) = (Qh.row(i) + processed.row(j) + F * Wl).array().tanh().matrix().dot(v.transpose());
    }
    const Eigen::VectorXd z = (e.array() - e.maxCoeff()).exp().matrix();
    Eigen::VectorXd a = Eigen::VectorXd::Zero(T_in);
    a.head(n) = z / z.sum();
    A.row(i) = a.transpose();
    if (m == Mistake::frozen) continue;
    prev = a;
    cum = m == Mistake::cum_assigned ? a : Eigen::VectorXd(cum + a);
  }
  return A;
}

// Name the classic mistake when golden alignments do not match; returns whether one was named.
bool diagnose(const Mat& got, const Case& c) {
  struct Named {
    Mistake m;
    const char* message;
  };
  const Named named[] = {
      {Mistake::flipped,
       "the alignments match a flipped kernel (a true convolution): PyTorch's Conv1d is a cross-correlation, "
       "F(j, f) = Σ_u conv[f](c, u) α_c[j + u − (r−1)/2], so tap u > (r−1)/2 reads to the right of j"},
      {Mistake::swapped,
       "the alignments match swapped channels: row 0 of each filter reads α_prev (the last step's weights), "
       "row 1 reads α_cum (their running sum), as in torch.cat((attention_weights, attention_weights_cum))"},
      {Mistake::cum_assigned,
       "α_cum holds only the last step's weights: it must accumulate, α_cum ← α_cum + α_i (it equals α_prev "
       "only after step 0)"},
      {Mistake::frozen,
       "every step equals content-only attention: the state never changes. After step i, α_prev = α_i and "
       "α_cum = α_cum + α_i feed step i+1"},
      {Mistake::uncentred,
       "the kernel is not centred: with zero padding (r−1)/2 on each side, tap u of output j reads "
       "α[j + u − (r−1)/2], not α[j + u]"},
      {Mistake::uniform_start,
       "the state starts as a uniform α_prev (ESPnet's AttLoc does that); here, as in NVIDIA's and "
       "torchaudio's "
       "Tacotron 2, α_prev and α_cum start at 0, so step 0 is content-only"},
      {Mistake::all_positions,
       "the softmax runs over all T_in positions: positions j >= valid_len are padding and get weight 0"},
  };
  for (const Named& n : named) {
    if (n.m == Mistake::all_positions && c.valid_len == c.T_in()) continue;
    if (is_close(got, simulate(c, n.m), kT2)) {
      FAIL_CHECK(std::string(n.message));
      return true;
    }
  }
  return false;
}

// Alignments and contexts against a golden run; names the mistake when it can.
bool check_run(const LsaOut& got, const Case& c, const MatD& alignments, const MatD& contexts) {
  if (!expect_shape("alignments", got.alignments, alignments.rows(), alignments.cols()) ||
      !expect_shape("contexts", got.contexts, contexts.rows(), contexts.cols()))
    return false;
  if (!check_finite("alignments", got.alignments) || !check_finite("contexts", got.contexts)) return false;
  const bool ok = check_close("alignments", got.alignments, alignments, kT2) &
                  check_close("contexts", got.contexts, contexts, kT2);
  if (!ok && !diagnose(got.alignments, c) && is_close(got.alignments.topRows(1), alignments.topRows(1), kT2))
    FAIL_CHECK("step 0 is right and a later step is not: look at the location features and the state update");
  return ok;
}

// memory W_memory in float32, as a caller of location_sensitive_step computes it
Mat processed_of(const Case& c) {
  return c.memory * c.p.W_memory;
}

}  // namespace

ATTN_TEST("alignments are T_out×T_in and contexts T_out×d_e", shape, 1) {
  const Case c = P26_CASE(golden::padded);
  const LsaOut got = c.run();
  expect_shape("alignments", got.alignments, c.queries.rows(), c.T_in());
  expect_shape("contexts", got.contexts, c.queries.rows(), c.memory.cols());
  const LsaStep step =
      location_sensitive_step(c.memory, processed_of(c), c.queries.row(0), c.valid_len, c.p, c.zero_state());
  expect_shape("step alignment", step.alignment, c.T_in(), 1);
  expect_shape("step context", step.context, 1, c.memory.cols());
  expect_shape("next.alpha_prev", step.next.alpha_prev, c.T_in(), 1);
  expect_shape("next.alpha_cum", step.next.alpha_cum, c.T_in(), 1);
}

ATTN_TEST("worked example from the statement", numeric, 2) {
  // T_in = 4, valid_len = 3, memory [1 2 3 pad], W_query = W_memory = 0: only the location term moves the
  // weights. One filter, r = 3, α_cum row [1 0 0] (F_j = α_cum[j−1]), α_prev row 0, W_location = [1], v =
  // [2].
  LsaParams p{Mat::Zero(1, 1),
              Mat::Zero(1, 1),
              {Mat{{0.f, 0.f, 0.f}, {1.f, 0.f, 0.f}}},
              Mat::Ones(1, 1),
              Vec::Constant(1, 2.f)};
  const Mat memory{{1.f}, {2.f}, {3.f}, {NAN}}, queries = Mat::Constant(3, 1, 0.5f);
  const LsaOut got = location_sensitive_attention(memory, queries, 3, p);
  const MatD alignments{{1.0 / 3, 1.0 / 3, 1.0 / 3, 0},
                        {0.20814017, 0.39592992, 0.39592992, 0},
                        {0.13966212, 0.37518946, 0.48514842, 0}};
  const MatD contexts{{2.0}, {2.18778975}, {2.34548630}};
  if (!expect_shape("alignments", got.alignments, 3, 4) || !expect_shape("contexts", got.contexts, 3, 1))
    return;
  const Tol tol{1e-6, 1e-7, "1e-6 relative (the statement's 8 digits)"};
  const bool ok = check_close("alignments", got.alignments, alignments, tol) &
                  check_close("contexts", got.contexts, contexts, tol);
  if (ok) return;
  if (is_close(got.alignments.row(1), MatD{{0.39592992, 0.39592992, 0.20814017, 0}}, tol))
    FAIL_CHECK(
        "step 1 is mirrored (the weight moves left): the α_cum row [1 0 0] reads α_cum[j − 1], a "
        "cross-correlation as in PyTorch's Conv1d; you flipped the kernel");
  else if (!got.contexts.allFinite())
    FAIL_CHECK("a context is not finite: memory row 3 is padding (NaN here) and must never be read");
  else if (is_close(got.alignments.row(1), alignments.topRows(1), tol))
    FAIL_CHECK("step 1 is still uniform: the state after step 0 (α_cum = [1/3 1/3 1/3 0]) must reach step 1");
  else if (is_close(got.alignments.topRows(2), alignments.topRows(2), tol))
    FAIL_CHECK(
        "steps 0 and 1 are right and step 2 is not. α_prev and α_cum are equal after step 0 and differ "
        "from then on: row 1 of the filter reads α_cum, and α_cum must be the running sum [0.541 0.729 0.729 "
        "0]");
}

ATTN_TEST("random case matches golden values", numeric, 2) {
  const Case c = P26_CASE(golden::random);
  check_run(c.run(), c, golden::random::alignments, golden::random::contexts);
}

ATTN_TEST("padded case matches golden values", numeric, 2) {
  const Case c = P26_CASE(golden::padded);
  check_run(c.run(), c, golden::padded::alignments, golden::padded::contexts);
}

ATTN_TEST("a Tacotron-sized case with 32 filters of width 31 over 24 steps matches golden values", numeric,
          2) {
  const Case c = P26_CASE(golden::tacotron);
  check_run(c.run(), c, golden::tacotron::alignments, golden::tacotron::contexts);
}

ATTN_TEST("energies beyond ±88 stay finite and match golden values", numeric, 2) {
  const Case c = P26_CASE(golden::large);
  const LsaOut got = c.run();
  if (!check_finite("alignments", got.alignments)) {
    FAIL_CHECK("energies here pass 88, where float32 exp overflows: subtract the step's maximum before exp");
    return;
  }
  check_run(got, c, golden::large::alignments, golden::large::contexts);
}

ATTN_TEST("a decoder whose query depends on the previous context matches golden values", numeric, 2) {
  // Tacotron 2's attention RNN reads the previous context, so query i is known only after step i−1:
  // here query i = tanh(x_i + c_{i−1} W_fb), c_{−1} = 0. Only a step function can run this loop.
  using namespace golden::closed_loop;
  Case c = P26_CASE(golden::padded);
  c.memory.bottomRows(c.T_in() - c.valid_len).setConstant(NAN);  // padding, as in a padded batch
  const Mat processed = processed_of(c);                         // NaN in the padded rows too
  LsaState state = c.zero_state();
  RowVec context = RowVec::Zero(c.memory.cols());
  for (Index step_i = 0; step_i < x.rows(); ++step_i) {
    CAPTURE(step_i);
    const RowVec query = (x.row(step_i) + context * W_fb).array().tanh().matrix();
    const LsaStep step = location_sensitive_step(c.memory, processed, query, c.valid_len, c.p, state);
    if (!expect_shape("alignment", step.alignment, c.T_in(), 1) ||
        !expect_shape("context", step.context, 1, c.memory.cols()))
      return;
    const bool ok = check_close("alignment", step.alignment.transpose(), alignments.row(step_i), kT2) &
                    check_close("context", step.context, contexts.row(step_i), kT2);
    if (!ok) {
      if (!step.alignment.allFinite() || !step.context.allFinite())
        FAIL_CHECK(
            "not finite: rows j >= valid_len of memory and processed_memory (NaN here) are never read");
      else if (step_i > 0)
        FAIL_CHECK(
            "the steps before this one matched, and step 0 has no location term: look at the location "
            "features F and at next = {α_i, α_cum + α_i}");
      return;
    }
    state = step.next;
    context = step.context;
  }
}

ATTN_TEST("alignment rows sum to 1 and padded columns are exactly 0", property, 2) {
  const Case c = P26_CASE(golden::padded);
  const LsaOut got = c.run();
  // the sum and the zeros hold for uniform weights too: the valid part must be the golden one
  if (!check_close("alignments", got.alignments, golden::padded::alignments, kT2))
    diagnose(got.alignments, c);
  check_rows_sum_to("alignments", got.alignments);
  check_zero_where_masked("alignments", got.alignments, prefix_mask(c.queries.rows(), c.T_in(), c.valid_len));
}

ATTN_TEST("step 0 has no location term whatever the kernels", property, 2) {
  // the state starts at zero, so F = 0 at step 0: its weights are content-only additive attention (p18)
  using namespace golden::padded;
  Case c = P26_CASE(golden::padded);
  for (const float scale : {1.f, -4.f}) {
    CAPTURE(scale);
    for (Mat& filter : c.p.conv) filter *= scale;
    c.p.W_location *= 3.f;
    const LsaOut got = c.run();
    if (!expect_shape("alignments", got.alignments, c.queries.rows(), c.T_in())) return;
    if (!check_close("step 0 alignments", got.alignments.topRows(1), content_alignments.topRows(1), kT2)) {
      if (is_close(got.alignments.topRows(1), simulate(c, Mistake::uniform_start).topRows(1), kT2))
        diagnose(got.alignments, c);
      return;
    }
    check_close("step 0 context", got.contexts.topRows(1), content_contexts.topRows(1), kT2);
  }
}

ATTN_TEST("W_location = 0 gives content-only additive attention at every step", property, 2) {
  // Bahdanau attention (p18) with the same W_query, W_memory and v, computed independently by the generator
  using namespace golden::padded;
  Case c = P26_CASE(golden::padded);
  c.p.W_location.setZero();
  const LsaOut got = c.run();
  check_run(got, c, content_alignments, content_contexts);
  // zero kernels: F = 0, the same thing
  c = P26_CASE(golden::padded);
  for (Mat& filter : c.p.conv) filter.setZero();
  const LsaOut zero_kernels = c.run();
  if (!expect_shape("alignments", zero_kernels.alignments, c.queries.rows(), c.T_in())) return;
  check_close("alignments with zero kernels", zero_kernels.alignments, content_alignments, kT2);
}

ATTN_TEST("a delta kernel on the cumulative row makes F the cumulative weights", property, 2) {
  // one filter, 1 at the centre of its α_cum row: F(j) = α_cum[j], and L_j = α_cum[j] W_location
  Case c = P26_CASE(golden::padded);
  c.p.conv = filters_of(golden::delta::conv);
  c.p.W_location = golden::delta::W_location;
  const LsaOut got = c.run();
  if (check_run(got, c, golden::delta::alignments, golden::delta::contexts)) return;
  if (is_close(got.alignments, golden::padded::content_alignments, kT2))
    FAIL_CHECK("these are content-only weights: the delta on the α_cum row never saw a nonzero α_cum");
}

ATTN_TEST("padded memory rows holding NaN or 1e30 do not leak", property, 2) {
  Case c = P26_CASE(golden::padded);  // rows 7, 8, 9 are padding
  c.memory.row(7).setConstant(NAN);
  c.memory.row(8).setConstant(1e30f);
  c.memory.row(9).setConstant(-NAN);
  const LsaOut got = c.run();
  if (!check_finite("alignments with poisoned padding", got.alignments) ||
      !check_finite("contexts with poisoned padding", got.contexts)) {
    FAIL_CHECK(
        "padded memory rows must never be read: a weight of 0 does not help, 0 × NaN is NaN. Project and "
        "sum only memory.topRows(valid_len)");
    return;
  }
  check_close("alignments with poisoned padding", got.alignments, golden::padded::alignments, kT2);
  check_close("contexts with poisoned padding", got.contexts, golden::padded::contexts, kT2);
}

ATTN_TEST("stepping from a zero state equals the batch function", property, 2) {
  using namespace golden::padded;
  const Case c = P26_CASE(golden::padded);
  if (!check_run(c.run(), c, alignments, contexts)) return;  // the base case first
  Mat processed = processed_of(c);
  processed.bottomRows(c.T_in() - c.valid_len).setConstant(NAN);  // padded rows are never read
  LsaState state = c.zero_state();
  for (Index step_i = 0; step_i < c.queries.rows(); ++step_i) {
    CAPTURE(step_i);
    const LsaStep step =
        location_sensitive_step(c.memory, processed, c.queries.row(step_i), c.valid_len, c.p, state);
    if (!expect_shape("alignment", step.alignment, c.T_in(), 1) ||
        !expect_shape("next.alpha_cum", step.next.alpha_cum, c.T_in(), 1))
      return;
    if (!step.alignment.allFinite()) {
      FAIL_CHECK("rows j >= valid_len of processed_memory (NaN here) must never be read");
      return;
    }
    const bool ok =
        check_close("alignment", step.alignment.transpose(), alignments.row(step_i), kT2) &
        check_close("context", step.context, contexts.row(step_i), kT2) &
        check_close("next.alpha_prev", step.next.alpha_prev.transpose(), alignments.row(step_i), kT2) &
        check_close("next.alpha_cum", step.next.alpha_cum.transpose(), cumulative.row(step_i), kT2);
    if (!ok) {
      if (step.next.alpha_cum.size() == c.T_in() &&
          is_close(step.next.alpha_cum.transpose(), alignments.row(step_i)))
        FAIL_CHECK("next.alpha_cum is this step's weights alone: it is the running sum α_cum + α_i");
      return;
    }
    state = step.next;
  }
}

ATTN_TEST("a step resumed from a saved state matches golden values", property, 2) {
  // the padded case at step 4, given the state after step 3: the step reads the state it is handed
  using namespace golden::resume;
  Case c = P26_CASE(golden::padded);
  c.memory.bottomRows(c.T_in() - c.valid_len).setConstant(NAN);  // padding: never read
  const LsaState state{alpha_prev.col(0), alpha_cum.col(0)};
  const LsaStep got =
      location_sensitive_step(c.memory, processed_of(c), c.queries.row(step), c.valid_len, c.p, state);
  if (!expect_shape("alignment", got.alignment, c.T_in(), 1)) return;
  const bool ok = check_close("alignment", got.alignment, alignment, kT2) &
                  check_close("context", got.context, context, kT2) &
                  check_close("next.alpha_prev", got.next.alpha_prev, alignment, kT2) &
                  check_close("next.alpha_cum", got.next.alpha_cum, next_cum, kT2);
  if (ok) return;
  if (!got.alignment.allFinite() || !got.context.allFinite())
    FAIL_CHECK("not finite: rows j >= valid_len of memory and processed_memory (NaN here) are never read");
  else if (is_close(got.alignment.transpose(), golden::padded::content_alignments.row(step)))
    FAIL_CHECK("that is the content-only step: the location term must come from the state argument");
}

ATTN_TEST("valid_len = 0 gives zero alignments and contexts", edge, 2) {
  Case c = P26_CASE(golden::padded);
  if (!check_run(c.run(), c, golden::padded::alignments, golden::padded::contexts)) return;
  c.valid_len = 0;
  const LsaOut got = c.run();
  if (!check_finite("alignments", got.alignments) || !check_finite("contexts", got.contexts)) {
    FAIL_CHECK("with no valid position there is nothing to normalise: return zeros, not 0/0 = NaN");
    return;
  }
  const Tol exact{0, 0, "exact"};
  check_close("alignments", got.alignments, MatD::Zero(c.queries.rows(), c.T_in()), exact);
  check_close("contexts", got.contexts, MatD::Zero(c.queries.rows(), c.memory.cols()), exact);
  const LsaState state{Vec::Zero(c.T_in()), Vec::Constant(c.T_in(), 0.25f)};
  const LsaStep step = location_sensitive_step(c.memory, processed_of(c), c.queries.row(0), 0, c.p, state);
  check_close("step alignment", step.alignment, MatD::Zero(c.T_in(), 1), exact);
  check_close("step context", step.context, MatD::Zero(1, c.memory.cols()), exact);
  check_close("next.alpha_cum", step.next.alpha_cum, MatD::Constant(c.T_in(), 1, 0.25), exact);
}

ATTN_TEST("T_out = 0 gives empty outputs", edge, 1) {
  Case c = P26_CASE(golden::random);
  if (!check_run(c.run(), c, golden::random::alignments, golden::random::contexts)) return;
  c.queries = Mat(0, c.queries.cols());
  const LsaOut got = c.run();
  expect_shape("alignments", got.alignments, 0, c.T_in());
  expect_shape("contexts", got.contexts, 0, c.memory.cols());
}

ATTN_TEST("a kernel wider than T_in is zero padded and does not throw", edge, 2) {
  const Case c = P26_CASE(golden::long_kernel);  // r = 9, T_in = 5
  LsaOut got;
  try {
    got = c.run();
  } catch (const std::invalid_argument& e) {
    FAIL_CHECK("threw std::invalid_argument(\""
               << std::string(e.what()) << "\"): a kernel wider than T_in reads zeros beyond both ends");
    return;
  }
  check_run(got, c, golden::long_kernel::alignments, golden::long_kernel::contexts);
}

ATTN_TEST("an even kernel width throws std::invalid_argument", edge, 1) {
  Case c = P26_CASE(golden::random);  // r = 5
  for (const Index r : {4, 2, 0}) {
    CAPTURE(r);
    for (Mat& filter : c.p.conv) filter = Mat::Ones(2, r);
    CHECK_THROWS_AS(c.run(), std::invalid_argument);
    CHECK_THROWS_AS(location_sensitive_step(c.memory, processed_of(c), c.queries.row(0), c.valid_len, c.p,
                                            c.zero_state()),
                    std::invalid_argument);
  }
  for (Mat& filter : c.p.conv) filter = Mat::Ones(2, 1);  // r = 1: odd, a pointwise filter
  CHECK_NOTHROW(c.run());
}

ATTN_TEST("valid_len outside 0..T_in throws std::invalid_argument", edge, 1) {
  Case c = P26_CASE(golden::padded);  // T_in = 10
  const Mat processed = processed_of(c);
  for (const int bad : {-1, 11}) {
    CAPTURE(bad);
    c.valid_len = bad;
    CHECK_THROWS_AS(c.run(), std::invalid_argument);
    CHECK_THROWS_AS(location_sensitive_step(c.memory, processed, c.queries.row(0), bad, c.p, c.zero_state()),
                    std::invalid_argument);
  }
  c.valid_len = 10;
  CHECK_NOTHROW(c.run());
}

ATTN_TEST("mismatched shapes throw std::invalid_argument", edge, 2) {
  const Case c = P26_CASE(golden::padded);  // d_q = 6, d_e = 5, d_a = 8, n_f = 4, r = 3, T_in = 10
  const auto throws = [&](const char* why, const Case& d) {
    INFO(std::string(why));
    CHECK_THROWS_AS(d.run(), std::invalid_argument);
  };
  Case d = c;
  d.p.W_query = Mat::Zero(5, 8);
  throws("W_query needs d_q rows", d);
  d = c, d.p.W_query = Mat::Zero(6, 7);
  throws("W_query needs d_a = v.size() columns", d);
  d = c, d.p.W_memory = Mat::Zero(4, 8);
  throws("W_memory needs d_e rows", d);
  d = c, d.p.W_memory = Mat::Zero(5, 7);
  throws("W_memory needs d_a = v.size() columns", d);
  d = c, d.p.v = Vec::Zero(7);
  throws("v needs d_a entries, like the columns of W_query", d);
  d = c, d.p.W_location = Mat::Zero(3, 8);
  throws("W_location needs n_f = conv.size() rows", d);
  d = c, d.p.W_location = Mat::Zero(4, 7);
  throws("W_location needs d_a columns", d);
  d = c, d.p.conv.clear(), d.p.W_location = Mat::Zero(0, 8);
  throws("conv needs at least one filter", d);
  d = c, d.p.conv[2] = Mat::Zero(2, 5);
  throws("every filter needs the same width r", d);
  d = c, d.p.conv[1] = Mat::Zero(3, 3);
  throws("a filter has two rows, α_prev and α_cum", d);
  // the step's own arguments
  const Mat processed = processed_of(c);
  const LsaState zero = c.zero_state();
  const auto step_throws = [&](const char* why, const Mat& processed_, const LsaState& state) {
    INFO(std::string(why));
    CHECK_THROWS_AS(location_sensitive_step(c.memory, processed_, c.queries.row(0), c.valid_len, c.p, state),
                    std::invalid_argument);
  };
  step_throws("processed_memory needs T_in rows", processed.topRows(7), zero);
  step_throws("processed_memory needs d_a columns", processed.leftCols(7), zero);
  step_throws("alpha_prev needs T_in entries", processed, LsaState{Vec::Zero(9), Vec::Zero(10)});
  step_throws("alpha_cum needs T_in entries", processed, LsaState{Vec::Zero(10), Vec::Zero(11)});
  CHECK_NOTHROW(location_sensitive_step(c.memory, processed, c.queries.row(0), c.valid_len, c.p, zero));
}
