"""p12 mult_crossmodal_attention: the crossmodal attention sublayer of the Multimodal Transformer as in its official
code (yaohungt/Multimodal-Transformer, TransformerEncoderLayer with normalize_before = True): one LayerNorm shared by
the target (query) and the source (key = value), and the residual on the un-normalised target,
    Y = X_a + MHA(LN(X_a), LN(X_b), LN(X_b); valid source frames).
Ground truth is torch.nn.LayerNorm + torch.nn.MultiheadAttention in float64, fed only the valid source rows (torch
1.13 returns NaN for padded rows that hold NaN, and for a source with no valid frame). Cross-checked against
  - a numpy loop written from the definition (per-row two-pass mean and population variance, per-head masked
    softmax over the whole source with the invalid frames masked out), and
  - for padded cases, nn.MultiheadAttention given the whole source and key_padding_mask = ~valid (torch's polarity).
Our row convention is Y = X W + b with W (in, out); torch stores (out, in), so in_proj_weight = cat(Wq.T, Wk.T,
Wv.T) and out_proj.weight = Wo.T.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, masked_softmax, rng

EPS = float(np.float32(1e-5))  # torch.nn.LayerNorm's default 1e-5, as the float the C++ side holds


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


# ---- torch: the library ground truth ----

def torch_layer_norm(X, gamma, beta, eps=EPS):
    ln = torch.nn.LayerNorm(X.shape[1], eps=eps, dtype=torch.float64)
    with torch.no_grad():
        ln.weight.copy_(t64(gamma))
        ln.bias.copy_(t64(beta))
        return ln(t64(X)).numpy()


def torch_mha_module(P):
    d = P["Wq"].shape[0]
    mha = torch.nn.MultiheadAttention(d, P["h"], bias=True, batch_first=True, dtype=torch.float64).eval()
    with torch.no_grad():
        mha.in_proj_weight.copy_(t64(np.concatenate([P["Wq"].T, P["Wk"].T, P["Wv"].T])))
        mha.in_proj_bias.copy_(t64(np.concatenate([P["bq"], P["bk"], P["bv"]])))
        mha.out_proj.weight.copy_(t64(P["Wo"].T))
        mha.out_proj.bias.copy_(t64(P["bo"]))
    return mha


def torch_block(Xa, Xb, valid, P, use_padding_mask=False):
    """Y = Xa + MHA(LN(Xa), LN(Xb), LN(Xb)): the official TransformerEncoderLayer's attention sublayer."""
    ln = torch.nn.LayerNorm(Xa.shape[1], eps=EPS, dtype=torch.float64)
    mha = torch_mha_module(P)
    with torch.no_grad():
        ln.weight.copy_(t64(P["gamma"]))
        ln.bias.copy_(t64(P["beta"]))
        x = t64(Xa)[None]
        if use_padding_mask:  # the whole source, padded frames masked in torch's polarity (true = ignore)
            src = ln(t64(Xb)[None])
            attn, _ = mha(ln(x), src, src, key_padding_mask=torch.tensor(~valid)[None], need_weights=False)
        else:  # only the valid frames: padded rows are never handed to torch
            src = ln(t64(Xb[valid])[None])
            attn, _ = mha(ln(x), src, src, need_weights=False)
        return (x + attn)[0].numpy()


# ---- numpy: the definition, written out ----

def numpy_layer_norm(X, gamma, beta, eps=EPS):
    out = np.empty_like(X)
    for i, row in enumerate(X):
        mean = row.sum() / row.size
        var = ((row - mean) ** 2).sum() / row.size  # population variance, as LayerNorm uses
        out[i] = gamma * (row - mean) / np.sqrt(var + eps) + beta
    return out


