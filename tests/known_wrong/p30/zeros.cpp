// known-wrong p30: validates its arguments as the header says, then returns zeros of the right shapes
// expect: failed, score 4..5
// may pass: shape; valid_len outside 0..T throws std::invalid_argument; mismatched W or b or v throws std::invalid_argument
#include <stdexcept>

#include "attentive_statistics_pooling.h"

namespace attn {

AspOut attentive_stats_pool(const Mat& frames, const Mat& W, const RowVec& b, const Vec& v, float k,
                            int valid_len) {
  if (W.rows() != frames.cols() || b.cols() != W.cols() || v.size() != W.cols() || valid_len < 0 ||
      valid_len > frames.rows())
    throw std::invalid_argument("attentive_stats_pool: bad arguments");
  return {RowVec::Zero(2 * frames.cols()), Vec::Zero(frames.rows())};
}

}  // namespace attn
