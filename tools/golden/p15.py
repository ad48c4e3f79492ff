"""p15 flash_attention_forward: the definition the tiles must reproduce, never the tiles themselves. Each case is
dense attention in float64: S = scale·Q Kᵀ with the masked entries (padded keys, and j > i when causal) at -inf,
softmax over each row (a row with no allowed key is all zero), output = P V, logsumexp = log Σ_allowed exp(S).
torch computes it (masked_fill, softmax, torch.logsumexp); it is cross-checked with a numpy loop over rows
(common.masked_softmax, and log Σ exp written out with the row max) and, where d_v = d and nothing is masked, with
the weights of torch's nn.MultiheadAttention (one head, identity projections). The long case (20 000 tokens,
causal) is computed row by row from its prefix of keys, cross-checked with torch on the same rows.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, hashed, masked_softmax, rng

NEG_INF = float("-inf")


def allowed_mask(n_q, n_k, causal, key_valid):
    """(n_q, n_k) bool, True = query i may attend key j."""
    keep = np.ones((n_q, n_k), bool)
    if key_valid is not None:
        keep &= np.asarray(key_valid, bool)[None, :]
    if causal:
        keep &= np.tril(np.ones((n_q, n_k), bool))
    return keep


def attention_torch(Q, K, V, scale, keep):
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    S = (t(Q) @ t(K).T * scale).masked_fill(~torch.tensor(keep), NEG_INF)
    lse = torch.logsumexp(S, dim=1)  # -inf for a row with nothing allowed
    P = torch.nan_to_num(torch.softmax(S, dim=1), nan=0.0)  # a fully masked row: NaN -> 0 (problem-set.md 1.2)
    return (P @ t(V)).numpy(), lse.numpy(), P.numpy()


def attention_numpy(Q, K, V, scale, keep):
    """Row by row: the weights from common.masked_softmax, log Σ exp with the row's max written out."""
    S = scale * (Q @ K.T)
    P = masked_softmax(S, keep)
    lse = np.full(Q.shape[0], NEG_INF)
    for i in range(Q.shape[0]):
        s = S[i, keep[i]]
        if s.size:
            lse[i] = s.max() + np.log(np.sum(np.exp(s - s.max())))
    out = np.zeros((Q.shape[0], V.shape[1]))
    for i in range(Q.shape[0]):  # only allowed rows of V are touched (they may hold NaN elsewhere)
        for j in np.flatnonzero(keep[i]):
            out[i] += P[i, j] * V[j]
    return out, lse, P


def mha_weights(Q, K, scale, keep):
    """nn.MultiheadAttention with one head and identity projections: softmax(q kᵀ / sqrt(d)) over the allowed
    keys (its bool attn_mask is True where attending is NOT allowed). Rescaling the queries by scale·sqrt(d)
    makes its built-in 1/sqrt(d) the wanted scale. A fully masked row comes back NaN: 0 by the set's rule."""
    d = Q.shape[1]
    mha = torch.nn.MultiheadAttention(d, 1, bias=False, batch_first=True).double()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.cat([torch.eye(d, dtype=torch.float64)] * 3))
    q = torch.tensor(Q * scale * np.sqrt(d))[None]
    k = torch.tensor(K)[None]
    _, w = mha(q, k, k, need_weights=True, attn_mask=torch.tensor(~keep))
    return torch.nan_to_num(w[0], nan=0.0).detach().numpy()


def solve(Q, K, V, scale, causal=False, key_valid=None, what=""):
    """Expected output and logsumexp from two formulations that must agree."""
    keep = allowed_mask(Q.shape[0], K.shape[0], causal, key_valid)
    out, lse, P = attention_torch(Q, K, V, scale, keep)
    n_out, n_lse, n_P = attention_numpy(Q, K, V, scale, keep)
    assert_agree(P, n_P, f"{what}: weights torch vs numpy")
    assert_agree(out, n_out, f"{what}: output torch vs numpy")
    finite = np.isfinite(lse)
    assert (finite == np.isfinite(n_lse)).all() and (lse[~finite] == n_lse[~finite]).all(), what
    assert_agree(lse[finite], n_lse[finite], f"{what}: logsumexp torch vs numpy")
    assert_agree(P, mha_weights(Q, K, scale, keep), f"{what}: weights vs nn.MultiheadAttention")
    return out, lse


def normal(r, shape, scale=1.0):
    return f32(r.standard_normal(shape) * scale)


