// known-wrong p13: S without the h∘u term
// expect: failed, score 0..20
#include <stdexcept>

#include "bidaf_attention_flow.h"

namespace attn {

BidafOut bidaf_attention(const Mat& H, const Mat& U, const Vec& w, int context_len, int query_len) {
  // H is (T, e), U is (J, e), w is (3e,) = [w_h; w_u; w_m]
  const Eigen::Index T = H.rows(), J = U.rows(), e = H.cols();
  if (U.cols() != e) throw std::invalid_argument("bidaf_attention: H and U need the same feature size e");
  if (w.size() != 3 * e)
    throw std::invalid_argument("bidaf_attention: w must have 3·e entries [w_h; w_u; w_m]");
  if (context_len < 0 || context_len > T)
    throw std::invalid_argument("bidaf_attention: context_len must be in [0, T]");
  if (query_len < 0 || query_len > J)
    throw std::invalid_argument("bidaf_attention: query_len must be in [0, J]");

  BidafOut out;
  out.G = Mat::Zero(T, 4 * e);
  out.S = Mat::Zero(T, J);
  out.c2q_weights = Mat::Zero(T, J);
  out.q2c_weights = Vec::Zero(T);
  // only the valid block is ever read: padded rows may hold anything, NaN included
  const Eigen::Index n_c = context_len, n_q = query_len;
  const auto H_valid = H.topRows(n_c);  // (n_c, e)
  const auto U_valid = U.topRows(n_q);  // (n_q, e)
  out.G.block(0, 0, n_c, e) = H_valid;
  if (n_c == 0 || n_q == 0) return out;  // no pair to attend over: weights stay 0, so Ũ = 0 and H̃ = 0

  // pass 1: similarity. wᵀ[h; u; h∘u] splits into three terms: w_h·h_t depends on t only, w_u·u_j on j only,
  // and Σ_k h_tk w_mk u_jk is one matrix product (H diag(w_m)) Uᵀ. O(n_c n_q e), no (T, J, 3e) tensor
  const Vec context_term = H_valid * w.segment(0, e);  // (n_c,)
  const Vec query_term = U_valid * w.segment(e, e);    // (n_q,)
  Mat S = Mat::Zero(n_c, n_q);                         // the h∘u term is missing (the mistake)
  S.colwise() += context_term;
  S.rowwise() += query_term.transpose();
  out.S.topLeftCorner(n_c, n_q) = S;

  // pass 2: context-to-query. Row t: softmax over the valid query words, max subtracted so exp <= 1
  Mat A(n_c, n_q);
  for (Eigen::Index context_t = 0; context_t < n_c; ++context_t) {
    const Eigen::RowVectorXf exps = (S.row(context_t).array() - S.row(context_t).maxCoeff()).exp().matrix();
    A.row(context_t) = exps / exps.sum();
  }
  out.c2q_weights.topLeftCorner(n_c, n_q) = A;
  const Mat U_tilde = A * U_valid;  // (n_c, e): the query summary each context word asks for

  // pass 3: query-to-context. m_t = the best match of context word t among the valid query words;
  // softmax over the valid context words, then one attended context vector h̃ shared by every t
  const Vec row_max = S.rowwise().maxCoeff();  // (n_c,)
  const Vec exps = (row_max.array() - row_max.maxCoeff()).exp().matrix();
  const Vec b = exps / exps.sum();
  out.q2c_weights.head(n_c) = b;
  const RowVec h_tilde = b.transpose() * H_valid;  // (1, e)

  // pass 4: G = [H, Ũ, H∘Ũ, H∘H̃] on the valid rows; H̃ is h̃ tiled over t, so H∘H̃ scales each column by h̃
  out.G.block(0, e, n_c, e) = U_tilde;
  out.G.block(0, 2 * e, n_c, e) = H_valid.cwiseProduct(U_tilde);
  out.G.block(0, 3 * e, n_c, e) = H_valid * h_tilde.asDiagonal();
  return out;
}

}  // namespace attn
