// p23 kv_cache_gqa_decoding — graded tests. Golden values: tools/golden/p23.py (torch float64, KV heads
// repeated with repeat_interleave, full causal recompute; cross-checked with a numpy loop and
// nn.MultiheadAttention).
#include <attnkata/graded.h>

#include <cmath>
#include <string>

#include "golden.inc"
#include "kv_cache_gqa_decoding.h"

using namespace attn;
using namespace attn::check;

namespace {

GQAParams make_params(const Mat& Wq, const Mat& Wk, const Mat& Wv, const Mat& Wo, int n_heads,
                      int n_kv_heads) {
  GQAParams p;
  p.Wq = Wq, p.Wk = Wk, p.Wv = Wv, p.Wo = Wo;
  p.n_heads = n_heads, p.n_kv_heads = n_kv_heads;
  return p;
}

// Random parameters with weights of scale 1/sqrt(fan_in), like a trained layer's: scores are O(1).
GQAParams random_params(Index d, int n_heads, int n_kv_heads, Index d_h) {
  const float s_in = 1.f / std::sqrt(static_cast<float>(d)), s_out = 1.f / std::sqrt(float(n_heads * d_h));
  return make_params(s_in * Mat::Random(d, n_heads * d_h), s_in * Mat::Random(d, n_kv_heads * d_h),
                     s_in * Mat::Random(d, n_kv_heads * d_h), s_out * Mat::Random(n_heads * d_h, d), n_heads,
                     n_kv_heads);
}

// Every row of X through gqa_decode_step, one token at a time, into cache.
Mat decode_all(const Mat& X, const GQAParams& p, KVCache& cache) {
  Mat out(X.rows(), X.cols());
  for (Index t = 0; t < X.rows(); ++t) {
    const RowVec y = gqa_decode_step(X.row(t), p, cache);
    REQUIRE_MESSAGE(y.cols() == p.Wo.cols(),
                    "gqa_decode_step must return one row of d = " << p.Wo.cols() << " values");
    out.row(t) = y;
  }
  return out;
}

Mat decode_all(const Mat& X, const GQAParams& p) {
  KVCache cache;
  return decode_all(X, p, cache);
}

// Column blocks of W (d, g·d_h) repeated per group: block k appears `times` times in a row
// (repeat_interleave), or the whole matrix `times` times over (tile).
Mat repeat_heads(const Mat& W, int n_kv_heads, int times, bool tile) {
  const Index d_h = W.cols() / n_kv_heads;
  Mat out(W.rows(), W.cols() * times);
  for (Index q = 0; q < n_kv_heads * times; ++q)
    out.middleCols(q * d_h, d_h) = W.middleCols((tile ? q % n_kv_heads : q / times) * d_h, d_h);
  return out;
}

// ---- diagnosis only, never a golden value: the classic wrong implementations, in double ----

enum class Variant { correct, tile, scale_d_model, no_causal, self_hidden };

MatD model(const Mat& X, const GQAParams& p, Variant v) {
  const Index n = X.rows(), h = p.n_heads, g = p.n_kv_heads, d_h = p.Wq.cols() / h, r = h / g;
  const MatD Xd = X.cast<double>();
  const MatD Q = Xd * p.Wq.cast<double>(), K = Xd * p.Wk.cast<double>(), V = Xd * p.Wv.cast<double>();
  const double scale = 1.0 / std::sqrt(double(v == Variant::scale_d_model ? X.cols() : d_h));
  MatD concat = MatD::Zero(n, h * d_h);
  for (Index i = 0; i < n; ++i)
    for (Index q = 0; q < h; ++q) {
      const Index kv = v == Variant::tile ? q % g : q / r;
      const Index visible = v == Variant::no_causal ? n : v == Variant::self_hidden ? i : i + 1;
      if (visible == 0) continue;
      Eigen::RowVectorXd s =
          scale * (K.block(0, kv * d_h, visible, d_h) * Q.block(i, q * d_h, 1, d_h).transpose()).transpose();
      s = (s.array() - s.maxCoeff()).exp().matrix();
      concat.block(i, q * d_h, 1, d_h) = (s / s.sum()) * V.block(0, kv * d_h, visible, d_h);
    }
  return concat * p.Wo.cast<double>();
}

// Name the classic mistakes when a comparison fails: a mistake is named when it changes the result here and
// the submission matches it.
void diagnose(const Mat& got, const Mat& X, const GQAParams& p) {
  const MatD truth = model(X, p, Variant::correct);
  auto matches = [&](Variant v) {
    const MatD alt = model(X, p, v);
    return is_close(got, alt, kT3) && !is_close(got, truth, kT3);
  };
  if (matches(Variant::tile))
    FAIL_CHECK(
        "the output matches query head q reading KV head q % n_kv_heads (tile): consecutive query heads "
        "share a KV head, so head q reads KV head q / (n_heads / n_kv_heads) (repeat_interleave, HF "
        "repeat_kv)");
  if (matches(Variant::scale_d_model))
    FAIL_CHECK(
        "the output matches scores scaled by 1/sqrt(d_model): each head's dot product has d_h terms, "
        "so scale by 1/sqrt(d_h)");
  if (matches(Variant::no_causal))
    FAIL_CHECK(
        "the output matches attention over the whole sequence: position i may only see j <= i "
        "(causal mask); a model that sees the future at training time cannot generate");
  if (matches(Variant::self_hidden))
    FAIL_CHECK(
        "the output matches token t attending to positions 0 .. t-1 only: append x_t Wk and x_t Wv "
        "to the cache before attending, so the token sees itself");
  if (got.rows() > 0 && got.allFinite() && got.row(0).isZero(0) && !truth.row(0).isZero(1e-12))
    FAIL_CHECK(
        "the first output row is all zero: the first token has an empty cache unless its own key and "
        "value are appended before attending");
}

bool check_output(const std::string& what, const Mat& got, const MatD& expected, const Mat& X,
                  const GQAParams& p, Tol tol) {
  if (!expect_shape(what, got, expected.rows(), expected.cols())) return false;
  if (!check_finite(what, got)) return false;
  if (check_close(what, got, expected, tol)) return true;
  diagnose(got, X, p);
  return false;
}

}  // namespace

