// p09 fgfa_temporal_aggregation: FGFA's adaptive weights, a per-pixel softmax over frames of the cosine
// similarity to the reference frame, and the weighted sum of the frames' feature maps.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// What fgfa_aggregate returns: aggregated (HW, C), row p = the reference frame's new feature at pixel p;
// weights (HW, T), row p = pixel p's weights over the T frames (column t = frame t).
struct FgfaOut {
  Mat aggregated;
  Mat weights;
};

// Aggregates T aligned feature maps of HW pixels into one map for the reference frame.
//   features: (T·HW, C)   embeddings: (T·HW, C_e)   num_frames = T >= 1   0 <= ref_frame < T
// Rows are frame-major (the set's flattening rule): pixel p of frame t is row t·HW + p, frames stacked one
// after another, so frame t is the block middleRows(t·HW, HW). Inside a frame, pixel (h, w) is p = h·W + w;
// the computation is per pixel, so H and W themselves are never needed.
// For each pixel p and frame t, with E_t(p) the embedding row of pixel p in frame t and r = ref_frame:
//   c_t(p) = E_t(p)·E_r(p) / (max(‖E_t(p)‖, 1e-8) · max(‖E_r(p)‖, 1e-8))      cosine, each norm clamped
//   w_t(p) = exp(c_t(p)) / Σ_t' exp(c_t'(p))                                   softmax over the T frames
//   aggregated(p) = Σ_t w_t(p) F_t(p)
// A zero embedding vector has cosine 0 with everything (no NaN); one shorter than 1e-8 is divided by 1e-8,
// not by its own norm. The reference frame takes part and, wherever ‖E_r(p)‖ >= 1e-8, has the largest weight
// of its pixel (ties only with frames whose embedding points the same way). T = 1 returns the frame with
// weight 1; an empty map (HW = 0) gives results of shapes (0, C) and (0, T). Throws std::invalid_argument
// when num_frames <= 0, when features.rows() is not a multiple of it, when embeddings and features differ in
// rows, or when ref_frame is outside [0, num_frames).
FgfaOut fgfa_aggregate(const Mat& features, const Mat& embeddings, int num_frames, int ref_frame);

}  // namespace attn
