// p29 timesformer_divided_attention — graded tests. Golden values: tools/golden/p29.py (numpy reshape/einsum
// on (T, N, d); cross-checked with a loop over tokens and with torch on the official code's (h w t) token
// order, nn.MultiheadAttention where the weights are square).
#include <attnkata/graded.h>

#include <cmath>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "golden.inc"
#include "timesformer_divided_attention.h"

using namespace attn;
using namespace attn::check;

namespace {

// A golden case: the clip, its size and the weights of the two steps (joint attention uses the space
// weights).
struct Clip {
  const Mat& X;
  int T, N;
  AttnWeights time, space;
};

Clip clip_case() {
  using namespace golden::clip;
  return {X, T, N, {time_Wq, time_Wk, time_Wv, time_Wo}, {space_Wq, space_Wk, space_Wv, space_Wo}};
}
Clip square_case() {
  using namespace golden::square;
  return {X, T, N, {time_Wq, time_Wk, time_Wv, time_Wo}, {space_Wq, space_Wk, space_Wv, space_Wo}};
}
Clip single_frame_case() {
  using namespace golden::single_frame;
  return {X, T, N, {time_Wq, time_Wk, time_Wv, time_Wo}, {space_Wq, space_Wk, space_Wv, space_Wo}};
}
Clip large_case() {
  using namespace golden::large;
  return {X, T, N, {time_Wq, time_Wk, time_Wv, time_Wo}, {space_Wq, space_Wk, space_Wv, space_Wo}};
}
Clip wide_case() {
  using namespace golden::wide;
  return {X, T, N, {time_Wq, time_Wk, time_Wv, time_Wo}, {space_Wq, space_Wk, space_Wv, space_Wo}};
}

// Random weights of the given widths, scale 1/sqrt(fan_in) like a trained layer's.
AttnWeights random_weights(Index d, Index d_k, Index d_v) {
  const float s = 1.f / std::sqrt(static_cast<float>(d));
  return {s * Mat::Random(d, d_k), s * Mat::Random(d, d_k), s * Mat::Random(d, d_v),
          Mat::Random(d_v, d) / std::sqrt(static_cast<float>(d_v))};
}

// The row order of a clip whose frames come in frame_order and whose patches, in every frame, come in
// patch_order: row t·N + p of the new clip is row frame_order[t]·N + patch_order[p] of the old one.
std::vector<int> clip_order(const std::vector<int>& frame_order, const std::vector<int>& patch_order) {
  const int N = static_cast<int>(patch_order.size());
  std::vector<int> order;
  for (const int t : frame_order)
    for (const int p : patch_order) order.push_back(t * N + p);
  return order;
}

std::string token(Index row, Index N) {
  return "row " + std::to_string(row) + " (frame " + std::to_string(row / N) + ", patch " +
         std::to_string(row % N) + ")";
}

// ---- diagnosis only, never a golden value: the layers and their classic wrong versions, in double ----

using Groups = std::vector<std::vector<Index>>;

// The rows of each patch (time) or each frame (space). patch_major reads the rows in the official code's
// (h w t) order, row p·T + t, instead of this kata's t·N + p.
Groups patch_groups(Index T, Index N, bool patch_major = false) {
  Groups g(static_cast<size_t>(N));
  for (Index p = 0; p < N; ++p)
    for (Index t = 0; t < T; ++t) g[static_cast<size_t>(p)].push_back(patch_major ? p * T + t : t * N + p);
  return g;
}

Groups frame_groups(Index T, Index N, bool patch_major = false) {
  Groups g(static_cast<size_t>(T));
  for (Index t = 0; t < T; ++t)
    for (Index p = 0; p < N; ++p) g[static_cast<size_t>(t)].push_back(patch_major ? p * T + t : t * N + p);
  return g;
}

Groups one_group(Index n) {
  Groups g(1);
  for (Index i = 0; i < n; ++i) g[0].push_back(i);
  return g;
}

struct Flaw {
  bool no_residual = false, scale_d = false, no_scale = false, column_softmax = false, uniform = false;
};

// X + Attn(X) within each group of rows, or the flawed version the flaw names
MatD attend(const MatD& X, const Groups& groups, const AttnWeights& w, Flaw f = {}) {
  MatD out = f.no_residual ? MatD::Zero(X.rows(), X.cols()) : X;
  const MatD Wq = w.Wq.cast<double>(), Wk = w.Wk.cast<double>(), Wv = w.Wv.cast<double>(),
             Wo = w.Wo.cast<double>();
  const double width = f.scale_d ? double(X.cols()) : double(w.Wq.cols());
  const double scale = f.no_scale ? 1.0 : 1.0 / std::sqrt(width);
  for (const auto& rows : groups) {
    MatD Z(static_cast<Index>(rows.size()), X.cols());
    for (size_t i = 0; i < rows.size(); ++i) Z.row(static_cast<Index>(i)) = X.row(rows[i]);
    MatD S = scale * (Z * Wq) * (Z * Wk).transpose();
    if (f.column_softmax) S.transposeInPlace();
    S = (S.colwise() - S.rowwise().maxCoeff()).array().exp().matrix();
    S = S.array().colwise() / S.rowwise().sum().array();
    if (f.column_softmax) S.transposeInPlace();
    if (f.uniform) S.setConstant(1.0 / static_cast<double>(rows.size()));
    const MatD mixed = S * (Z * Wv) * Wo;
    for (size_t i = 0; i < rows.size(); ++i) out.row(rows[i]) += mixed.row(static_cast<Index>(i));
  }
  return out;
}

struct Candidate {
  MatD output;
  std::string mistake;
};

// The step flaws every layer can have.
void add_flaws(std::vector<Candidate>& out, const std::function<MatD(Flaw)>& layer) {
  out.push_back({layer(Flaw{true, false, false, false}),
                 "the residual is missing: each step returns X + Attn(X), the input rows plus the attention "
                 "term, not the attention term alone"});
  out.push_back(
      {layer(Flaw{false, true, false, false}),
       "the scores are scaled by 1/sqrt(d) with d = X.cols(): the dot products have d_k = Wq.cols() "
       "terms, so scale by 1/sqrt(d_k)"});
  out.push_back(
      {layer(Flaw{false, false, true, false}), "the scores are not scaled: divide them by sqrt(d_k)"});
  out.push_back({layer(Flaw{false, false, false, true}),
                 "the softmax runs over the queries (each column of the weights sums to 1): normalise each "
                 "row over its keys"});
  out.push_back(
      {layer(Flaw{false, false, false, false, true}),
       "every token of a group gets the same weight, 1/L: the scores q·k / sqrt(d_k) were not used"});
}

// Name the mistake whose output the submission matches (and the truth does not).
bool name_mistake(const Mat& got, const MatD& truth, const std::vector<Candidate>& candidates) {
  for (const auto& c : candidates)
    if (c.output.allFinite() && is_close(got, c.output, kT3) && !is_close(c.output, truth, kT3)) {
      FAIL_CHECK("the output matches a known mistake: " << c.mistake);
      return true;
    }
  return false;
}

const char* kHwt =
    "the rows were read in the official TimeSformer code's (h w t) order, row p·T + t with time fastest. "
    "Here the clip is frame-major: row t·N + p is patch p of frame t, frame t is rows [t·N, (t+1)·N) and "
    "patch p is rows p, N + p, 2N + p, ...";

void diagnose_time(const Mat& got, const MatD& X, int T, int N, const AttnWeights& w) {
  const MatD truth = attend(X, patch_groups(T, N), w);
  std::vector<Candidate> c;
  c.push_back(
      {attend(X, patch_groups(T, N, true), w), std::string("the time step's groups are wrong: ") + kHwt});
  c.push_back({attend(X, frame_groups(T, N), w),
               "the time step attended within each frame: it must attend across frames, over the T tokens "
               "of one patch (rows p, N + p, ...)"});
  c.push_back({attend(X, one_group(X.rows()), w),
               "the time step attended over all T·N tokens (joint attention): each token sees only the T "
               "tokens of its own patch"});
  add_flaws(c, [&](Flaw f) { return attend(X, patch_groups(T, N), w, f); });
  name_mistake(got, truth, c);
}

void diagnose_space(const Mat& got, const MatD& X, int T, int N, const AttnWeights& w) {
  const MatD truth = attend(X, frame_groups(T, N), w);
  std::vector<Candidate> c;
  c.push_back(
      {attend(X, frame_groups(T, N, true), w), std::string("the space step's groups are wrong: ") + kHwt});
  c.push_back({attend(X, patch_groups(T, N), w),
               "the space step attended across frames: it must attend within one frame, over its N tokens "
               "(rows t·N .. t·N + N - 1)"});
  c.push_back({attend(X, one_group(X.rows()), w),
               "the space step attended over all T·N tokens (joint attention): each token sees only the N "
               "tokens of its own frame"});
  add_flaws(c, [&](Flaw f) { return attend(X, frame_groups(T, N), w, f); });
  name_mistake(got, truth, c);
}

void diagnose_divided(const Mat& got, const Clip& clip) {
  const MatD X = clip.X.cast<double>();
  const int T = clip.T, N = clip.N;
  const AttnWeights &wt = clip.time, &ws = clip.space;
  const auto divided = [&](const AttnWeights& first, const AttnWeights& second, Flaw f = {},
                           bool pm = false) {
    return attend(attend(X, patch_groups(T, N, pm), first, f), frame_groups(T, N, pm), second, f);
  };
  const MatD truth = divided(wt, ws);
  std::vector<Candidate> c;
  c.push_back({divided(wt, ws, {}, true), kHwt});
  c.push_back({attend(attend(X, frame_groups(T, N), ws), patch_groups(T, N), wt),
               "the steps ran in the wrong order: TimeSformer applies time attention first, then space "
               "attention to its result"});
  c.push_back({attend(X, patch_groups(T, N), wt), "only the time step ran: the space step must follow it"});
  c.push_back({attend(X, frame_groups(T, N), ws), "only the space step ran: the time step must come first"});
  c.push_back(
      {attend(X, one_group(X.rows()), ws),
       "this is joint attention over all T·N tokens: divided attention attends over time, then space"});
  c.push_back({X + attend(attend(X, patch_groups(T, N), wt), frame_groups(T, N), ws, Flaw{true}),
               "the space step's residual adds X, not the time step's output"});
  c.push_back({attend(X, patch_groups(T, N), wt) + (attend(X, frame_groups(T, N), ws) - X),
               "both steps read X: the space step must read the time step's output"});
  // both weight sets have d rows, so any of them fits either step
  c.push_back({divided(ws, wt), "the time and space weights are swapped"});
  c.push_back({divided(ws, ws), "the space weights were used for the time step too: each step has its own"});
  c.push_back({divided(wt, wt), "the time weights were used for the space step too: each step has its own"});
  add_flaws(c, [&](Flaw f) { return divided(wt, ws, f); });
  name_mistake(got, truth, c);
}

void diagnose_joint(const Mat& got, const MatD& X, const AttnWeights& w) {
  std::vector<Candidate> c;
  add_flaws(c, [&](Flaw f) { return attend(X, one_group(X.rows()), w, f); });
  name_mistake(got, attend(X, one_group(X.rows()), w), c);
}

bool check_result(const std::string& what, const Mat& got, const MatD& expected, Tol tol = kT2) {
  return expect_shape(what, got, expected.rows(), expected.cols()) && check_finite(what, got) &&
         check_close(what, got, expected, tol);
}

bool check_time(const std::string& what, const Mat& X, int T, int N, const AttnWeights& w,
                const MatD& expected) {
  const Mat got = time_attention(X, T, N, w);
  if (check_result(what, got, expected)) return true;
  if (got.rows() == X.rows() && got.cols() == X.cols()) diagnose_time(got, X.cast<double>(), T, N, w);
  return false;
}

bool check_space(const std::string& what, const Mat& X, int T, int N, const AttnWeights& w,
                 const MatD& expected) {
  const Mat got = space_attention(X, T, N, w);
  if (check_result(what, got, expected)) return true;
  if (got.rows() == X.rows() && got.cols() == X.cols()) diagnose_space(got, X.cast<double>(), T, N, w);
  return false;
}

bool check_divided(const std::string& what, const Clip& clip, const MatD& expected) {
  const Mat got = divided_space_time_attention(clip.X, clip.T, clip.N, clip.time, clip.space);
  if (check_result(what, got, expected)) return true;
  if (got.rows() == clip.X.rows() && got.cols() == clip.X.cols()) diagnose_divided(got, clip);
  return false;
}

bool check_joint(const std::string& what, const Mat& X, const AttnWeights& w, const MatD& expected) {
  const Mat got = joint_space_time_attention(X, w);
  if (check_result(what, got, expected)) return true;
  if (got.rows() == X.rows() && got.cols() == X.cols()) diagnose_joint(got, X.cast<double>(), w);
  return false;
}

}  // namespace

