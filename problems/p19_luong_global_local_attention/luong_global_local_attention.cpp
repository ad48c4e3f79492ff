// p19 luong_global_local_attention — your solution. Statement: ./attnkata show p19   Grade: ./attnkata grade
// p19
#include "luong_global_local_attention.h"

#include <stdexcept>

namespace attn {

LuongOut luong_global(const RowVec& h_t, const Mat& src, const LuongParams& p) {
  // TODO: check the shapes; score every source row (dot, general or concat); softmax; context = weightsᵀ src;
  // h_tilde = tanh([context, h_t] W_c). About 30 lines with the shape checks and a score helper.
  throw std::logic_error("TODO: implement luong_global");
}

LuongOut luong_local_p(const RowVec& h_t, const Mat& src, const LuongParams& p) {
  // TODO: p_t = (S - 1) sigmoid(tanh(h_t W_p) v_p); window = integers within D of p_t, clipped to [0, S-1];
  // softmax of the window's scores times exp(-(s - p_t)^2 / (2 (D/2)^2)); no renormalisation. About 25 lines.
  throw std::logic_error("TODO: implement luong_local_p");
}

}  // namespace attn
