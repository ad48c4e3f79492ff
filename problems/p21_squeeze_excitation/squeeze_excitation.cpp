// p21 squeeze_excitation — your solution. Statement: ./attnkata show p21   Grade: ./attnkata grade p21
#include "squeeze_excitation.h"

#include <stdexcept>

namespace attn {

SEOut squeeze_excitation(const Mat& U, const Mat& W1, const RowVec& b1, const Mat& W2, const RowVec& b2) {
  // TODO: check that U has pixels and that the weight and bias shapes fit C = U.cols() and C_r = W1.cols();
  // squeeze (the mean of U's rows), excite (z W1 + b1, ReLU, W2 + b2, a sigmoid that cannot overflow) and
  // scale every column c of U by s_c. About 20 lines.
  throw std::logic_error("TODO: implement squeeze_excitation");
}

}  // namespace attn
