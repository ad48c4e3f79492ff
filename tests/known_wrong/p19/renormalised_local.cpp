// known-wrong p19: local-p weights renormalised to sum 1 after the Gaussian
// expect: failed, score 0..25
#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "luong_global_local_attention.h"

namespace attn {

namespace {

void require(bool ok, const char* fn, const char* what) {
  if (!ok) throw std::invalid_argument(std::string(fn) + ": " + what);
}

// The checks both functions share: the source, the chosen score's parameters and W_c.
void check_common(const RowVec& h_t, const Mat& src, const LuongParams& p, const char* fn) {
  const Eigen::Index n_t = h_t.cols(), n_s = src.cols();
  require(src.rows() >= 1, fn, "the source needs at least one position");
  switch (p.score) {
    case LuongScore::Dot:
      require(n_t == n_s, fn, "dot scores need h_t and the source states to have the same size");
      break;
    case LuongScore::General:
      require(p.W_a.rows() == n_t && p.W_a.cols() == n_s, fn, "general scores need W_a of shape (n_t, n_s)");
      break;
    case LuongScore::Concat:
      require(p.W_a.rows() == n_t + n_s, fn, "concat scores need W_a with n_t + n_s rows");
      require(p.W_a.cols() == p.v_a.size(), fn, "concat scores need W_a.cols() == v_a.size()");
      break;
  }
  require(p.W_c.rows() == n_s + n_t, fn, "W_c needs n_s + n_t rows (context first, then h_t)");
}

// score(s) for each row of rows, (count, n_s) -> (count,)
Vec score_rows(const RowVec& h_t, const Eigen::Ref<const Mat>& rows, const LuongParams& p) {
  const Eigen::Index n_t = h_t.cols(), n_s = rows.cols();
  switch (p.score) {
    case LuongScore::Dot:
      return rows * h_t.transpose();
    case LuongScore::General:
      // h_t W_a h̄_sᵀ = h̄_s · (h_t W_a): one (1, n_s) vector, then one dot product per row
      return rows * (h_t * p.W_a).transpose();
    case LuongScore::Concat: {
      // [h_t, h̄_s] W_a = h_t W_a[:n_t] + h̄_s W_a[n_t:]; the h_t half is computed once, not once per row
      const RowVec target_part = h_t * p.W_a.topRows(n_t);
      const Mat hidden = ((rows * p.W_a.bottomRows(n_s)).rowwise() + target_part).array().tanh().matrix();
      return hidden * p.v_a;
    }
  }
  throw std::invalid_argument("luong: unknown score function");
}

// softmax of a vector; subtracting the max keeps every exponent <= 0 and the sum >= 1
Vec softmax(const Vec& scores) {
  const Vec exps = (scores.array() - scores.maxCoeff()).exp().matrix();
  return exps / exps.sum();
}

// h̃_t = tanh([c_t, h_t] W_c) = tanh(c_t W_c[:n_s] + h_t W_c[n_s:]), without building the concatenation
RowVec attentional_state(const RowVec& context, const RowVec& h_t, const Mat& W_c) {
  const Eigen::Index n_s = context.cols(), n_t = h_t.cols();
  return (context * W_c.topRows(n_s) + h_t * W_c.bottomRows(n_t)).array().tanh().matrix();
}

}  // namespace

LuongOut luong_global(const RowVec& h_t, const Mat& src, const LuongParams& p) {
  // h_t is (1, n_t), src is (S, n_s)
  check_common(h_t, src, p, "luong_global");
  LuongOut out;
  // pass 1: one score per source position, (S,)
  const Vec scores = score_rows(h_t, src, p);
  // pass 2: softmax over all S positions
  out.weights = softmax(scores);
  // pass 3: context (1, n_s) = weightsᵀ src, then the attentional state (1, d_out)
  out.context = out.weights.transpose() * src;
  out.h_tilde = attentional_state(out.context, h_t, p.W_c);
  out.p_t = -1.f;  // global attention has no window
  return out;
}

LuongOut luong_local_p(const RowVec& h_t, const Mat& src, const LuongParams& p) {
  // h_t is (1, n_t), src is (S, n_s), W_p is (n_t, d_p), v_p is (d_p,)
  check_common(h_t, src, p, "luong_local_p");
  require(p.D >= 1, "luong_local_p", "the window half-width D must be at least 1");
  require(p.W_p.rows() == h_t.cols() && p.W_p.cols() == p.v_p.size(), "luong_local_p",
          "W_p must be (n_t, d_p) and v_p (d_p,)");
  const Eigen::Index S = src.rows();
  LuongOut out;

  // pass 1: the centre p_t = (S-1) sigmoid(x) with x = tanh(h_t W_p) · v_p; sigmoid written so exp never
  // overflows
  const float x = (h_t * p.W_p).array().tanh().matrix().dot(p.v_p.transpose());
  const float sig = x >= 0 ? 1.f / (1.f + std::exp(-x)) : std::exp(x) / (1.f + std::exp(x));
  out.p_t = static_cast<float>(S - 1) * sig;

  // pass 2: the window, integers within D of p_t, clipped to [0, S-1]; it always holds floor(p_t)
  const double centre = out.p_t;
  const Eigen::Index first = std::max<Eigen::Index>(0, static_cast<Eigen::Index>(std::ceil(centre - p.D)));
  const Eigen::Index last =
      std::min<Eigen::Index>(S - 1, static_cast<Eigen::Index>(std::floor(centre + p.D)));
  const Eigen::Index count = last - first + 1;
  const auto window = src.middleRows(first, count);  // (count, n_s); no other source row is read

  // pass 3: softmax over the window, then the Gaussian exp(-(s - p_t)^2 / (2 sigma^2)) with sigma = D/2,
  // i.e. exp(-2 (s - p_t)^2 / D^2). No renormalisation: the Gaussian is a prior on top of the distribution
  const Vec in_window = softmax(score_rows(h_t, window, p));
  out.weights = Vec::Zero(S);
  const double two_sigma_sq = 0.5 * static_cast<double>(p.D) * p.D;
  for (Eigen::Index offset = 0; offset < count; ++offset) {
    const double dist = static_cast<double>(first + offset) - centre;
    out.weights(first + offset) =
        in_window(offset) * static_cast<float>(std::exp(-dist * dist / two_sigma_sq));
  }

  out.weights /= out.weights.sum();  // wrong: renormalises

  // pass 4: context from the window rows only, then the attentional state
  out.context = out.weights.segment(first, count).transpose() * window;
  out.h_tilde = attentional_state(out.context, h_t, p.W_c);
  return out;
}

}  // namespace attn
