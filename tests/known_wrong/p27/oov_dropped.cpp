// known-wrong p27: copy mass of out-of-vocabulary ids (>= V) is dropped
// expect: failed, score 0..18
#include "pointer_generator_coverage.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace attn {

PGStep pointer_generator_step(const Mat& enc, const std::vector<int>& src_ext_ids, int n_oov, int valid_len,
                              const RowVec& s_t, const RowVec& x_t, const Vec& coverage, const PGParams& p) {
  // enc is (T, d_enc), s_t is (1, d_dec), x_t is (1, d_x), coverage is (T,)
  const Eigen::Index T = enc.rows(), d_enc = enc.cols(), d_dec = s_t.size(), h = p.v.size();
  const Eigen::Index V = p.b2.size();
  auto fail = [](const char* why) {
    throw std::invalid_argument(std::string("pointer_generator_step: ") + why);
  };
  if (static_cast<Eigen::Index>(src_ext_ids.size()) != T) fail("src_ext_ids needs one id per encoder state");
  if (coverage.size() != T) fail("coverage needs one entry per encoder state");
  if (valid_len < 1 || valid_len > T) fail("valid_len must be in [1, T]");
  if (n_oov < 0) fail("n_oov must be >= 0");
  if (p.W_h.rows() != d_enc || p.W_h.cols() != h) fail("W_h must be (d_enc, h) with h = v.size()");
  if (p.W_s.rows() != d_dec || p.W_s.cols() != h) fail("W_s must be (d_dec, h)");
  if (p.w_c.size() != h || p.b_attn.size() != h) fail("w_c and b_attn need h entries");
  if (p.V1.rows() != d_dec + d_enc || p.b1.size() != p.V1.cols())
    fail("V1 must be (d_dec + d_enc, d_ff), b1 (d_ff)");
  if (p.V2.rows() != p.V1.cols() || p.V2.cols() != V) fail("V2 must be (d_ff, V) with V = b2.size()");
  if (p.w_hstar.size() != d_enc || p.w_s.size() != d_dec || p.w_x.size() != x_t.size())
    fail("w_hstar, w_s and w_x must match d_enc, d_dec and d_x");
  const Eigen::Index n_ext = V + n_oov;  // the extended vocabulary: V words, then this source's OOV words
  for (int src_i = 0; src_i < valid_len; ++src_i)
    if (src_ext_ids[src_i] < 0 || src_ext_ids[src_i] >= n_ext) fail("a source id is outside [0, V + n_oov)");

  PGStep step;
  step.attention = Vec::Zero(T);

  // pass 1: attention scores over the valid positions only; padded rows of enc are never read.
  // The decoder term s_t W_s + b_attn is the same for every position: compute it once.
  const RowVec dec_feature = s_t * p.W_s + p.b_attn;  // (1, h)
  Mat pre = (enc.topRows(valid_len) * p.W_h).rowwise() + dec_feature;  // (valid_len, h)
  pre += coverage.head(valid_len) * p.w_c;  // outer product: position i adds c_i w_c
  const Vec scores = pre.array().tanh().matrix() * p.v;  // (valid_len,)

  // pass 2: softmax over the valid positions, shifted by the max so every exponent is <= 0
  const Vec exp_scores = (scores.array() - scores.maxCoeff()).exp().matrix();
  step.attention.head(valid_len) = exp_scores / exp_scores.sum();

  // pass 3: coverage loss and update. min(a_i, c_i) <= a_i, so the loss is at most Σ a_i = 1
  step.coverage_loss = step.attention.head(valid_len).cwiseMin(coverage.head(valid_len)).sum();
  step.new_coverage = coverage + step.attention;

  // pass 4: context vector h* = Σ_i a_i h_i over the valid rows, (1, d_enc)
  const RowVec context = step.attention.head(valid_len).transpose() * enc.topRows(valid_len);

  // pass 5: P_vocab = softmax(([s_t, h*] V1 + b1) V2 + b2), (V,)
  RowVec dec_and_context(d_dec + d_enc);
  dec_and_context << s_t, context;
  const RowVec logits = (dec_and_context * p.V1 + p.b1) * p.V2 + p.b2;
  const RowVec exp_logits = (logits.array() - logits.maxCoeff()).exp().matrix();
  const RowVec p_vocab = exp_logits / exp_logits.sum();

  // pass 6: p_gen = σ(z) and p_copy = 1 − p_gen = σ(−z), both from exp(−|z|) <= 1: nothing overflows, and
  // p_copy keeps its relative precision when p_gen rounds to 1
  const float z =
      context.dot(p.w_hstar.transpose()) + s_t.dot(p.w_s.transpose()) + x_t.dot(p.w_x.transpose()) + p.b_ptr;
  const float e = std::exp(-std::abs(z));
  step.p_gen = z >= 0 ? 1.f / (1.f + e) : e / (1.f + e);
  const float p_copy = z >= 0 ? e / (1.f + e) : 1.f / (1.f + e);

  // pass 7: the mixture over the extended vocabulary. Generation covers [0, V) only; copying adds each
  // position's attention onto its id, so a word that occurs k times gets k contributions (scatter-ADD)
  step.final_dist = Vec::Zero(n_ext);
  step.final_dist.head(V) = step.p_gen * p_vocab.transpose();
  for (int src_i = 0; src_i < valid_len; ++src_i)
    if (src_ext_ids[src_i] < V) step.final_dist(src_ext_ids[src_i]) += p_copy * step.attention(src_i);
  return step;
}

}  // namespace attn