ATTN_TEST("every function returns a T·N×d matrix", shape, 1) {
  const AttnWeights wt = random_weights(6, 3, 2), ws = random_weights(6, 4, 5);  // d_k and d_v differ from d
  const Mat X = Mat::Random(12, 6);                                              // T = 3, N = 4
  expect_shape("time_attention", time_attention(X, 3, 4, wt), 12, 6);
  expect_shape("space_attention", space_attention(X, 3, 4, ws), 12, 6);
  expect_shape("divided_space_time_attention", divided_space_time_attention(X, 3, 4, wt, ws), 12, 6);
  expect_shape("joint_space_time_attention", joint_space_time_attention(X, ws), 12, 6);
}

ATTN_TEST("a single frame and a single patch keep the shape", shape, 1) {
  const AttnWeights wt = random_weights(4, 2, 3), ws = random_weights(4, 3, 2);
  const Mat X = Mat::Random(5, 4);
  for (const auto& [T, N] : {std::pair{1, 5}, std::pair{5, 1}}) {
    INFO("T = " << T << ", N = " << N);
    expect_shape("time_attention", time_attention(X, T, N, wt), 5, 4);
    expect_shape("space_attention", space_attention(X, T, N, ws), 5, 4);
    expect_shape("divided_space_time_attention", divided_space_time_attention(X, T, N, wt, ws), 5, 4);
  }
  expect_shape("joint_space_time_attention of one token", joint_space_time_attention(X.topRows(1), ws), 1, 4);
}

