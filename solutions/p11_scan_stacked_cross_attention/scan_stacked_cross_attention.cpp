// p11 scan_stacked_cross_attention — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "scan_stacked_cross_attention.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace attn {

ScanOut scan_t2i(const Mat& regions, const Mat& words, float lambda1, float lambda2) {
  // regions is (k, d), words is (n, d)
  const Eigen::Index k = regions.rows(), n = words.rows(), d = regions.cols();
  if (words.cols() != d)
    throw std::invalid_argument("scan_t2i: regions and words must have the same width d");
  if (d == 0) throw std::invalid_argument("scan_t2i: features need d >= 1");
  if (k == 0 || n == 0) throw std::invalid_argument("scan_t2i: need at least one region and one word");
  if (!std::isfinite(lambda1) || lambda1 < 0)
    throw std::invalid_argument("scan_t2i: lambda1 must be finite and >= 0");
  if (!std::isfinite(lambda2) || lambda2 <= 0)
    throw std::invalid_argument("scan_t2i: lambda2 must be finite and > 0");
  constexpr float kEps = 1e-8f;  // the official code's guard, in both cosines and the l2 normalisation

  // pass 1: cosine similarities sim(i, j) = r_i·e_j / max(|r_i| |e_j|, eps); sim is (k, n).
  // The guard makes a zero region or word score 0 instead of 0/0.
  const Vec region_norm = regions.rowwise().norm();  // (k)
  const Vec word_norm = words.rowwise().norm();      // (n)
  Mat sim = regions * words.transpose();
  for (Eigen::Index word_j = 0; word_j < n; ++word_j)
    for (Eigen::Index region_i = 0; region_i < k; ++region_i)
      sim(region_i, word_j) /= std::max(region_norm(region_i) * word_norm(word_j), kEps);

  // pass 2: clip at 0 (the paper's [·]_+) and l2-normalise each region's row over the words. A region unlike
  // every word has a zero row after the clip; the + eps turns its 0/0 into 0
  Mat sim_bar = sim.cwiseMax(0.f);
  for (Eigen::Index region_i = 0; region_i < k; ++region_i)
    sim_bar.row(region_i) /= sim_bar.row(region_i).norm() + kEps;

  // pass 3: for each word, a softmax over the regions (a column of sim_bar) at inverse temperature lambda1
  ScanOut out;
  out.alpha.resize(k, n);
  for (Eigen::Index word_j = 0; word_j < n; ++word_j) {
    const Vec logits = lambda1 * sim_bar.col(word_j);
    const Vec exp_logits = (logits.array() - logits.maxCoeff()).exp().matrix();
    out.alpha.col(word_j) = exp_logits / exp_logits.sum();
  }

  // pass 4: attended image vector of each word, a_j = Σ_i alpha(i, j) r_i; attended is (n, d)
  out.attended = out.alpha.transpose() * regions;

  // pass 5: relevance of each word to the image, R_j = cos(e_j, a_j), with the same guard
  out.relevance.resize(n);
  for (Eigen::Index word_j = 0; word_j < n; ++word_j)
    out.relevance(word_j) = words.row(word_j).dot(out.attended.row(word_j)) /
                            std::max(word_norm(word_j) * out.attended.row(word_j).norm(), kEps);

  // pass 6: pool over the words. exp(lambda2 R_j) overflows float32 once lambda2 R_j > 88.7 (lambda2 = 100
  // is enough), so factor out the largest term m = max_j R_j:
  //   S_LSE = m + log(Σ_j exp(lambda2 (R_j - m))) / lambda2
  // Every exponent is <= 0 and the sum is in [1, n], so S_LSE lies in [m, m + log(n) / lambda2].
  const float max_relevance = out.relevance.maxCoeff();
  const float sum_exp = (lambda2 * (out.relevance.array() - max_relevance)).exp().sum();
  out.s_lse = max_relevance + std::log(sum_exp) / lambda2;
  out.s_avg = out.relevance.mean();
  return out;
}

}  // namespace attn