ATTN_TEST("prefill output is n×d and a decode step returns one 1×d row", shape, 1) {
  const GQAParams p = random_params(8, 4, 2, 3);
  const Mat X = Mat::Random(5, 8);
  expect_shape("gqa_causal_attention", gqa_causal_attention(X, p), 5, 8);
  KVCache cache;
  expect_shape("gqa_prefill", gqa_prefill(X, p, cache), 5, 8);
  KVCache fresh;
  const RowVec y = gqa_decode_step(X.row(0), p, fresh);
  expect_shape("gqa_decode_step", y, 1, 8);
}

ATTN_TEST("after step t the cache holds t+1 rows of n_kv_heads·d_h columns", shape, 1) {
  const GQAParams p =
      random_params(32, 8, 2, 4);  // h·d_h = 32, g·d_h = 8: a cache 4 times smaller than MHA's
  const Mat X = Mat::Random(6, 32);
  KVCache cache;
  for (Index t = 0; t < X.rows(); ++t) {
    CAPTURE(t);
    gqa_decode_step(X.row(t), p, cache);
    if (cache.K.cols() == 32)
      FAIL_CHECK(
          "the cache holds h·d_h = 32 columns: store the n_kv_heads = 2 KV heads once (g·d_h = 8), "
          "not repeated per query head; the h/g = 4 times smaller cache is the point of GQA");
    if (!expect_shape("cache.K", cache.K, t + 1, 8) || !expect_shape("cache.V", cache.V, t + 1, 8)) return;
  }
  KVCache prompt;
  gqa_prefill(X.topRows(4), p, prompt);
  expect_shape("cache.K after a prefill of 4 tokens", prompt.K, 4, 8);
  expect_shape("cache.V after a prefill of 4 tokens", prompt.V, 4, 8);
}