ATTN_TEST("worked examples from the statement", numeric, 2) {
  // (a) T = 2, N = 2, d = 1, Wq = 0: every score is 0, so each step adds the mean of its group (Wv = Wo = 1)
  {
    const AttnWeights w{Mat::Zero(1, 1), Mat::Ones(1, 1), Mat::Ones(1, 1), Mat::Ones(1, 1)};
    const Mat X{{1.f}, {2.f}, {3.f}, {4.f}};  // frame 0 = rows 0, 1; frame 1 = rows 2, 3
    const Mat time = time_attention(X, 2, 2, w);
    if (!check_result("time step of (a)", time, MatD{{3}, {5}, {5}, {7}}, kT1)) {
      if (is_close(time, MatD{{2.5}, {3.5}, {5.5}, {7.5}}, kT1))
        FAIL_CHECK("[2.5 3.5 5.5 7.5] averages rows 0, 1 and rows 2, 3 as patches: " << kHwt);
      else if (is_close(time, MatD{{2.5}, {3.5}, {6.5}, {7.5}}, kT1))
        FAIL_CHECK("[2.5 3.5 6.5 7.5] averages each frame: the time step averages each patch across frames");
    }
    check_result("divided attention of (a)", divided_space_time_attention(X, 2, 2, w, w),
                 MatD{{7}, {9}, {11}, {13}}, kT1);
    check_result("joint attention of (a)", joint_space_time_attention(X, w), MatD{{3.5}, {4.5}, {5.5}, {6.5}},
                 kT1);
  }
  // (b) T = 2, N = 1, d = 2, d_k = 1: Wq = Wk = [1 0]ᵀ, Wv = Wo = I. Frame 0 = [1 0], frame 1 = [0 2].
  // Token 0 scores [1 0] -> weights [σ(1) 1-σ(1)]; token 1 scores [0 0] -> [0.5 0.5].
  {
    const Mat e1{{1.f}, {0.f}};
    const AttnWeights w{e1, e1, Mat::Identity(2, 2), Mat::Identity(2, 2)};
    const Mat X{{1.f, 0.f}, {0.f, 2.f}};
    const double s = 1 / (1 + std::exp(-1.0));  // 0.7310586
    const MatD time{{1 + s, 2 * (1 - s)}, {0.5, 3.0}};
    check_result("time step of (b)", time_attention(X, 2, 1, w), time, kT1);
    // N = 1: the space step sees one token, weight 1, and adds x Wv Wo = x: it doubles every row
    check_result("divided attention of (b)", divided_space_time_attention(X, 2, 1, w, w), 2 * time, kT1);
    // two tokens in all: joint attention is the time step of the single patch
    check_result("joint attention of (b)", joint_space_time_attention(X, w), time, kT1);
  }
}

