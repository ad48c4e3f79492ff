// p24 nonlocal_spacetime_block — your solution. Statement: ./attnkata show p24   Grade: ./attnkata grade p24
#include "nonlocal_spacetime_block.h"

#include <stdexcept>

namespace attn {

Mat nonlocal_block(const Mat& X, const NonLocalParams& p) {
  // TODO: check the kind and the shapes the header lists; g = X W_g, and θ = X W_theta, φ = X W_phi (the
  // Gaussian kind uses X itself). Then y_i = (1/C_i) Σ_j f(x_i, x_j) g_j: a row softmax of θφᵀ (no 1/sqrt
  // scale) for the two Gaussian kinds, θφᵀ / N for the dot product, ReLU(w_fᵀ[θ_i, φ_j]) / N for the
  // concatenation. Return Y W_z + b_z + X. About 35 lines.
  throw std::logic_error("TODO: implement nonlocal_block");
}

}  // namespace attn