ATTN_TEST("worked example from the statement (2 query heads share 1 KV head)", numeric, 2) {
  // d = 2, h = 2, g = 1, d_h = 1; Wq = Wo = I, Wk = [1 1]ᵀ, Wv = [1 -1]ᵀ; x0 = [1 0], x1 = [0 2]
  GQAParams p = make_params(Mat::Identity(2, 2), Mat::Ones(2, 1), Mat(2, 1), Mat::Identity(2, 2), 2, 1);
  p.Wv << 1, -1;
  Mat X(2, 2);
  X << 1, 0, 0, 2;
  const MatD expected{{1.0, 1.0}, {-0.5, -1.6423912339336473}};
  KVCache cache;
  const Mat got = decode_all(X, p, cache);
  check_output("decoded outputs", got, expected, X, p, kT1);
  check_output("gqa_causal_attention", gqa_causal_attention(X, p), expected, X, p, kT1);
  check_close("cache.K", cache.K, MatD{{1.0}, {2.0}}, kT1);
  check_close("cache.V", cache.V, MatD{{1.0}, {-2.0}}, kT1);
}

ATTN_TEST("GQA prefill matches repeated-KV causal attention from torch", numeric, 3) {
  using namespace golden::gqa;
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  check_output("gqa_causal_attention", gqa_causal_attention(X, p), output, X, p, kT2);
}

ATTN_TEST("decoding the golden sequence token by token matches golden values", numeric, 2) {
  using namespace golden::gqa;
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  check_output("decoded outputs", decode_all(X, p), output, X, p, kT2);
}

ATTN_TEST("MQA with a single KV head matches golden values", numeric, 2) {
  using namespace golden::mqa;
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  check_output("gqa_causal_attention", gqa_causal_attention(X, p), output, X, p, kT2);
  check_output("decoded outputs", decode_all(X, p), output, X, p, kT2);
}

ATTN_TEST("n_kv_heads = n_heads matches nn.MultiheadAttention with a causal mask", numeric, 2) {
  using namespace golden::mha;
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  check_output("gqa_causal_attention", gqa_causal_attention(X, p), output, X, p, kT2);
  check_output("decoded outputs", decode_all(X, p), output, X, p, kT2);
}

ATTN_TEST("h·d_h different from d_model matches golden values", numeric, 1) {
  using namespace golden::rect;  // d = 10, h·d_h = 12: Wq is (10, 12), Wk and Wv (10, 6), Wo (12, 10)
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  check_output("gqa_causal_attention", gqa_causal_attention(X, p), output, X, p, kT2);
  check_output("decoded outputs", decode_all(X, p), output, X, p, kT2);
}

ATTN_TEST("16 tokens with 8 query heads on 2 KV heads stay within T2", numeric, 1) {
  using namespace golden::wide;
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  check_output("gqa_causal_attention", gqa_causal_attention(X, p), output, X, p, kT2);
  check_output("decoded outputs", decode_all(X, p), output, X, p, kT2);
}

ATTN_TEST("decoding token by token equals the full causal computation", property, 3) {
  using namespace golden::wide;  // 16 tokens, 8 query heads on 2 KV heads
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  const Mat full = gqa_causal_attention(X, p);
  if (!check_output("gqa_causal_attention", full, output, X, p, kT2)) return;
  const Mat decoded = decode_all(X, p);
  if (!check_finite("decoded outputs", decoded)) return;
  if (!check_close("decoded outputs against gqa_causal_attention", decoded, full.cast<double>(), kT1))
    diagnose(decoded, X, p);
}