ATTN_TEST("the time step matches the einsum golden values", numeric, 2) {
  const Clip clip = clip_case(), sq = square_case();
  if (!check_time("time_attention", clip.X, clip.T, clip.N, clip.time, golden::clip::time_out)) return;
  check_time("time_attention with square weights", sq.X, sq.T, sq.N, sq.time, golden::square::time_out);
}

ATTN_TEST("the space step matches the einsum golden values", numeric, 2) {
  const Clip clip = clip_case(), sq = square_case();
  if (!check_space("space_attention", clip.X, clip.T, clip.N, clip.space, golden::clip::space_out)) return;
  check_space("space_attention with square weights", sq.X, sq.T, sq.N, sq.space, golden::square::space_out);
}

ATTN_TEST("divided attention matches the einsum golden values", numeric, 3) {
  check_divided("divided_space_time_attention", clip_case(), golden::clip::divided);
}

ATTN_TEST("joint attention matches the einsum golden values", numeric, 2) {
  const Clip clip = clip_case();
  check_joint("joint_space_time_attention", clip.X, clip.space, golden::clip::joint);
}

ATTN_TEST("one-head weights with d_k = d_v = d match nn.MultiheadAttention", numeric, 1) {
  const Clip sq = square_case();
  if (!check_divided("divided_space_time_attention", sq, golden::square::divided)) return;
  check_joint("joint_space_time_attention", sq.X, sq.space, golden::square::joint);
}

