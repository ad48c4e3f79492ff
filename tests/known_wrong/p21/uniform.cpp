// known-wrong p21: validates its arguments, then opens every gate fully (scale 1) and echoes U as the output
// expect: failed, score 4..5
// may pass: shape; a map with no pixels throws std::invalid_argument; mismatched weight and bias shapes throw std::invalid_argument
#include <stdexcept>

#include "squeeze_excitation.h"

namespace attn {

SEOut squeeze_excitation(const Mat& U, const Mat& W1, const RowVec& b1, const Mat& W2, const RowVec& b2) {
  const Eigen::Index C = U.cols(), C_r = W1.cols();
  if (U.rows() == 0 || W1.rows() != C || b1.cols() != C_r || W2.rows() != C_r || W2.cols() != C ||
      b2.cols() != C)
    throw std::invalid_argument("squeeze_excitation: bad arguments");
  return {U, RowVec::Ones(C)};
}

}  // namespace attn
