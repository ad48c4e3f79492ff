// p11 scan_stacked_cross_attention: SCAN text-to-image stacked cross attention (Lee et al., ECCV 2018) for
// one image and one caption: each word attends over the image regions, then the image-sentence score pools
// how well each word is matched by what it attended to.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// What scan_t2i returns for one (image, caption) pair.
//   attended:  (n, d)  row j = a_j, the attended image vector of word j (a weighted sum of region rows)
//   alpha:     (k, n)  alpha(i, j) = weight of region i for word j; each column sums to 1 over the regions
//   relevance: (n,)    R_j = cos(e_j, a_j), in [-1, 1]
//   s_lse:     S_LSE = log(Σ_j exp(λ2 R_j)) / λ2, computed without overflow for any λ2 > 0
//   s_avg:     S_AVG = (1/n) Σ_j R_j
struct ScanOut {
  Mat attended;
  Mat alpha;
  Vec relevance;
  float s_lse;
  float s_avg;
};

// Text-to-image stacked cross attention.
//   regions: (k, d)  image region features, one per row (e.g. k = 36 bottom-up detections)
//   words:   (n, d)  the caption's word features, one per row, in the same d-dimensional joint space
//   lambda1: inverse temperature of the softmax over regions (SCAN's lambda_softmax, 9 on Flickr30K)
//   lambda2: LogSumExp pooling factor (SCAN's lambda_lse, 6 on Flickr30K)
// With cos(x, y) = x·y / max(|x| |y|, 1e-8), so a zero vector has cosine 0 with everything:
//   s(i, j)     = cos(r_i, e_j)                                                    (k, n)
//   s̄(i, j)     = max(s(i, j), 0) / (sqrt(Σ_j' max(s(i, j'), 0)²) + 1e-8)          ReLU (the paper's [·]_+,
//                 not the official code's LeakyReLU(0.1)), then each region's row l2-normalised over the
//                 words
//   alpha(i, j) = exp(λ1 s̄(i, j)) / Σ_i' exp(λ1 s̄(i', j))                          softmax over the regions
//   a_j = Σ_i alpha(i, j) r_i;   R_j = cos(e_j, a_j);   S_LSE and S_AVG pool R over the words.
// Every word and every region takes part: pass only the caption's real words (no padding rows).
// Throws std::invalid_argument when regions.cols() != words.cols(), d == 0, k == 0 or n == 0, lambda1 is
// negative or not finite, or lambda2 is not a finite number > 0.
ScanOut scan_t2i(const Mat& regions, const Mat& words, float lambda1 = 9.f, float lambda2 = 6.f);

}  // namespace attn