ATTN_TEST("4 frames of 3×3 patches with d = 16 stay within T2", numeric, 1) {
  const Clip wide = wide_case();
  if (!check_divided("divided_space_time_attention", wide, golden::wide::divided)) return;
  check_joint("joint_space_time_attention", wide.X, wide.space, golden::wide::joint);
}

ATTN_TEST("the time step mixes only the tokens of one patch", property, 2) {
  using namespace golden::clip;  // X_patch: patch changed_patch replaced in every frame
  const Clip clip = clip_case();
  if (!check_time("time_attention", X, T, N, clip.time, time_out)) return;
  const Mat got = time_attention(X_patch, T, N, clip.time);
  if (!expect_shape("time_attention with patch 1 changed", got, X.rows(), X.cols())) return;
  for (Index row = 0; row < X.rows(); ++row) {
    if (row % N == changed_patch) continue;
    if (!check_close(token(row, N) + " with patch 1 changed in every frame", got.row(row), time_out.row(row),
                     kT2)) {
      FAIL_CHECK("patch 1 changed and " << token(row, N)
                                        << " moved: the time step must mix only the T tokens of one patch "
                                           "(rows p, N + p, 2N + p, ...), never another patch's");
      return;
    }
  }
  for (Index frame = 0; frame < T; ++frame) {
    const Index row = frame * N + changed_patch;
    check_close(token(row, N) + " of the changed patch", got.row(row), time_patch.row(row), kT2);
  }
}