ATTN_TEST("prefill of a prompt then decoding the rest equals the full computation", property, 2) {
  using namespace golden::mqa;  // 6 tokens: a prompt of 4, then 2 decoded
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  const Mat full = gqa_causal_attention(X, p);
  if (!check_output("gqa_causal_attention", full, output, X, p, kT2)) return;
  KVCache cache;
  const Mat prompt = gqa_prefill(X.topRows(4), p, cache);
  check_close("prefill outputs of the prompt", prompt, full.topRows(4).cast<double>(), kT1);
  REQUIRE_MESSAGE(cache.K.rows() == 4, "after a prefill of 4 tokens the cache must hold 4 rows");
  for (Index t = 4; t < X.rows(); ++t) {
    CAPTURE(t);
    const RowVec y = gqa_decode_step(X.row(t), p, cache);
    if (!check_close("decoded row after the prompt", y, full.row(t).cast<double>(), kT1)) {
      FAIL_CHECK("a token decoded at position t must see all t cached prompt rows and itself");
      return;
    }
  }
}

ATTN_TEST("chunked prefill into a non-empty cache equals the full computation", property, 2) {
  using namespace golden::gqa;  // 7 tokens: chunks of 3 and 4
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  const Mat full = gqa_causal_attention(X, p);
  if (!check_output("gqa_causal_attention", full, output, X, p, kT2)) return;
  KVCache cache;
  gqa_prefill(X.topRows(3), p, cache);
  const Mat chunk = gqa_prefill(X.bottomRows(4), p, cache);
  if (!check_close("outputs of rows 3..6 prefilled after rows 0..2", chunk, full.bottomRows(4).cast<double>(),
                   kT1))
    FAIL_CHECK("row i of a chunk is position t0 + i: it sees the t0 cached rows and rows 0..i of the chunk");
  expect_shape("cache.K after two chunks", cache.K, 7, Wk.cols());
}

ATTN_TEST("cache rows are x_t Wk and x_t Wv and earlier rows never change", property, 2) {
  using namespace golden::rect;  // d = 10, 2 KV heads of d_h = 3: the cache is (t, 6)
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  const MatD K = X.cast<double>() * Wk.cast<double>(), V = X.cast<double>() * Wv.cast<double>();
  KVCache cache;
  for (Index t = 0; t < X.rows(); ++t) {
    CAPTURE(t);
    const RowVec y = gqa_decode_step(X.row(t), p, cache);
    if (!check_close("cache.K", cache.K, K.topRows(t + 1), kT1) ||
        !check_close("cache.V", cache.V, V.topRows(t + 1), kT1) ||
        !check_close("decoded row", y, output.row(t), kT2))
      return;
  }
}

ATTN_TEST("GQA equals MHA with each KV head repeated for its query group", property, 2) {
  using namespace golden::gqa;  // 4 query heads on 2 KV heads
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  const int h = n_heads, g = n_kv_heads;
  if (!check_output("gqa_causal_attention", gqa_causal_attention(X, p), output, X, p, kT2)) return;
  GQAParams rep = p;  // KV head k copied to query heads k·2 and k·2+1 (repeat_interleave)
  rep.Wk = repeat_heads(Wk, g, h / g, false), rep.Wv = repeat_heads(Wv, g, h / g, false);
  rep.n_kv_heads = h;
  // the same numbers from MHA (n_kv_heads = n_heads), each KV head's columns copied for its group
  check_output("MHA with repeated KV heads", gqa_causal_attention(X, rep), output, X, rep, kT2);
}

ATTN_TEST("changing a later token leaves every earlier output unchanged", property, 2) {
  using namespace golden::gqa;  // 7 tokens; rows 4..6 replaced
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  Mat X_future = X;
  X_future.bottomRows(3) = 5 * Mat::Random(3, X.cols());
  const Mat changed = gqa_causal_attention(X_future, p);
  if (!expect_shape("gqa_causal_attention", changed, X.rows(), X.cols())) return;
  if (!check_close("rows 0..3 with rows 4..6 changed", changed.topRows(4), output.topRows(4), kT2)) {
    FAIL_CHECK("rows 0..3 must be the golden ones whatever follows them: mask j > i in the prefill");
    diagnose(changed, X_future, p);
  }
}