def store(c, Q, K, V, **extra):
    c.f32("Q", Q), c.f32("K", K), c.f32("V", V)
    for name, value in extra.items():
        if isinstance(value, tuple):  # (output, lse)
            c.f64(f"output{name}", value[0]), c.f64(f"lse{name}", value[1])
        elif isinstance(value, np.ndarray) and value.dtype == bool:
            c.mask(name, value[None, :])  # (1, n_k): the test reads row 0 into a Keep
        else:
            c.scalar(name, value, "int")


# ---- the long causal case: inputs from an integer hash that the C++ test recomputes ----

M32 = np.uint64(0xFFFFFFFF)


def long_rows_numpy(Q, K, V, scale, rows):
    out, lse = np.zeros((len(rows), V.shape[1])), np.zeros(len(rows))
    for r_i, i in enumerate(rows):
        s = scale * (K[:i + 1] @ Q[i])  # causal: keys 0..i
        w = np.exp(s - s.max())
        out[r_i], lse[r_i] = (w / w.sum()) @ V[:i + 1], s.max() + np.log(w.sum())
    return out, lse


def long_rows_torch(Q, K, V, scale, rows):
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    idx = torch.tensor(rows)
    S = t(Q).index_select(0, idx) @ t(K).T * scale  # (rows, n)
    S = S.masked_fill(torch.arange(K.shape[0])[None, :] > idx[:, None], NEG_INF)
    return (torch.softmax(S, 1) @ t(V)).numpy(), torch.logsumexp(S, 1).numpy()