ATTN_TEST("the space step mixes only the tokens of one frame", property, 2) {
  using namespace golden::clip;  // X_frame: frame changed_frame replaced
  const Clip clip = clip_case();
  if (!check_space("space_attention", X, T, N, clip.space, space_out)) return;
  const Mat got = space_attention(X_frame, T, N, clip.space);
  if (!expect_shape("space_attention with frame 2 changed", got, X.rows(), X.cols())) return;
  for (Index row = 0; row < X.rows(); ++row) {
    if (row / N == changed_frame) continue;
    if (!check_close(token(row, N) + " with frame 2 changed", got.row(row), space_out.row(row), kT2)) {
      FAIL_CHECK("frame 2 changed and " << token(row, N)
                                        << " moved: the space step must mix only the N tokens of one frame "
                                           "(rows t·N .. t·N + N - 1), never another frame's");
      return;
    }
  }
  check_close("the rows of the changed frame", got.middleRows(changed_frame * N, N),
              space_frame.middleRows(changed_frame * N, N), kT2);
}

ATTN_TEST("after both steps every token depends on every token", property, 2) {
  using namespace golden::clip;  // X_token: one token, (frame 1, patch 1), replaced
  const Clip clip = clip_case();
  if (!check_divided("divided_space_time_attention", clip, divided)) return;
  const Mat got = divided_space_time_attention(X_token, T, N, clip.time, clip.space);
  if (!expect_shape("divided attention with one token changed", got, X.rows(), X.cols())) return;
  for (Index row = 0; row < X.rows(); ++row)
    if ((got.row(row).cast<double>() - divided.row(row)).cwiseAbs().maxCoeff() < 1e-3) {
      FAIL_CHECK(
          "token (frame 1, patch 1) changed and "
          << token(row, N)
          << " did not. The time step carries "
             "the change to every frame of patch 1, and the space step to every patch of those frames");
      return;
    }
  check_close("divided attention with token (frame 1, patch 1) changed", got, divided_token, kT2);
}

ATTN_TEST("a zero Wo switches a step off as TimeSformer initialises its time step", property, 2) {
  // The official code zero-initialises temporal_fc, the projection after time attention, in every block but
  // the first: a new block starts as the image model's per-frame space attention.
  using namespace golden::clip;
  const Clip clip = clip_case();
  if (!check_divided("divided_space_time_attention", clip, divided)) return;
  AttnWeights time_off = clip.time, space_off = clip.space;
  time_off.Wo.setZero();
  space_off.Wo.setZero();
  if (!check_result("divided attention with the time step's Wo = 0",
                    divided_space_time_attention(X, T, N, time_off, clip.space), space_out))
    FAIL_CHECK("with the time step's Wo = 0 the time step returns X, and what is left is the space step");
  if (!check_result("divided attention with the space step's Wo = 0",
                    divided_space_time_attention(X, T, N, clip.time, space_off), time_out))
    FAIL_CHECK("with the space step's Wo = 0 the space step returns its input: the time step's output");
}

ATTN_TEST("permuting the frames permutes the output", property, 1) {
  using namespace golden::clip;
  const Clip clip = clip_case();
  if (!check_divided("divided_space_time_attention", clip, divided)) return;
  const std::vector<int> order = clip_order({2, 0, 1}, {0, 1, 2, 3});  // frames 2 0 1
  const Mat X_perm = rows_in_order(X, order);
  const Mat got = divided_space_time_attention(X_perm, T, N, clip.time, clip.space);
  // no positional term: the frames' order does not matter to either step
  check_result("divided attention of the clip with frames 2 0 1", got, rows_in_order(divided, order));
  check_result("joint attention of the clip with frames 2 0 1",
               joint_space_time_attention(X_perm, clip.space), rows_in_order(joint, order));
}

ATTN_TEST("permuting the patches the same way in every frame permutes the output", property, 1) {
  using namespace golden::clip;
  const Clip clip = clip_case();
  if (!check_divided("divided_space_time_attention", clip, divided)) return;
  const std::vector<int> order = clip_order({0, 1, 2}, {3, 1, 0, 2});  // patches 3 1 0 2 in every frame
  const Mat got = divided_space_time_attention(rows_in_order(X, order), T, N, clip.time, clip.space);
  check_result("divided attention with patches 3 1 0 2", got, rows_in_order(divided, order));
}

