// known-wrong p26: validates its arguments as the header says, then returns zeros of the right shapes
// expect: failed, score 5..6
// may pass: shape; an even kernel width throws std::invalid_argument; valid_len outside 0..T_in throws std::invalid_argument; mismatched shapes throw std::invalid_argument
#include <stdexcept>

#include "tacotron2_location_sensitive.h"

namespace attn {

namespace {

void check(const LsaParams& p, Eigen::Index d_q, Eigen::Index d_e, Eigen::Index T_in, int valid_len) {
  const Eigen::Index d_a = p.v.size();
  bool bad = p.W_query.rows() != d_q || p.W_query.cols() != d_a || p.W_memory.rows() != d_e ||
             p.W_memory.cols() != d_a || p.conv.empty() || p.W_location.cols() != d_a ||
             p.W_location.rows() != static_cast<Eigen::Index>(p.conv.size()) || valid_len < 0 || valid_len > T_in;
  for (const Mat& filter : p.conv)
    bad = bad || filter.rows() != 2 || filter.cols() != p.conv[0].cols() || filter.cols() % 2 == 0;
  if (bad) throw std::invalid_argument("location_sensitive_attention: bad arguments");
}

}  // namespace

LsaStep location_sensitive_step(const Mat& memory, const Mat& processed_memory, const RowVec& query, int valid_len,
                                const LsaParams& p, const LsaState& state) {
  const Eigen::Index T_in = memory.rows();
  check(p, query.size(), memory.cols(), T_in, valid_len);
  if (processed_memory.rows() != T_in || processed_memory.cols() != p.v.size() || state.alpha_prev.size() != T_in ||
      state.alpha_cum.size() != T_in)
    throw std::invalid_argument("location_sensitive_step: bad arguments");
  return {Vec::Zero(T_in), RowVec::Zero(memory.cols()), {Vec::Zero(T_in), state.alpha_cum}};
}

LsaOut location_sensitive_attention(const Mat& memory, const Mat& queries, int valid_len, const LsaParams& p) {
  check(p, queries.cols(), memory.cols(), memory.rows(), valid_len);
  return {Mat::Zero(queries.rows(), memory.rows()), Mat::Zero(queries.rows(), memory.cols())};
}

}  // namespace attn
