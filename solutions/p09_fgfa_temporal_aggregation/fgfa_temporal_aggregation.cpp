// p09 fgfa_temporal_aggregation — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "fgfa_temporal_aggregation.h"

#include <algorithm>
#include <stdexcept>

namespace attn {

FgfaOut fgfa_aggregate(const Mat& features, const Mat& embeddings, int num_frames, int ref_frame) {
  // features is (T·HW, C), embeddings is (T·HW, C_e); frame-major: pixel p of frame t is row t·HW + p
  if (num_frames <= 0) throw std::invalid_argument("fgfa_aggregate: num_frames must be at least 1");
  if (features.rows() % num_frames != 0)
    throw std::invalid_argument("fgfa_aggregate: features.rows() must be num_frames · HW");
  if (embeddings.rows() != features.rows())
    throw std::invalid_argument("fgfa_aggregate: embeddings need one row per row of features");
  if (ref_frame < 0 || ref_frame >= num_frames)
    throw std::invalid_argument("fgfa_aggregate: ref_frame must be in [0, num_frames)");
  const Eigen::Index T = num_frames, HW = features.rows() / T;
  constexpr float kEps = 1e-8f;

  // pass 1: unit embeddings, each row divided by max(its norm, eps). Clamping each norm (as
  // torch.nn.functional.cosine_similarity does) keeps a zero vector zero instead of 0/0, and leaves every
  // vector longer than eps exactly normalised, so scaling an embedding never changes its cosine
  Mat unit(embeddings.rows(), embeddings.cols());  // (T·HW, C_e)
  for (Eigen::Index row = 0; row < embeddings.rows(); ++row)
    unit.row(row) = embeddings.row(row) / std::max(embeddings.row(row).norm(), kEps);

  // pass 2: cosines with the reference frame. Frame t is the block of rows [t·HW, (t+1)·HW); the row-wise
  // dot product of two blocks gives one cosine per pixel. cosines is (HW, T), column t = frame t
  const auto unit_ref = unit.middleRows(ref_frame * HW, HW);  // (HW, C_e)
  Mat cosines(HW, T);
  for (Eigen::Index frame_t = 0; frame_t < T; ++frame_t)
    cosines.col(frame_t) = unit.middleRows(frame_t * HW, HW).cwiseProduct(unit_ref).rowwise().sum();

  // pass 3: softmax over the frames of each pixel (a row of cosines). Cosines lie in [-1, 1], so exp cannot
  // overflow; the row max is subtracted anyway, as in every softmax of the set
  FgfaOut out;
  out.weights = (cosines.colwise() - cosines.rowwise().maxCoeff()).array().exp().matrix();  // (HW, T)
  const Vec row_sums = out.weights.rowwise().sum();  // (HW,), each >= 1: the largest term is exp(0)
  out.weights.array().colwise() /= row_sums.array();

  // pass 4: aggregated(p) = Σ_t w_t(p) F_t(p): each frame's feature block scaled row by row by its weights
  out.aggregated = Mat::Zero(HW, features.cols());  // (HW, C)
  for (Eigen::Index frame_t = 0; frame_t < T; ++frame_t)
    out.aggregated += out.weights.col(frame_t).asDiagonal() * features.middleRows(frame_t * HW, HW);
  return out;
}

}  // namespace attn