ATTN_TEST("48 frames of 512 patches run without the (T·N)² joint score matrix", property, 3) {
  // The golden clip (3 frames of 4 patches) with its frames repeated 16 times and its patches 128 times in
  // every frame: T = 48, N = 512, T·N = 24576 rows. A key present r times gets r times the weight of one
  // copy, and the softmax normalises that away, so row (t, p) is golden row (t % 3, p % 4). Joint scores
  // would need 24576² floats = 2.25 GiB, more than the problem's 1024 MiB; divided attention needs one
  // frame's 512² or one patch's 48² scores at a time.
  using namespace golden::clip;
  const Clip clip = clip_case();
  if (!check_divided("divided_space_time_attention", clip, divided)) return;
  const int T_long = T * 16, N_long = N * 128;
  const auto row_of = [&](Index r) { return ((r / N_long) % T) * N + (r % N_long) % N; };
  Mat X_long(Index{T_long} * N_long, X.cols());
  MatD expected(X_long.rows(), X.cols());
  for (Index r = 0; r < X_long.rows(); ++r) {
    X_long.row(r) = X.row(row_of(r));
    expected.row(r) = divided.row(row_of(r));
  }
  const Mat got = divided_space_time_attention(X_long, T_long, N_long, clip.time, clip.space);
  check_result("divided attention of the long clip", got, expected);
}

ATTN_TEST("identical frames make the time step add x Wv Wo to every token", property, 1) {
  if (!check_time("time_attention", golden::clip::X, golden::clip::T, golden::clip::N, clip_case().time,
                  golden::clip::time_out))
    return;
  // A static scene: frame 0 in all 4 frames. A patch's keys and values are then equal, whatever the weights,
  // so its softmax-weighted mean is that one value. The second clip is bright (inputs ×30): scores of
  // several hundred
  for (const Clip& clip : {clip_case(), large_case()}) {
    const Mat still = clip.X.topRows(clip.N).replicate(4, 1);
    const MatD x = still.cast<double>();
    const MatD expected = x + x * clip.time.Wv.cast<double>() * clip.time.Wo.cast<double>();
    const Mat got = time_attention(still, 4, clip.N, clip.time);
    if (!check_result("time step of a static clip", got, expected)) {
      if (expect_shape("time step of a static clip", got, still.rows(), still.cols()) && !got.allFinite())
        FAIL_CHECK(
            "equal scores of several hundred overflow exp: subtract the row max first (the weights are then "
            "exactly 1/T each)");
      else
        FAIL_CHECK("equal keys and values: the weights, whatever they are, must sum to 1 over the T frames");
      return;
    }
  }
}

ATTN_TEST("T = 1: the time step adds x Wv Wo and divided equals joint attention over the frame", edge, 2) {
  using namespace golden::single_frame;
  const Clip clip = single_frame_case();
  // one frame: each token's time step attends to itself alone, weight 1
  const MatD x = X.cast<double>();
  const MatD self = x + x * clip.time.Wv.cast<double>() * clip.time.Wo.cast<double>();
  check_result("time_attention with T = 1", time_attention(X, T, N, clip.time), self);
  check_close("time_attention with T = 1 against the golden values", time_attention(X, T, N, clip.time),
              time_out, kT2);
  if (!check_divided("divided_space_time_attention with T = 1", clip, divided)) return;
  // and the space step of the only frame is joint attention over its N tokens
  check_result("joint attention of the time step's output",
               joint_space_time_attention(Mat(time_out.cast<float>()), clip.space), divided);
}

ATTN_TEST("scores beyond ±88 stay finite and match golden values", edge, 3) {
  using namespace golden::large;  // inputs ×30: scores of several hundred, each softmax nearly one-hot
  const Clip clip = large_case();
  const Mat time = time_attention(X, T, N, clip.time), space = space_attention(X, T, N, clip.space),
            div = divided_space_time_attention(X, T, N, clip.time, clip.space),
            joint_out = joint_space_time_attention(X, clip.space);
  for (const Mat* m : {&time, &space, &div, &joint_out})
    if (!m->allFinite()) {
      FAIL_CHECK(
          "a result is not finite: scores here reach several hundred and float32 exp overflows above "
          "88.7. Subtract each row's max score before exponentiating");
      return;
    }
  if (check_time("time_attention", X, T, N, clip.time, time_out) &&
      check_space("space_attention", X, T, N, clip.space, space_out) &&
      check_divided("divided_space_time_attention", clip, divided))
    check_joint("joint_space_time_attention", X, clip.space, joint);
}

