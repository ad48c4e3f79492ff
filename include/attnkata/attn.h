// attnkata: the types every problem shares. Rows are positions, columns are features (problem-set.md 1.1).
#pragma once

#include <stdexcept>
#include <string>

namespace attn {
// A failed Eigen assertion (a product or sum of mismatched shapes, an index out of range) throws this
// instead of aborting, so a shape bug fails one test with a message rather than killing the whole run.
struct EigenAssertionError : std::logic_error {
  using std::logic_error::logic_error;
};
[[noreturn]] inline void eigen_assertion_failed(const char* condition) {
  throw EigenAssertionError(std::string("Eigen assertion failed: ") + condition +
                            " (usually two operands with mismatched shapes)");
}
}  // namespace attn

#ifndef eigen_assert
#define eigen_assert(x) ((x) ? static_cast<void>(0) : ::attn::eigen_assertion_failed(#x))
#endif

#include <Eigen/Dense>

#include <optional>
#include <vector>

namespace attn {

using Mat = Eigen::MatrixXf;        // (positions, features); Y = X W + b with W (d_in, d_out)
using Vec = Eigen::VectorXf;        // one scalar per position: scores, weights
using RowVec = Eigen::RowVectorXf;  // one feature vector: a bias, a pooled output, a single query
using Mask = Eigen::Array<bool, Eigen::Dynamic, Eigen::Dynamic>;  // (n_q, n_k), true = may attend
using Keep = Eigen::Array<bool, Eigen::Dynamic, 1>;               // (n,), true = position is valid

// What most forward functions return: output (n_q, d_v) and the attention weights (n_q, n_k).
struct Attention {
  Mat output;
  Mat weights;
};

// Projections of multi-head attention, PyTorch nn.MultiheadAttention semantics in the row convention:
// Q' = X_q Wq + bq, all four matrices (d, d); heads are packed in columns, head h = columns [h*d_h, (h+1)*d_h).
struct MHAParams {
  Mat Wq, Wk, Wv, Wo;
  RowVec bq, bk, bv, bo;
  int num_heads = 1;
};

}  // namespace attn
