// p26 tacotron2_location_sensitive — your solution.
// Statement: ./attnkata show p26   Grade: ./attnkata grade p26
#include "tacotron2_location_sensitive.h"

#include <stdexcept>

namespace attn {

LsaStep location_sensitive_step(const Mat& memory, const Mat& processed_memory, const RowVec& query,
                                int valid_len, const LsaParams& p, const LsaState& state) {
  // TODO: check valid_len, the parameter shapes (odd r, every filter (2, r)), processed_memory and the state.
  // Location features: F(j, f) = Σ_{c,u} conv[f](c, u) α_c[j + u - (r-1)/2], zero outside 0..T_in-1 (a
  // cross-correlation, as PyTorch's Conv1d). Energies vᵀ tanh(q W_query + processed_memory_j + F_j
  // W_location) for the valid j only, a stable softmax over them, context = Σ α_j memory_j over the valid
  // rows; next state {α, α_cum + α}. Padded rows are never read. About 35 lines.
  throw std::logic_error("TODO: implement location_sensitive_step");
}

LsaOut location_sensitive_attention(const Mat& memory, const Mat& queries, int valid_len,
                                    const LsaParams& p) {
  // TODO: check the arguments; project the memory once; start from a zero state and run one step per query
  // row, carrying the state. About 15 lines.
  throw std::logic_error("TODO: implement location_sensitive_attention");
}

}  // namespace attn
