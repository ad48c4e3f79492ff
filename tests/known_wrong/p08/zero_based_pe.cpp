// known-wrong p08: word j and dimension k counted from 0 in the position encoding
// expect: failed, score 0..23
#include "memn2n_multihop.h"

#include <cmath>
#include <stdexcept>

namespace attn {

Mat memn2n_position_encoding(int J, int d) {
  if (J < 0 || d < 0) throw std::invalid_argument("memn2n_position_encoding: J and d must be >= 0");
  // pe is (J, d); word j and dimension k are 1-based as in the paper, so row j-1, column k-1.
  // Computed in double: j/J and k/d are not exact in float, and the cast rounds once at the end.
  Mat pe(J, d);
  for (int word_j = 1; word_j <= J; ++word_j)
    for (int dim_k = 1; dim_k <= d; ++dim_k) {
      const double j_frac = static_cast<double>(word_j - 1) / J, k_frac = static_cast<double>(dim_k - 1) / d;
      pe(word_j - 1, dim_k - 1) = static_cast<float>((1.0 - j_frac) - k_frac * (1.0 - 2.0 * j_frac));
    }
  return pe;
}

RowVec memn2n_encode_sentence(const Mat& word_embeddings) {
  // word_embeddings is (J, d): one row per word. The sentence vector is (1, d): column k is Σ_j l_kj w_jk.
  const Mat pe = memn2n_position_encoding(static_cast<int>(word_embeddings.rows()),
                                          static_cast<int>(word_embeddings.cols()));
  return pe.cwiseProduct(word_embeddings).colwise().sum();  // J = 0: a sum over no rows is 0
}

MemN2NOut memn2n_hops(const RowVec& query, const std::vector<Mat>& mem_in, const std::vector<Mat>& mem_out) {
  // query is (1, d); mem_in[hop] and mem_out[hop] are (n, d), n may differ between hops
  if (mem_in.size() != mem_out.size())
    throw std::invalid_argument("memn2n_hops: mem_in and mem_out need one matrix per hop each");
  const Eigen::Index d = query.cols();
  for (size_t hop = 0; hop < mem_in.size(); ++hop) {
    if (mem_in[hop].cols() != d || mem_out[hop].cols() != d)
      throw std::invalid_argument("memn2n_hops: every memory needs d = query.cols() columns");
    if (mem_in[hop].rows() != mem_out[hop].rows())
      throw std::invalid_argument("memn2n_hops: mem_in[k] and mem_out[k] need the same number of memories");
  }

  MemN2NOut result;
  RowVec u = query;  // u^k, (1, d)
  for (size_t hop = 0; hop < mem_in.size(); ++hop) {
    const Mat& M = mem_in[hop];   // (n, d) input memories: what u is matched against
    const Mat& C = mem_out[hop];  // (n, d) output memories: what is read out
    const Eigen::Index n = M.rows();
    // pass 1: one score per memory, s_i = m_i · u (n,); no 1/sqrt(d) in MemN2N
    Vec p = M * u.transpose();
    // pass 2: softmax over the n memories, shifted by the max so every exponent is <= 0 and the sum >= 1
    if (n > 0) {
      p = (p.array() - p.maxCoeff()).exp().matrix();
      p /= p.sum();
    }
    // pass 3: read out o = pᵀ C (1, d) and add it to the controller state (n = 0: o = 0, u unchanged)
    u += p.transpose() * C;
    result.hop_weights.push_back(std::move(p));
  }
  result.u_final = u;
  return result;
}

}  // namespace attn