ATTN_TEST("the first token sees only itself", edge, 2) {
  // one visible key: weight 1 in every head, so y_0 = Concat_q(v_0 of KV head q/r) Wo; then token 1 sees two
  using namespace golden::gqa;
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  const MatD v0 =
      X.topRows(1).cast<double>() * repeat_heads(Wv, n_kv_heads, n_heads / n_kv_heads, false).cast<double>();
  KVCache cache;
  const RowVec y0 = gqa_decode_step(X.row(0), p, cache);
  if (!check_finite("first decoded row", y0)) {
    FAIL_CHECK("an empty softmax gives NaN: append the token's key and value before attending");
    return;
  }
  if (!check_close("first decoded row", y0, v0 * Wo.cast<double>(), kT1)) {
    diagnose(Mat(y0), X.topRows(1), p);
    return;
  }
  const RowVec y1 = gqa_decode_step(X.row(1), p, cache);
  if (!check_close("second decoded row", y1, output.row(1), kT2)) diagnose(Mat(y1), X.topRows(2), p);
}

ATTN_TEST("bad head counts throw std::invalid_argument", edge, 1) {
  const Mat X = Mat::Random(3, 8);
  auto throws_everywhere = [&](const GQAParams& p, const std::string& what) {
    INFO(what);
    KVCache cache;
    CHECK_THROWS_AS(gqa_causal_attention(X, p), std::invalid_argument);
    CHECK_THROWS_AS(gqa_prefill(X, p, cache), std::invalid_argument);
    CHECK_THROWS_AS(gqa_decode_step(X.row(0), p, cache), std::invalid_argument);
  };
  throws_everywhere(random_params(8, 4, 3, 2), "n_heads = 4 is not a multiple of n_kv_heads = 3");
  GQAParams odd = random_params(8, 4, 2, 2);
  odd.Wq = Mat::Random(8, 10);  // 10 columns do not split into 4 heads
  throws_everywhere(odd, "Wq.cols() = 10 is not a multiple of n_heads = 4");
  GQAParams zero_kv = random_params(8, 4, 2, 2);
  zero_kv.n_kv_heads = 0;
  throws_everywhere(zero_kv, "n_kv_heads = 0");
  GQAParams zero_q = random_params(8, 4, 2, 2);
  zero_q.n_heads = 0;
  throws_everywhere(zero_q, "n_heads = 0");
  GQAParams negative = random_params(8, 4, 2, 2);
  negative.n_heads = -4, negative.n_kv_heads = -2;
  throws_everywhere(negative,
                    "n_heads = -4 and n_kv_heads = -2: -4 % -2 == 0, but head counts must be positive");
}

ATTN_TEST("wrong Wk Wv Wo or input shapes throw std::invalid_argument", edge, 2) {
  const GQAParams good = random_params(8, 4, 2, 3);  // Wq (8, 12), Wk and Wv (8, 6), Wo (12, 8)
  const Mat X = Mat::Random(3, 8);
  auto throws_everywhere = [&](const GQAParams& p, const std::string& what) {
    INFO(what);
    KVCache cache;
    CHECK_THROWS_AS(gqa_causal_attention(X, p), std::invalid_argument);
    CHECK_THROWS_AS(gqa_prefill(X, p, cache), std::invalid_argument);
    CHECK_THROWS_AS(gqa_decode_step(X.row(0), p, cache), std::invalid_argument);
  };
  GQAParams p = good;
  p.Wk = Mat::Random(8, 12);
  throws_everywhere(p, "Wk has h·d_h = 12 columns instead of g·d_h = 6");
  p = good, p.Wv = Mat::Random(7, 6);
  throws_everywhere(p, "Wv has 7 rows instead of d = 8");
  p = good, p.Wo = Mat::Random(8, 12);
  throws_everywhere(p, "Wo is (8, 12) instead of (h·d_h, d) = (12, 8)");
  p = good, p.Wq = Mat(8, 0), p.Wk = Mat(8, 0), p.Wv = Mat(8, 0), p.Wo = Mat(0, 8);
  throws_everywhere(p, "Wq has no columns: d_h = 0");
  KVCache cache;
  CHECK_THROWS_AS(gqa_causal_attention(Mat::Random(3, 7), good), std::invalid_argument);
  CHECK_THROWS_AS(gqa_prefill(Mat::Random(3, 7), good, cache), std::invalid_argument);
  CHECK_THROWS_AS(gqa_decode_step(RowVec::Random(9), good, cache), std::invalid_argument);
}