def numpy_block(Xa, Xb, valid, P):
    d, h = Xa.shape[1], P["h"]
    d_h = d // h
    q = numpy_layer_norm(Xa, P["gamma"], P["beta"])
    kv = numpy_layer_norm(Xb, P["gamma"], P["beta"])  # the same LayerNorm for the source
    Qp, Kp, Vp = q @ P["Wq"] + P["bq"], kv @ P["Wk"] + P["bk"], kv @ P["Wv"] + P["bv"]
    keep = np.broadcast_to(valid, (Xa.shape[0], Xb.shape[0]))
    concat = np.zeros((Xa.shape[0], d))
    for head in range(h):
        cols = slice(head * d_h, (head + 1) * d_h)
        A = masked_softmax(Qp[:, cols] @ Kp[:, cols].T / np.sqrt(d_h), keep)
        concat[:, cols] = A[:, valid] @ Vp[valid, cols]  # padded rows of V' are never read
    return Xa + concat @ P["Wo"] + P["bo"]


def block(Xa, Xb, valid, P, what):
    """The crossmodal block, agreed by every formulation available for these inputs."""
    Y = torch_block(Xa, Xb, valid, P)
    assert_agree(Y, numpy_block(Xa, Xb, valid, P), f"{what}: torch vs numpy")
    if not valid.all():
        assert_agree(Y, torch_block(Xa, Xb, valid, P, use_padding_mask=True), f"{what}: dropped rows vs mask")
    return Y


# ---- inputs ----

def params(r, d, h):
    # weights ~ N(0, 1/d), the scale of a trained layer: scores are O(1) and the softmax is not saturated
    P = {name: f32(r.standard_normal((d, d)) / np.sqrt(d)) for name in ["Wq", "Wk", "Wv", "Wo"]}
    P.update({name: f32(0.3 * r.standard_normal(d)) for name in ["bq", "bk", "bv", "bo"]})
    P["gamma"] = f32(1 + 0.3 * r.standard_normal(d))
    P["beta"] = f32(0.2 * r.standard_normal(d))
    P["h"] = h
    return P


def emit_params(c, P, prefix=""):
    c.f32(prefix + "ln_gamma", P["gamma"][None, :]), c.f32(prefix + "ln_beta", P["beta"][None, :])
    for w in ["Wq", "Wk", "Wv", "Wo"]:
        c.f32(prefix + w, P[w])
    for b in ["bq", "bk", "bv", "bo"]:
        c.f32(prefix + b, P[b][None, :])  # a (1, d) row: attn::RowVec
    c.scalar(prefix + "num_heads", P["h"], "int")


def sequence(r, n, d, scale=1.0):
    return f32(scale * r.standard_normal((n, d)))


def _ln_float32(row, eps, one_pass, pairwise):
    """LayerNorm of one row in float32, summed left to right (a loop) or pairwise (numpy, Eigen's packets)."""
    row = row.astype(np.float32)

    def total(v):
        if pairwise:
            return v.sum(dtype=np.float32)
        s = np.float32(0)
        for x in v:
            s = np.float32(s + x)
        return s

    n = np.float32(row.size)
    mean = np.float32(total(row) / n)
    if one_pass:
        var = np.float32(max(np.float32(total(row * row) / n) - mean * mean, np.float32(0)))
    else:
        var = np.float32(total((row - mean) ** 2) / n)
    return (row - mean) / np.sqrt(var + np.float32(eps))


def float32_errors(row, eps=EPS):
    """(smallest one-pass error, largest two-pass error) of a float32 LayerNorm over two summation orders."""
    truth = numpy_layer_norm(row[None, :], 1.0, 0.0, eps)[0]
    err = lambda one_pass, pairwise: np.abs(_ln_float32(row, eps, one_pass, pairwise) - truth).max()  # noqa: E731
    return min(err(True, False), err(True, True)), max(err(False, False), err(False, True))


def offset_row(r, d, offset, spread):
    """A row offset + spread·N(0, 1) on which float32 E[x^2] - mean^2 is off by more than 2e-4 (20 times the T2
    budget) whichever way it is summed, while the centred two-pass form stays within 3e-6."""
    while True:
        row = f32(offset + spread * r.standard_normal(d))
        one_pass, two_pass = float32_errors(row)
        if one_pass > 2e-4 and two_pass < 3e-6:
            return row


