// p09 fgfa_temporal_aggregation — your solution. Statement: ./attnkata show p09   Grade: ./attnkata grade p09
#include "fgfa_temporal_aggregation.h"

#include <stdexcept>

namespace attn {

FgfaOut fgfa_aggregate(const Mat& features, const Mat& embeddings, int num_frames, int ref_frame) {
  // TODO: check num_frames, the row counts and ref_frame; divide every embedding row by max(its norm, 1e-8);
  // for each frame t take the row-wise dot product of its block (rows t·HW .. t·HW + HW - 1) with the
  // reference frame's block; softmax each pixel's T cosines; sum the frames' feature blocks weighted by
  // their column of weights. About 25 lines.
  throw std::logic_error("TODO: implement fgfa_aggregate");
}

}  // namespace attn
