// p15 flash_attention_forward — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
// FlashAttention forward (Dao et al. 2022, Alg. 1) with FlashAttention-2's deferred normalisation: for each
// block of query rows, stream the key blocks through a running max m, a running sum l and an unnormalised
// accumulator, and divide once at the end. A block pair's scores are kept transposed, (keys, queries), so
// that one query's scores are a contiguous column (Eigen stores matrices column-major).
#include "flash_attention_forward.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string>

namespace attn {

namespace {

using Index = Eigen::Index;
constexpr float kNegInf = -std::numeric_limits<float>::infinity();

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("flash_attention_forward: ") + what);
}

}  // namespace

FlashOut flash_attention_forward(const Mat& Q, const Mat& K, const Mat& V, int block_q, int block_k,
                                 bool causal, std::optional<float> scale,
                                 const std::optional<Keep>& key_valid) {
  // Q is (n_q, d), K is (n_k, d), V is (n_k, d_v); key_valid is (n_k,)
  const Index n_q = Q.rows(), n_k = K.rows(), d = Q.cols(), d_v = V.cols();
  require(block_q > 0 && block_k > 0, "block_q and block_k must be >= 1");
  require(d > 0 && K.cols() == d, "Q and K need the same number d >= 1 of columns");
  require(V.rows() == n_k, "K and V need the same number of rows");
  require(!key_valid || key_valid->size() == n_k, "key_valid needs one entry per key");
  require(!causal || n_q == n_k, "causal attention needs n_q == n_k");
  require(!scale || std::isfinite(*scale), "scale must be finite");
  const float s = scale ? *scale : 1.f / std::sqrt(static_cast<float>(d));

  // a row that never sees an allowed key keeps these: a zero output and log(0) = -inf
  FlashOut out{Mat::Zero(n_q, d_v), Vec::Constant(n_q, kNegInf)};
  Mat scores_t, probs_t, V_clean;  // scratch for one block pair: (cols, rows), (cols, rows), (cols, d_v)

  for (Index q_start = 0; q_start < n_q; q_start += block_q) {
    const Index rows = std::min<Index>(block_q, n_q - q_start);
    // pass 1: the query block, scaled once and transposed; Qs_t is (d, rows)
    const Mat Qs_t = (s * Q.middleRows(q_start, rows)).transpose();
    // per query row i of the block: m_i, the largest allowed score seen so far; l_i = Σ exp(score - m_i) over
    // the keys seen so far; and column i of acc_t = Σ exp(score - m_i) v_j, not yet divided by l_i
    RowVec row_max = RowVec::Constant(rows, kNegInf);  // (rows,)
    RowVec row_sum = RowVec::Zero(rows);               // (rows,)
    Mat acc_t = Mat::Zero(d_v, rows);                  // (d_v, rows)

    // causal: a key block starting at or after q_start + rows is later than every query of this block
    const Index k_stop = causal ? q_start + rows : n_k;
    for (Index k_start = 0; k_start < k_stop; k_start += block_k) {
      const Index cols = std::min<Index>(block_k, n_k - k_start);
      if (key_valid && !key_valid->segment(k_start, cols).any()) continue;  // only padding: nothing to add

      // pass 2: scores of the block pair; scores_t(j, i) = s·q_i·k_j, (cols, rows)
      scores_t.noalias() = K.middleRows(k_start, cols) * Qs_t;

      // pass 3: the masked entries: padded keys, and in a block that reaches past the diagonal the keys
      // after each query. A padded key's row of K may hold NaN: -inf overwrites its scores, and its row of V
      // is replaced by zeros below (0 · NaN would still be NaN).
      bool has_padding = false;
      if (key_valid)
        for (Index j = 0; j < cols; ++j)
          if (!(*key_valid)(k_start + j)) scores_t.row(j).setConstant(kNegInf), has_padding = true;
      const bool crosses_diagonal = causal && k_start + cols - 1 > q_start;
      auto first_future_key = [&](Index i) { return std::clamp<Index>(q_start + i + 1 - k_start, 0, cols); };
      if (crosses_diagonal)
        for (Index i = 0; i < rows; ++i)
          scores_t.col(i).tail(cols - first_future_key(i)).setConstant(kNegInf);

      // pass 4: the online softmax, one query (one column) at a time. The new max is m' = max(m, max_j
      // score); the old terms are rescaled by exp(m - m') <= 1 and the new ones are exp(score - m') <= 1, so
      // nothing overflows.
      RowVec rescale(rows);
      probs_t.resize(cols, rows);
      for (Index i = 0; i < rows; ++i) {
        const float new_max = std::max(row_max(i), scores_t.col(i).maxCoeff());
        if (new_max == kNegInf) {
          // guard: no allowed key for this row yet (this block and all before it masked). exp(score - m')
          // would be exp((-inf) - (-inf)) = NaN; the row simply adds nothing and keeps m = -inf, l = 0.
          probs_t.col(i).setZero();
          rescale(i) = 1.f;
          continue;
        }
        rescale(i) = std::exp(row_max(i) - new_max);  // exactly 0 while m = -inf: nothing to rescale yet
        probs_t.col(i) = (scores_t.col(i).array() - new_max).exp().matrix();
        row_max(i) = new_max;
      }
      // masked entries must be exactly 0: Eigen's vectorised exp(-inf) is 2.9e-39, not 0
      if (has_padding)
        for (Index j = 0; j < cols; ++j)
          if (!(*key_valid)(k_start + j)) probs_t.row(j).setZero();
      if (crosses_diagonal)
        for (Index i = 0; i < rows; ++i) probs_t.col(i).tail(cols - first_future_key(i)).setZero();

      // pass 5: l = l·exp(m - m') + Σ_j p_ij and acc = acc·exp(m - m') + P V, column i for query i
      row_sum = row_sum.cwiseProduct(rescale) + probs_t.colwise().sum();
      acc_t.array().rowwise() *= rescale.array();
      if (has_padding) {
        V_clean = V.middleRows(k_start, cols);
        for (Index j = 0; j < cols; ++j)
          if (!(*key_valid)(k_start + j)) V_clean.row(j).setZero();
        acc_t.noalias() += V_clean.transpose() * probs_t;
      } else {
        acc_t.noalias() += V.middleRows(k_start, cols).transpose() * probs_t;
      }
    }

    // pass 6: deferred normalisation, once per row; logsumexp = m + log l. A row with l = 0 saw no allowed
    // key: it keeps its zero output and -inf.
    for (Index i = 0; i < rows; ++i) {
      if (row_sum(i) == 0) continue;
      out.output.row(q_start + i) = acc_t.col(i).transpose() / row_sum(i);
      out.logsumexp(q_start + i) = row_max(i) + std::log(row_sum(i));
    }
  }
  return out;
}

}  // namespace attn
