// p30 attentive_statistics_pooling — your solution. Statement: ./attnkata show p30   Grade: ./attnkata grade
// p30
#include "attentive_statistics_pooling.h"

#include <stdexcept>

namespace attn {

AspOut attentive_stats_pool(const Mat& frames, const Mat& W, const RowVec& b, const Vec& v, float k,
                            int valid_len) {
  // TODO: check the shapes and valid_len; score the first valid_len frames with v · tanh(h_t W + b) + k;
  // softmax those scores (subtract the max); mu = Σ alpha_t h_t over the valid frames; then, in a second
  // pass, sigma = sqrt(max(Σ alpha_t (h_t - mu)², 1e-12)); return [mu, sigma]. About 25 lines.
  throw std::logic_error("TODO: implement attentive_stats_pool (about 25 lines)");
}

}  // namespace attn
