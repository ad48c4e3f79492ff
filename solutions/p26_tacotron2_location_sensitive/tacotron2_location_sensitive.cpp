// p26 tacotron2_location_sensitive — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "tacotron2_location_sensitive.h"

#include <stdexcept>
#include <string>

namespace attn {

namespace {

[[noreturn]] void fail(const char* why) {
  throw std::invalid_argument(std::string("location_sensitive_attention: ") + why);
}

// Every shape the two functions share; d_q is the query width, d_e the memory width.
void check_params(const LsaParams& p, Eigen::Index d_q, Eigen::Index d_e) {
  const Eigen::Index d_a = p.v.size();
  if (p.W_query.rows() != d_q || p.W_query.cols() != d_a) fail("W_query must be (d_q, d_a), d_a = v.size()");
  if (p.W_memory.rows() != d_e || p.W_memory.cols() != d_a) fail("W_memory must be (d_e, d_a)");
  if (p.conv.empty()) fail("conv needs at least one filter");
  if (p.W_location.rows() != static_cast<Eigen::Index>(p.conv.size()) || p.W_location.cols() != d_a)
    fail("W_location must be (n_f, d_a), n_f = conv.size()");
  const Eigen::Index r = p.conv[0].cols();
  for (const Mat& filter : p.conv)
    if (filter.rows() != 2 || filter.cols() != r) fail("every filter must be (2, r) with the same r");
  if (r % 2 == 0) fail("the kernel width r must be odd, so that (r-1)/2 centres it");
}

// One step on the valid rows only: memory_valid (n, d_e), processed_valid (n, d_a), query_hat (1, d_a).
LsaStep attend(const Mat& memory_valid, const Mat& processed_valid, const RowVec& query_hat,
               const LsaParams& p, const LsaState& state) {
  const Eigen::Index T_in = state.alpha_cum.size(), n_valid = memory_valid.rows();
  const Eigen::Index n_filters = static_cast<Eigen::Index>(p.conv.size()), r = p.conv[0].cols(),
                     half = (r - 1) / 2;
  LsaStep step;
  step.alignment = Vec::Zero(T_in);
  step.context = RowVec::Zero(memory_valid.cols());
  if (n_valid > 0) {
    // pass 1: location features F (n, n_f), only the valid rows are needed. PyTorch's Conv1d is a
    // cross-correlation: output j reads input j + u - half, so an off-centre tap at u > half looks to the
    // right. The state is 0 outside 0..T_in-1 (zero padding); padded positions inside it hold 0 as well.
    Mat features = Mat::Zero(n_valid, n_filters);
    for (Eigen::Index memory_j = 0; memory_j < n_valid; ++memory_j)
      for (Eigen::Index tap_u = 0; tap_u < r; ++tap_u) {
        const Eigen::Index src = memory_j + tap_u - half;
        if (src < 0 || src >= T_in) continue;
        const float prev = state.alpha_prev(src), cum = state.alpha_cum(src);
        for (Eigen::Index filter_f = 0; filter_f < n_filters; ++filter_f)
          features(memory_j, filter_f) +=
              p.conv[filter_f](0, tap_u) * prev + p.conv[filter_f](1, tap_u) * cum;
      }

    // pass 2: energies e_j = vᵀ tanh(q̂ + m̂_j + F_j W_location), (n,)
    const Mat location = features * p.W_location;  // (n, d_a)
    const Mat hidden = ((processed_valid + location).rowwise() + query_hat).array().tanh().matrix();
    const Vec energies = hidden * p.v;

    // pass 3: softmax over the valid positions, shifted by the max (|e| <= Σ|v| can pass 88); padded entries
    // stay exactly 0
    const Vec exp_energies = (energies.array() - energies.maxCoeff()).exp().matrix();
    step.alignment.head(n_valid) = exp_energies / exp_energies.sum();

    // pass 4: context = Σ_j α_j memory_j over the valid rows: padding is never multiplied, so NaN cannot leak
    step.context = step.alignment.head(n_valid).transpose() * memory_valid;
  }
  // pass 5: the state the next step reads: the weights just computed, and the running sum including them
  step.next.alpha_prev = step.alignment;
  step.next.alpha_cum = state.alpha_cum + step.alignment;
  return step;
}

}  // namespace

LsaStep location_sensitive_step(const Mat& memory, const Mat& processed_memory, const RowVec& query,
                                int valid_len, const LsaParams& p, const LsaState& state) {
  // memory is (T_in, d_e), processed_memory (T_in, d_a), query (1, d_q), state vectors (T_in,)
  const Eigen::Index T_in = memory.rows();
  check_params(p, query.size(), memory.cols());
  if (valid_len < 0 || valid_len > T_in) fail("valid_len must be in [0, T_in]");
  if (processed_memory.rows() != T_in || processed_memory.cols() != p.v.size())
    fail("processed_memory must be (T_in, d_a)");
  if (state.alpha_prev.size() != T_in || state.alpha_cum.size() != T_in)
    fail("the state vectors need T_in entries");
  return attend(memory.topRows(valid_len), processed_memory.topRows(valid_len), query * p.W_query, p, state);
}

LsaOut location_sensitive_attention(const Mat& memory, const Mat& queries, int valid_len,
                                    const LsaParams& p) {
  // memory is (T_in, d_e), queries (T_out, d_q)
  const Eigen::Index T_in = memory.rows(), T_out = queries.rows();
  check_params(p, queries.cols(), memory.cols());
  if (valid_len < 0 || valid_len > T_in) fail("valid_len must be in [0, T_in]");

  // the memory side does not change between steps: project the valid rows once, (valid_len, d_a)
  const Mat memory_valid = memory.topRows(valid_len);
  const Mat processed_valid = memory_valid * p.W_memory;
  const Mat queries_hat = queries * p.W_query;  // (T_out, d_a)

  LsaOut out{Mat::Zero(T_out, T_in), Mat::Zero(T_out, memory.cols())};
  LsaState state{Vec::Zero(T_in), Vec::Zero(T_in)};  // step 0 sees no history: its location term is 0
  for (Eigen::Index step_i = 0; step_i < T_out; ++step_i) {
    const LsaStep step = attend(memory_valid, processed_valid, queries_hat.row(step_i), p, state);
    out.alignments.row(step_i) = step.alignment.transpose();
    out.contexts.row(step_i) = step.context;
    state = step.next;
  }
  return out;
}

}  // namespace attn