ATTN_TEST("joint attention of 0 tokens gives 0 rows", edge, 1) {
  using namespace golden::clip;
  const Clip clip = clip_case();
  if (!check_joint("joint_space_time_attention", X, clip.space, joint)) return;
  expect_shape("joint_space_time_attention of 0 tokens",
               joint_space_time_attention(Mat(0, X.cols()), clip.space), 0, X.cols());
}

ATTN_TEST("a clip size that does not match X throws std::invalid_argument", edge, 1) {
  const AttnWeights wt = random_weights(6, 3, 2), ws = random_weights(6, 4, 5);
  const Mat X = Mat::Random(12, 6);
  const auto throws_everywhere = [&](int T, int N, const std::string& why) {
    INFO("T = " << T << ", N = " << N << ": " << why);
    CHECK_THROWS_AS(time_attention(X, T, N, wt), std::invalid_argument);
    CHECK_THROWS_AS(space_attention(X, T, N, ws), std::invalid_argument);
    CHECK_THROWS_AS(divided_space_time_attention(X, T, N, wt, ws), std::invalid_argument);
  };
  throws_everywhere(3, 5, "X has 12 rows, T·N = 15");
  throws_everywhere(4, 4, "X has 12 rows, T·N = 16");
  throws_everywhere(0, 4, "a clip needs at least one frame");
  throws_everywhere(12, 0, "a frame needs at least one patch");
  throws_everywhere(-3, -4, "T·N = 12 = X.rows(), but T and N must be at least 1");
  CHECK_NOTHROW(divided_space_time_attention(X, 3, 4, wt, ws));
  CHECK_NOTHROW(divided_space_time_attention(X, 12, 1, wt, ws));
}

ATTN_TEST("weights of the wrong shapes throw std::invalid_argument", edge, 2) {
  const Index d = 6;
  const AttnWeights good = random_weights(d, 3, 2);  // Wq, Wk (6, 3), Wv (6, 2), Wo (2, 6)
  const Mat X = Mat::Random(12, d);
  const auto throws_everywhere = [&](const AttnWeights& bad, const std::string& why) {
    INFO(why);
    CHECK_THROWS_AS(time_attention(X, 3, 4, bad), std::invalid_argument);
    CHECK_THROWS_AS(space_attention(X, 3, 4, bad), std::invalid_argument);
    CHECK_THROWS_AS(joint_space_time_attention(X, bad), std::invalid_argument);
    CHECK_THROWS_AS(divided_space_time_attention(X, 3, 4, bad, good), std::invalid_argument);
    CHECK_THROWS_AS(divided_space_time_attention(X, 3, 4, good, bad), std::invalid_argument);
  };
  AttnWeights w = good;
  w.Wq = Mat::Random(5, 3);
  throws_everywhere(w, "Wq has 5 rows, X has d = 6 columns");
  w = good, w.Wk = Mat::Random(6, 4);
  throws_everywhere(w, "Wq has d_k = 3 columns, Wk has 4");
  w = good, w.Wv = Mat::Random(7, 2);
  throws_everywhere(w, "Wv has 7 rows, X has d = 6 columns");
  w = good, w.Wo = Mat::Random(3, 6);
  throws_everywhere(w, "Wo has 3 rows, Wv has d_v = 2 columns");
  w = good, w.Wo = Mat::Random(2, 5);
  throws_everywhere(w, "Wo has 5 columns, the output needs d = 6");
  w = good, w.Wq = Mat(6, 0), w.Wk = Mat(6, 0);
  throws_everywhere(w, "d_k = 0: the scores would be scaled by 1/sqrt(0)");
  CHECK_THROWS_AS(joint_space_time_attention(Mat::Random(12, 5), good), std::invalid_argument);
  CHECK_NOTHROW(joint_space_time_attention(X, good));
}
