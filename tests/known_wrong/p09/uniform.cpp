// known-wrong p09: validates its arguments, then weighs every frame 1/T (the mean of the frames)
// expect: failed, score 4..5
// may pass: shape; num_frames not positive or not dividing the rows throws std::invalid_argument; ref_frame outside 0..num_frames-1 throws std::invalid_argument; features and embeddings with different row counts throw std::invalid_argument
#include <stdexcept>

#include "fgfa_temporal_aggregation.h"

namespace attn {

FgfaOut fgfa_aggregate(const Mat& features, const Mat& embeddings, int num_frames, int ref_frame) {
  if (num_frames <= 0 || features.rows() % num_frames != 0 || embeddings.rows() != features.rows() ||
      ref_frame < 0 || ref_frame >= num_frames)
    throw std::invalid_argument("fgfa_aggregate: bad arguments");
  const Eigen::Index T = num_frames, HW = features.rows() / T;
  FgfaOut out{Mat::Zero(HW, features.cols()), Mat::Constant(HW, T, 1.f / static_cast<float>(T))};
  for (Eigen::Index frame_t = 0; frame_t < T; ++frame_t)
    out.aggregated += features.middleRows(frame_t * HW, HW) / static_cast<float>(T);
  return out;
}

}  // namespace attn
