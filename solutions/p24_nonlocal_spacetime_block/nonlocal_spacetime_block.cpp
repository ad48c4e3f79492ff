// p24 nonlocal_spacetime_block — reference solution. The walkthrough is WALKTHROUGH.md beside this file.
#include "nonlocal_spacetime_block.h"

#include <stdexcept>
#include <string>

namespace attn {

namespace {

void require(bool ok, const char* what) {
  if (!ok) throw std::invalid_argument(std::string("nonlocal_block: ") + what);
}

}  // namespace

Mat nonlocal_block(const Mat& X, const NonLocalParams& p) {
  // X is (N, C): N = T·H·W positions of a video, row (t·H + h)·W + w
  const Eigen::Index N = X.rows(), C = X.cols();
  const NonLocalKind kind = p.kind;
  require(kind == NonLocalKind::Gaussian || kind == NonLocalKind::EmbeddedGaussian ||
              kind == NonLocalKind::DotProduct || kind == NonLocalKind::Concatenation,
          "unknown kind");
  require(p.W_g.rows() == C, "W_g needs one row per channel of X");
  require(p.W_z.rows() == p.W_g.cols() && p.W_z.cols() == C, "W_z must be (W_g.cols(), C)");
  require(p.b_z.size() == C, "b_z needs one entry per channel of X");
  const bool embedded = kind != NonLocalKind::Gaussian;  // every kind but Gaussian reads θ and φ
  if (embedded) {
    require(p.W_theta.rows() == C && p.W_phi.rows() == C, "W_theta and W_phi need one row per channel");
    require(p.W_theta.cols() == p.W_phi.cols(), "W_theta and W_phi need the same width C_k");
  }
  if (kind == NonLocalKind::Concatenation)
    require(p.w_f.size() == 2 * p.W_theta.cols(), "w_f needs 2·C_k entries");
  if (N == 0) return Mat(0, C);  // an empty video: no position to attend from (and no row maximum to take)

  // pass 1: 1×1×1 convolutions are right-multiplications. g is (N, C_v); θ and φ are (N, C_k), and the
  // Gaussian kind compares the raw features instead (θ = φ = X)
  const Mat g = X * p.W_g;
  const Mat theta = embedded ? Mat(X * p.W_theta) : X;
  const Mat phi = embedded ? Mat(X * p.W_phi) : X;
  const float inv_n = 1.f / static_cast<float>(N);

  // pass 2: Y (N, C_v), row i = (1/C_i) Σ_j f(x_i, x_j) g_j
  Mat Y;
  switch (kind) {
    case NonLocalKind::Gaussian:
    case NonLocalKind::EmbeddedGaussian: {
      // f = exp(θ_i·φ_j) and C_i = Σ_j f: a row softmax of the logits, with no 1/sqrt(C_k) (the paper's
      // definition). Subtracting each row's max leaves it unchanged and keeps every exponent <= 0
      const Mat logits = theta * phi.transpose();  // (N, N)
      const Vec row_max = logits.rowwise().maxCoeff();
      Mat weights = (logits.colwise() - row_max).array().exp().matrix();
      weights.array().colwise() /= weights.rowwise().sum().array();
      Y = weights * g;
      break;
    }
    case NonLocalKind::DotProduct:
      // f = θ_i·φ_j and C = N: (θ φᵀ) g / N = θ (φᵀ g) / N, and the right-hand order never forms the (N, N)
      // matrix: O(N·C_k·C_v) instead of O(N²·(C_k + C_v))
      Y = theta * (phi.transpose() * g) * inv_n;
      break;
    case NonLocalKind::Concatenation: {
      // f = ReLU(w_fᵀ[θ_i, φ_j]) = ReLU(θ_i·w_θ + φ_j·w_φ): a query part plus a key part, then the ReLU
      const Eigen::Index C_k = theta.cols();
      const Vec query_part = theta * p.w_f.head(C_k);  // (N)
      const Vec key_part = phi * p.w_f.tail(C_k);      // (N)
      const Mat f = (query_part * RowVec::Ones(N) + Vec::Ones(N) * key_part.transpose()).cwiseMax(0.f);
      Y = f * g * inv_n;  // C = N, not Σ_j f: a row whose pairs are all clipped gives y_i = 0
      break;
    }
  }

  // pass 3: back to C channels and the residual. Z is (N, C); W_z = 0, b_z = 0 leaves Z = X exactly
  Mat Z = Y * p.W_z;
  Z.rowwise() += p.b_z;
  return Z + X;
}

}  // namespace attn