def long_case(g, n, d, prefix):
    Q, K, V = hashed(n, d, 1), hashed(n, d, 2), hashed(n, d, 3)
    assert (f32(Q) == Q).all() and (f32(K) == K).all() and (f32(V) == V).all()
    blocks = {"head": 0, "prefix_tail": prefix - 8, "middle": n // 2 - 4, "tail": n - 8}
    c = g.case("long_seq", f"{n} tokens, d = {d}, causal, scale 1/sqrt(d); inputs from an integer hash the test "
                           f"recomputes; expected rows: 8 from each of " +
               ", ".join(f"{k} ({v}..)" for k, v in blocks.items()))
    c.scalar("n", n, "int"), c.scalar("d", d, "int"), c.scalar("prefix", prefix, "int")
    scale = 1 / np.sqrt(d)
    for name, start in blocks.items():
        rows = list(range(start, start + 8))
        out, lse = long_rows_numpy(Q, K, V, scale, rows)
        t_out, t_lse = long_rows_torch(Q, K, V, scale, rows)
        assert_agree(out, t_out, f"long {name}: output numpy vs torch")
        assert_agree(lse, t_lse, f"long {name}: logsumexp numpy vs torch")
        if name == "head":  # also the dense definition on a 64-token prefix (causal: later keys do not count)
            d_out, d_lse = solve(Q[:64], K[:64], V[:64], scale, causal=True, what="long prefix")
            assert_agree(out, d_out[:8], "long head vs dense prefix")
            assert_agree(lse, d_lse[:8], "long head logsumexp vs dense prefix")
        c.scalar(f"{name}_row", start, "int")
        c.f64(f"output_{name}", out), c.f64(f"lse_{name}", lse)


def generate():
    g = GoldenFile("p15", __file__, seed=1515)
    r = rng(1515)

    # the statement's worked examples (d = 1, so the scale is 1)
    c = g.case("worked", "the statement's examples: one query over 3 keys in blocks of 2; causal 3×3; "
                         "a first key block that is all padding")
    q1, k1, v1 = np.array([[1.0]]), np.array([[0.0], [1.0], [2.0]]), np.array([[1.0], [2.0], [3.0]])
    c.f32("q1", q1), c.f32("k1", k1), c.f32("v1", v1)
    out, lse = solve(q1, k1, v1, 1.0, what="worked 1")
    c.f64("output1", out), c.f64("lse1", lse)
    out, lse = solve(k1, k1, v1, 1.0, causal=True, what="worked 2")
    c.f64("output2", out), c.f64("lse2", lse)
    k3, v3 = np.array([[0.0], [1.0], [2.0], [3.0]]), np.array([[1.0], [2.0], [3.0], [4.0]])
    keep3 = np.array([False, False, True, True])
    c.f32("k3", k3), c.f32("v3", v3), c.mask("valid3", keep3[None, :])
    out, lse = solve(q1, k3, v3, 1.0, key_valid=keep3, what="worked 3")
    c.f64("output3", out), c.f64("lse3", lse)

    # 37 tokens (prime: no block size > 1 divides it), d = 8, d_v = 5
    Q, K, V = normal(r, (37, 8)), normal(r, (37, 8)), normal(r, (37, 5))
    c = g.case("random", "37 queries and keys, d = 8, d_v = 5: default scale 1/sqrt(8), scale 0.3, and causal")
    store(c, Q, K, V, n=37)
    plain = solve(Q, K, V, 1 / np.sqrt(8), what="random")
    c.f64("output", plain[0]), c.f64("lse", plain[1])
    scaled = solve(Q, K, V, np.float32(0.3), what="random scale 0.3")  # the float32 the C++ side passes
    c.f64("output_scaled", scaled[0]), c.f64("lse_scaled", scaled[1])
    causal = solve(Q, K, V, 1 / np.sqrt(8), causal=True, what="random causal")
    c.f64("output_causal", causal[0]), c.f64("lse_causal", causal[1])

    # d_v = d, so nn.MultiheadAttention's weights cross-check it
    Q, K, V = normal(r, (13, 6)), normal(r, (29, 6)), normal(r, (29, 7))
    c = g.case("cross", "13 queries over 29 keys, d = 6, d_v = 7 (cross attention)")
    store(c, Q, K, V)
    out, lse = solve(Q, K, V, 1 / np.sqrt(6), what="cross")
    c.f64("output", out), c.f64("lse", lse)
    Qm, Km, Vm = normal(r, (9, 6)), normal(r, (9, 6)), normal(r, (9, 6))
    solve(Qm, Km, Vm, 1 / np.sqrt(6), what="d_v = d, MHA cross-check")

    # integer inputs: every score is an exact multiple of 0.5 in float32, up to ~2e4
    for _ in range(100):
        Q = f32(r.integers(-100, 101, (20, 4)))
        K = f32(r.integers(-100, 101, (20, 4)))
        if np.abs(0.5 * Q @ K.T).max() > 1e4:
            break
    V = normal(r, (20, 3))
    assert np.abs(0.5 * Q @ K.T).max() > 1e4 and np.abs(0.5 * Q @ K.T).max() < 2 ** 23
    c = g.case("large", "integer Q and K, d = 4 (scale 0.5): scores are exact in float32 and reach beyond 1e4")
    store(c, Q, K, V)
    out, lse = solve(Q, K, V, 0.5, what="large")
    c.f64("output", out), c.f64("lse", lse)
    out, lse = solve(Q, K, V, 0.5, causal=True, what="large causal")
    c.f64("output_causal", out), c.f64("lse_causal", lse)

    # padding: keys 0..6 (the first block of any block_k <= 7 is all padding), 12, 13 and 20
    Q, K, V = normal(r, (11, 8)), normal(r, (23, 8)), normal(r, (23, 5))
    keep = np.ones(23, bool)
    keep[[0, 1, 2, 3, 4, 5, 6, 12, 13, 20]] = False
    c = g.case("padded", "11 queries over 23 keys, d = 8, d_v = 5; keys 0..6, 12, 13 and 20 are padding")
    store(c, Q, K, V)
    c.mask("valid", keep[None, :])
    out, lse = solve(Q, K, V, 1 / np.sqrt(8), key_valid=keep, what="padded")
    c.f64("output", out), c.f64("lse", lse)

    # causal with left padding: rows 0..4 see no valid key at all
    Q, K, V = normal(r, (19, 8)), normal(r, (19, 8)), normal(r, (19, 5))
    keep = np.ones(19, bool)
    keep[[0, 1, 2, 3, 4, 9, 10]] = False
    c = g.case("padded_causal", "19 tokens causal, d = 8, d_v = 5; keys 0..4, 9 and 10 are padding, so rows "
                                "0..4 have no key to attend (zeros, logsumexp -inf)")
    store(c, Q, K, V)
    c.mask("valid", keep[None, :])
    out, lse = solve(Q, K, V, 1 / np.sqrt(8), causal=True, key_valid=keep, what="padded causal")
    assert (out[:5] == 0).all() and np.isneginf(lse[:5]).all() and np.isfinite(lse[5:]).all()
    c.f64("output", out), c.f64("lse", lse)

    long_case(g, 20000, 16, 2048)
    return g
