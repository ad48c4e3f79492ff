// p12 mult_crossmodal_attention: the Multimodal Transformer's crossmodal attention block (one shared
// pre-LayerNorm, raw residual, as in the official code) and the fusion of several source modalities into one
// target.
#pragma once

#include <attnkata/attn.h>

namespace attn {

// LayerNorm over the features of each row: gamma, beta (1, d); eps is added to the variance inside the square
// root.
struct LayerNormParams {
  RowVec gamma, beta;
  float eps = 1e-5f;
};

// One crossmodal block: the LayerNorm it shares between target and source, and its multi-head attention
// (p04's MHAParams: Wq, Wk, Wv, Wo (d, d), bq, bk, bv, bo (1, d), num_heads, row convention Y = X W + b).
struct CrossmodalParams {
  LayerNormParams ln;
  MHAParams mha;
};

// Row-wise LayerNorm, torch.nn.LayerNorm(d) semantics:
//   Y_i = gamma ⊙ (X_i − mean_i) / sqrt(var_i + eps) + beta,   mean_i and var_i over the d entries of row i,
//   var_i the population variance (divide by d, not d − 1).
//   X: (n, d)  ->  (n, d). A constant row (variance 0) gives beta, never NaN (eps > 0).
// Throws std::invalid_argument when X has no columns, gamma or beta does not have d entries, or eps < 0 (or
// NaN).
Mat layer_norm(const Mat& X, const LayerNormParams& ln);

// The crossmodal attention block "source β → target α" of MulT, as in yaohungt/Multimodal-Transformer's
// TransformerEncoderLayer (normalize_before = True), attention sublayer only:
//   Y = target + MHA(LN(target), LN(source), LN(source); source_valid)
// with ONE LayerNorm p.ln applied to both target and source, and the residual on the un-normalised target
// (the paper's equation writes LN(target) + CM(...); the official code adds the raw target). MHA is p04's
// multi-head attention: queries from the target, keys and values from the source, scale 1/sqrt(d /
// num_heads).
//   target: (T_a, d)   source: (T_b, d)   source_valid: (T_b,), true = a real frame, false = padding
//   T_a and T_b may differ (unaligned modalities); the output is (T_a, d), one row per target frame.
// Padded source frames get no weight and are never read: NaN or 1e30 in their rows cannot leak. With no valid
// source frame (or T_b = 0) the attention adds only its output bias: Y = target + bo.
// Throws std::invalid_argument when num_heads <= 0, d % num_heads != 0 (d = target.cols()), a weight is not
// (d, d), a bias, gamma or beta does not have d entries, eps < 0, source does not have d columns, or
// source_valid does not have T_b entries.
Mat crossmodal_block(const Mat& target, const Mat& source, const Keep& source_valid,
                     const CrossmodalParams& p);

// MulT's fusion for one target modality: one crossmodal block per source, side by side in the order given,
//   Z = [ crossmodal_block(target, sources[0], valids[0], params[0]) | ... | (..., sources[S−1], ...) ]
//   target: (T_a, d)   sources[s]: (T_s, d)   valids[s]: (T_s,)   ->   Z: (T_a, S·d)
// (In MulT the language target gets [audio → language | vision → language], 2d columns.)
// Throws std::invalid_argument when sources is empty, sources, valids and params differ in size, or any
// block's arguments are invalid (as crossmodal_block).
Mat mult_fuse(const Mat& target, const std::vector<Mat>& sources, const std::vector<Keep>& valids,
              const std::vector<CrossmodalParams>& params);

}  // namespace attn