def flat_rows(r, d):
    """Rows LayerNorm finds hard: a large offset (one-pass variance cancels), a constant row (zero variance; 2.5 sums
    exactly, so the mean is exact), a row whose variance is below eps (eps decides the scale), an ordinary row."""
    return {"offset": offset_row(r, d, 20.0, 1.0),
            "constant": f32(np.full(d, 2.5)),
            "tiny": f32(1e-3 * r.standard_normal(d)),
            "plain": f32(r.standard_normal(d)),
            "negative offset": offset_row(r, d, -24.0, 1.2)}


def generate():
    g = GoldenFile("p12", __file__, seed=1212)
    r = rng(1212)

    # 1. layer_norm alone: ordinary rows, a scaled one, the hard rows; then a large eps
    d = 8
    hard = flat_rows(r, d)
    X = np.stack([sequence(r, 1, d)[0], f32(3.0 + 5.0 * r.standard_normal(d))] + list(hard.values()))
    gamma, beta = f32(1 + 0.3 * r.standard_normal(d)), f32(0.2 * r.standard_normal(d))
    Y = torch_layer_norm(X, gamma, beta)
    assert_agree(Y, numpy_layer_norm(X, gamma, beta), "ln: torch vs numpy")
    assert_agree(Y[3], beta, "ln: a constant row is beta")
    c = g.case("ln", "7 rows, d = 8: plain, 3 + 5·N, offset 20, constant 2.5, variance below eps, offset -24; eps 1e-5")
    c.f32("X", X), c.f32("ln_gamma", gamma[None, :]), c.f32("ln_beta", beta[None, :])
    c.f64("Y", Y)

    X = sequence(r, 3, 6)
    X[2] *= 0.05  # variance ~ 2.5e-3: eps = 0.1 dominates it
    gamma, beta = f32(1 + 0.3 * r.standard_normal(6)), f32(0.2 * r.standard_normal(6))
    eps = float(np.float32(0.1))  # the float the C++ side holds
    Y = torch_layer_norm(X, gamma, beta, eps=eps)
    assert_agree(Y, numpy_layer_norm(X, gamma, beta, eps=eps), "ln_eps: torch vs numpy")
    assert np.abs(Y - torch_layer_norm(X, gamma, beta)).max() > 0.1, "ln_eps: eps = 0.1 must matter"
    c = g.case("ln_eps", "3 rows, d = 6, eps = 0.1 (row 2 has variance far below it)")
    c.f32("X", X), c.f32("ln_gamma", gamma[None, :]), c.f32("ln_beta", beta[None, :])
    c.scalar("eps", eps, "float")
    c.f64("Y", Y)

    # 2. a block, every source frame valid. Rows of std 2.5, so a per-row affine change a x + b with a >= 0.8
    # moves LayerNorm's output by eps/(2 var) ~ 1e-6 at most: the invariance tests hold within T2.
    Ta, Tb, d, h = 5, 7, 8, 2
    Xa, Xb = sequence(r, Ta, d, 2.5), sequence(r, Tb, d, 2.5)
    P = params(r, d, h)
    valid = np.ones(Tb, bool)
    Y = block(Xa, Xb, valid, P, "block")
    # per-row affine changes, done in float32 as the C++ test does them: the attention part must not move
    a_src, b_src = f32(r.uniform(0.8, 4.0, Tb)), f32(r.uniform(-5.0, 5.0, Tb))
    a_tgt, b_tgt = f32(r.uniform(0.8, 4.0, Ta)), f32(r.uniform(-5.0, 5.0, Ta))
    Xb2 = f32(a_src.astype(np.float32)[:, None] * Xb.astype(np.float32) + b_src.astype(np.float32)[:, None])
    Xa2 = f32(a_tgt.astype(np.float32)[:, None] * Xa.astype(np.float32) + b_tgt.astype(np.float32)[:, None])
    assert np.abs(block(Xa, Xb2, valid, P, "block, affine source") - Y).max() < 4e-6, "source invariance"
    assert np.abs((block(Xa2, Xb, valid, P, "block, affine target") - Xa2) - (Y - Xa)).max() < 4e-6, \
        "target invariance of the attention part"
    c = g.case("block", "target 5 frames, source 7 frames, d = 8, 2 heads, every frame valid; rows of std 2.5")
    c.f32("target", Xa), c.f32("source", Xb), c.mask("source_valid", valid)
    emit_params(c, P)
    c.f32("a_source", a_src), c.f32("b_source", b_src), c.f32("a_target", a_tgt), c.f32("b_target", b_tgt)
    c.f64("output", Y)

    # 3. padding anywhere in the source: frames 1, 4 and 7 are invalid
    Ta, Tb, d, h = 4, 9, 12, 3
    Xa, Xb = sequence(r, Ta, d, 1.5), sequence(r, Tb, d, 1.5)
    P = params(r, d, h)
    valid = np.array([1, 0, 1, 1, 0, 1, 1, 0, 1], bool)
    Y = block(Xa, Xb, valid, P, "padded")
    c = g.case("padded", "target 4 frames, source 9 frames of which 1, 4, 7 are padding, d = 12, 3 heads")
    c.f32("target", Xa), c.f32("source", Xb), c.mask("source_valid", valid)
    emit_params(c, P)
    c.f64("output", Y)

    # 4. fusion for one target from two sources (MulT: language attends to audio, then to vision)
    Ta, d, h = 4, 8, 2
    Xa = sequence(r, Ta, d, 1.5)
    sources = [(sequence(r, 6, d, 1.5), np.ones(6, bool)), (sequence(r, 3, d, 1.5), np.array([1, 1, 0], bool))]
    Ps = [params(r, d, h) for _ in sources]
    blocks = [block(Xa, Xb, v, P, f"fuse source {s}") for s, ((Xb, v), P) in enumerate(zip(sources, Ps))]
    Z = np.concatenate(blocks, axis=1)
    c = g.case("fuse", "target 4 frames, d = 8, 2 heads; source 0 has 6 valid frames, source 1 has 3 (frame 2 padding)")
    c.f32("target", Xa)
    for s, ((Xb, v), P) in enumerate(zip(sources, Ps)):
        c.f32(f"source{s}", Xb), c.mask(f"valid{s}", v)
        emit_params(c, P, f"s{s}_")
    c.f64("output", Z)

    # 5. the hard LayerNorm rows inside a block, on both sides
    Ta, Tb, d, h = 4, 6, 8, 2
    t_rows, s_rows = flat_rows(r, d), flat_rows(r, d)
    Xa = np.stack([t_rows[k] for k in ["offset", "constant", "plain", "tiny"]])
    Xb = np.stack([s_rows[k] for k in ["negative offset", "constant", "tiny", "plain", "offset"]] +
                  [sequence(r, 1, d, 2.0)[0]])
    P = params(r, d, h)
    valid = np.ones(Tb, bool)
    Y = block(Xa, Xb, valid, P, "flat")
    c = g.case("flat", "target rows: offset 20, constant, plain, variance < eps; source rows: offset -24, constant, "
                       "variance < eps, plain, offset 20, plain; d = 8, 2 heads")
    c.f32("target", Xa), c.f32("source", Xb), c.mask("source_valid", valid)
    emit_params(c, P)
    c.f64("output", Y)

    # 6. larger: 16 target frames, 24 source frames with a padded tail (MulT pads sequences at the end)
    Ta, Tb, d, h = 16, 24, 32, 4
    Xa, Xb = sequence(r, Ta, d, 1.5), sequence(r, Tb, d, 1.5)
    P = params(r, d, h)
    valid = np.arange(Tb) < 20
    Y = block(Xa, Xb, valid, P, "wide")
    c = g.case("wide", "target 16 frames, source 24 frames (20..23 padding), d = 32, 4 heads")
    c.f32("target", Xa), c.f32("source", Xb), c.mask("source_valid", valid)
    emit_params(c, P)
    c.f64("output", Y)
    return g
