// known-wrong p09: validates its arguments, then returns zeros of the right shapes
// expect: failed, score 4..5
// may pass: shape; num_frames not positive or not dividing the rows throws std::invalid_argument; ref_frame outside 0..num_frames-1 throws std::invalid_argument; features and embeddings with different row counts throw std::invalid_argument
#include <stdexcept>

#include "fgfa_temporal_aggregation.h"

namespace attn {

FgfaOut fgfa_aggregate(const Mat& features, const Mat& embeddings, int num_frames, int ref_frame) {
  if (num_frames <= 0 || features.rows() % num_frames != 0 || embeddings.rows() != features.rows() ||
      ref_frame < 0 || ref_frame >= num_frames)
    throw std::invalid_argument("fgfa_aggregate: bad arguments");
  const Eigen::Index HW = features.rows() / num_frames;
  return {Mat::Zero(HW, features.cols()), Mat::Zero(HW, num_frames)};
}

}  // namespace attn
