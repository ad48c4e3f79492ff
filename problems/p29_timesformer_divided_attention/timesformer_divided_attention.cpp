// p29 timesformer_divided_attention — your solution. Statement: ./attnkata show p29   Grade: ./attnkata grade
// p29
#include "timesformer_divided_attention.h"

#include <stdexcept>

namespace attn {

Mat time_attention(const Mat& X, int T, int N, const AttnWeights& w) {
  // TODO: check T, N, X.rows() == T·N and the weight shapes; for each patch p gather its T rows
  // X(Eigen::seqN(p, T, N), Eigen::all), attend over them with a stable softmax scaled by 1/sqrt(d_k), and
  // add the result (times Wo) to those rows. About 20 lines, shared with space_attention.
  throw std::logic_error("TODO: implement time_attention");
}

Mat space_attention(const Mat& X, int T, int N, const AttnWeights& w) {
  // TODO: the same for each frame t, whose N rows are X.middleRows(t·N, N). About 5 lines.
  throw std::logic_error("TODO: implement space_attention");
}

Mat divided_space_time_attention(const Mat& X, int T, int N, const AttnWeights& time,
                                 const AttnWeights& space) {
  // TODO: check both weight sets, then the time step, then the space step on its result. About 5 lines.
  throw std::logic_error("TODO: implement divided_space_time_attention");
}

Mat joint_space_time_attention(const Mat& X, const AttnWeights& w) {
  // TODO: one attention over all rows of X, plus the residual. About 5 lines.
  throw std::logic_error("TODO: implement joint_space_time_attention");
}

}  // namespace attn
