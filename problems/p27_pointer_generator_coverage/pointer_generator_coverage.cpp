// p27 pointer_generator_coverage — your solution. Statement: ./attnkata show p27  Grade: ./attnkata grade p27
#include "pointer_generator_coverage.h"

#include <stdexcept>

namespace attn {

PGStep pointer_generator_step(const Mat& enc, const std::vector<int>& src_ext_ids, int n_oov, int valid_len,
                              const RowVec& s_t, const RowVec& x_t, const Vec& coverage, const PGParams& p) {
  // TODO: check the shapes, valid_len and the ids of the valid positions. Score the valid positions (with
  // coverage) and take a stable softmax; coverage loss Σ min(a, c) and new coverage c + a; context h* = a H;
  // P_vocab from [s_t, h*]; p_gen. Then final_dist = p_gen·P_vocab padded to V + n_oov, and each valid
  // position ADDS (1 − p_gen)·a_i at its id. About 50 lines.
  throw std::logic_error("TODO: implement pointer_generator_step");
}

}  // namespace attn
