"""p23 kv_cache_gqa_decoding: grouped-query causal self-attention computed the long way, in torch float64:
repeat each KV head for its group of query heads (repeat_interleave, as HF repeat_kv), then run full causal
multi-head attention with a dense -inf mask. Cross-checked against a numpy loop over positions and query heads
written from the definition (query head q reads KV head q // (h/g), position i sees positions j <= i), and, where
h·d_h = d, against torch.nn.MultiheadAttention (bias=False, causal attn_mask) given the repeated Wk, Wv columns.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def torch_repeated_causal(X, P):
    """Repeat KV heads to h heads, then causal MHA over the whole sequence (torch, float64)."""
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    h, g = P["h"], P["g"]
    n, d_h = X.shape[0], P["Wq"].shape[1] // h
    Q = (t(X) @ t(P["Wq"])).view(n, h, d_h).transpose(0, 1)  # (h, n, d_h)
    K = (t(X) @ t(P["Wk"])).view(n, g, d_h).transpose(0, 1)  # (g, n, d_h)
    V = (t(X) @ t(P["Wv"])).view(n, g, d_h).transpose(0, 1)
    K, V = K.repeat_interleave(h // g, dim=0), V.repeat_interleave(h // g, dim=0)  # (h, n, d_h)
    S = Q @ K.transpose(1, 2) / np.sqrt(d_h)
    future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)
    A = torch.softmax(S.masked_fill(future, float("-inf")), dim=-1)
    concat = (A @ V).transpose(0, 1).reshape(n, h * d_h)
    return (concat @ t(P["Wo"])).numpy()


def numpy_loop(X, P):
    """The definition, one position and one query head at a time."""
    h, g = P["h"], P["g"]
    d_h, r = P["Wq"].shape[1] // h, h // g
    Q, K, V = X @ P["Wq"], X @ P["Wk"], X @ P["Wv"]
    concat = np.zeros((X.shape[0], h * d_h))
    for i in range(X.shape[0]):
        for q in range(h):
            kv = q // r
            qi = Q[i, q * d_h:(q + 1) * d_h]
            Kh, Vh = K[:i + 1, kv * d_h:(kv + 1) * d_h], V[:i + 1, kv * d_h:(kv + 1) * d_h]
            s = Kh @ qi / np.sqrt(d_h)
            w = np.exp(s - s.max())
            concat[i, q * d_h:(q + 1) * d_h] = (w / w.sum()) @ Vh
    return concat @ P["Wo"]


def torch_mha_repeated(X, P):
    """nn.MultiheadAttention with each KV head's Wk, Wv columns repeated for its query group (needs h·d_h = d)."""
    h, g = P["h"], P["g"]
    d, d_h = X.shape[1], P["Wq"].shape[1] // h
    rep = lambda W: np.repeat(W.reshape(d, g, d_h), h // g, axis=1).reshape(d, h * d_h)  # noqa: E731
    mha = torch.nn.MultiheadAttention(d, h, bias=False, batch_first=True, dtype=torch.float64).eval()
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    with torch.no_grad():
        mha.in_proj_weight.copy_(t(np.concatenate([P["Wq"].T, rep(P["Wk"]).T, rep(P["Wv"]).T])))
        mha.out_proj.weight.copy_(t(P["Wo"].T))
        n = X.shape[0]
        future = torch.triu(torch.ones(n, n, dtype=torch.bool), diagonal=1)  # torch: true = ignore
        out, _ = mha(t(X)[None], t(X)[None], t(X)[None], attn_mask=future, need_weights=False)
    return out[0].numpy()


def min_top_gap(X, P):
    """The smallest gap between the two largest visible scores of any (row, query head) with 2+ visible keys."""
    h, g = P["h"], P["g"]
    d_h, r = P["Wq"].shape[1] // h, h // g
    Q, K = X @ P["Wq"], X @ P["Wk"]
    gap = np.inf
    for i in range(1, X.shape[0]):
        for q in range(h):
            kv = q // r
            s = np.sort(K[:i + 1, kv * d_h:(kv + 1) * d_h] @ Q[i, q * d_h:(q + 1) * d_h] / np.sqrt(d_h))
            gap = min(gap, s[-1] - s[-2])
    return gap


def case(g, r, name, comment, n, d, h, kv, d_h, x_scale=1.0, min_gap=None):
    X = f32(r.standard_normal((n, d)) * x_scale)
    # weights ~ N(0, 1/d): scores are O(1), the softmax is not saturated
    P = {"Wq": f32(r.standard_normal((d, h * d_h)) / np.sqrt(d)),
         "Wk": f32(r.standard_normal((d, kv * d_h)) / np.sqrt(d)),
         "Wv": f32(r.standard_normal((d, kv * d_h)) / np.sqrt(d)),
         "Wo": f32(r.standard_normal((h * d_h, d)) / np.sqrt(h * d_h)), "h": h, "g": kv}
    if min_gap is not None:
        # scores far past float32 exp's range, and every softmax saturated: a float32 result that subtracts the
        # row max is one-hot where float64 is, so T2 holds
        Q = X @ P["Wq"]
        assert np.abs(Q).max() * np.abs(X @ P["Wk"]).max() > 88, f"{name}: scores are not large"
        gap = min_top_gap(X, P)
        assert gap > min_gap, f"{name}: the top two scores of some row are only {gap:g} apart"
    out = torch_repeated_causal(X, P)
    assert_agree(out, numpy_loop(X, P), f"{name}: repeated-KV torch vs numpy loop")
    if h * d_h == d:
        assert_agree(out, torch_mha_repeated(X, P), f"{name}: repeated-KV torch vs nn.MultiheadAttention")
    c = g.case(name, comment)
    c.f32("X", X)
    for w in ["Wq", "Wk", "Wv", "Wo"]:
        c.f32(w, P[w])
    c.scalar("n_heads", h, "int"), c.scalar("n_kv_heads", kv, "int")
    c.f64("output", out)


def generate():
    g = GoldenFile("p23", __file__, seed=2323)
    r = rng(2323)
    case(g, r, "gqa", "7 tokens, d = 16, 4 query heads share 2 KV heads (d_h = 4)", 7, 16, 4, 2, 4)
    case(g, r, "mqa", "6 tokens, d = 12, 3 query heads share 1 KV head (d_h = 4)", 6, 12, 3, 1, 4)
    case(g, r, "mha", "5 tokens, d = 8, n_kv_heads = n_heads = 2: plain causal MHA", 5, 8, 2, 2, 4)
    case(g, r, "rect", "5 tokens, d = 10, 4 query heads, 2 KV heads of d_h = 3: h·d_h = 12 != d", 5, 10, 4, 2, 3)
    case(g, r, "wide", "16 tokens, d = 32, 8 query heads, 2 KV heads (d_h = 4)", 16, 32, 8, 2, 4)
    case(g, r, "large", "6 tokens of size ~300, d = 8, 4 query heads, 2 KV heads (d_h = 2): scores ~1e4",
         6, 8, 4, 2, 2, x_scale=300.0, min_gap=50.0)
    return g