ATTN_TEST("a cache of the wrong width or with K and V of different lengths throws", edge, 1) {
  const GQAParams p = random_params(8, 4, 2, 3);  // the cache must be (t, 6)
  const RowVec x = RowVec::Random(8);
  KVCache wide{Mat::Random(3, 12), Mat::Random(3, 12)};
  CHECK_THROWS_AS(gqa_decode_step(x, p, wide), std::invalid_argument);
  KVCache uneven{Mat::Random(3, 6), Mat::Random(2, 6)};
  CHECK_THROWS_AS(gqa_decode_step(x, p, uneven), std::invalid_argument);
  CHECK_THROWS_AS(gqa_prefill(Mat::Random(2, 8), p, uneven), std::invalid_argument);
}

ATTN_TEST("a rejected call leaves the cache unchanged", edge, 1) {
  const GQAParams p = random_params(8, 4, 2, 3);
  KVCache cache;
  gqa_prefill(Mat::Random(3, 8), p, cache);
  const Mat K = cache.K, V = cache.V;
  CHECK_THROWS_AS(gqa_decode_step(RowVec::Random(7), p, cache), std::invalid_argument);
  GQAParams bad = p;
  bad.Wo = Mat::Random(8, 12);
  CHECK_THROWS_AS(gqa_decode_step(RowVec::Random(8), bad, cache), std::invalid_argument);
  CHECK_THROWS_AS(gqa_prefill(Mat::Random(2, 8), bad, cache), std::invalid_argument);
  if (!expect_shape("cache.K after rejected calls", cache.K, 3, 6) ||
      !expect_shape("cache.V after rejected calls", cache.V, 3, 6))
    return;
  check_close("cache.K after rejected calls", cache.K, K.cast<double>(), Tol{0, 0, "exact"});
  check_close("cache.V after rejected calls", cache.V, V.cast<double>(), Tol{0, 0, "exact"});
}

ATTN_TEST("an empty prompt gives 0 rows and leaves the cache empty", edge, 1) {
  using namespace golden::gqa;
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  const Index d = X.cols();
  expect_shape("gqa_causal_attention of 0 tokens", gqa_causal_attention(Mat(0, d), p), 0, d);
  KVCache cache;
  expect_shape("gqa_prefill of 0 tokens", gqa_prefill(Mat(0, d), p, cache), 0, d);
  CHECK_MESSAGE(cache.K.rows() == 0, "a prefill of 0 tokens must leave 0 cache rows");
  // the cache still works afterwards: the golden sequence prefilled into it
  check_output("gqa_prefill after an empty prefill", gqa_prefill(X, p, cache), output, X, p, kT2);
  expect_shape("cache.K after the sequence", cache.K, X.rows(), Wk.cols());
}

ATTN_TEST("scores far beyond exp's float32 range stay finite", edge, 2) {
  // tokens of size ~300 give scores of ~1e4 and more: exp overflows unless the row max is subtracted
  using namespace golden::large;
  const GQAParams p = make_params(Wq, Wk, Wv, Wo, n_heads, n_kv_heads);
  const Mat full = gqa_causal_attention(X, p);
  const Mat decoded = decode_all(X, p);
  if (!check_finite("gqa_causal_attention", full) || !check_finite("decoded outputs", decoded)) {
    FAIL_CHECK(
        "exp(score) overflows float32 above 88.7: subtract each row's max score before exponentiating");
    return;
  }
  check_output("gqa_causal_attention", full, output, X, p, kT2);
  check_output("decoded outputs", decoded, output, X, p, kT2);
}
