"""p18 bahdanau_additive_attention: e_ij = w_v . tanh(q_i W_q + k_j W_k), softmax over the first valid_len keys,
output = weights @ values (Bahdanau et al. 2015, appendix A.1.2; d2l 11.3.4). The definition as an explicit loop
over (query i, key j) in numpy, cross-checked against a broadcast (n_q, n_k, h) torch formulation with -inf masking.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def numpy_additive(Q, K, V, Wq, Wk, wv, valid_len):
    """One score per (i, j) with j < valid_len, straight from the definition; keys from valid_len on are never read."""
    n_q, n_k = Q.shape[0], K.shape[0]
    A = np.zeros((n_q, n_k))
    for i in range(n_q):
        e = np.array([wv @ np.tanh(Q[i] @ Wq + K[j] @ Wk) for j in range(valid_len)])
        if valid_len:
            z = np.exp(e - e.max())
            A[i, :valid_len] = z / z.sum()
    return A[:, :valid_len] @ V[:valid_len], A


def torch_additive(Q, K, V, Wq, Wk, wv, valid_len):
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    E = torch.tanh((t(Q) @ t(Wq))[:, None, :] + (t(K) @ t(Wk))[None, :, :]) @ t(wv)  # (n_q, n_k)
    keep = torch.arange(K.shape[0]) < valid_len
    A = torch.nan_to_num(torch.softmax(E.masked_fill(~keep, float("-inf")), dim=-1), nan=0.0)
    return (A @ t(V)).numpy(), A.numpy(), E.numpy()


def additive_case(g, r, name, comment, n_q, n_k, q, k, h, v, valid_len, wv_scale=1.0, proj_scale=None,
                  min_abs_score=None):
    Q, K, V = (f32(r.standard_normal(s)) for s in [(n_q, q), (n_k, k), (n_k, v)])
    # projections ~ N(0, 1/d_in) keep q W_q + k W_k at O(1), so tanh is neither linear nor saturated
    Wq = f32(r.standard_normal((q, h)) * (proj_scale or 1 / np.sqrt(q)))
    Wk = f32(r.standard_normal((k, h)) * (proj_scale or 1 / np.sqrt(k)))
    wv = f32(r.standard_normal(h) * wv_scale)
    O, A = numpy_additive(Q, K, V, Wq, Wk, wv, valid_len)
    t_O, t_A, E = torch_additive(Q, K, V, Wq, Wk, wv, valid_len)
    assert_agree(A, t_A, f"{name} weights numpy vs torch")
    assert_agree(O, t_O, f"{name} output numpy vs torch")
    if min_abs_score is not None:
        top = np.abs(E[:, :valid_len]).max()
        assert top > min_abs_score, f"{name}: largest |score| {top:g} is not above {min_abs_score}"
    c = g.case(name, comment)
    c.f32("queries", Q), c.f32("keys", K), c.f32("values", V)
    c.f32("W_q", Wq), c.f32("W_k", Wk), c.f32("w_v", wv)  # w_v is (h, 1): a column, converts to attn::Vec
    c.scalar("valid_len", valid_len, "int")
    c.f64("output", O), c.f64("weights", A)


def generate():
    g = GoldenFile("p18", __file__, seed=1818)
    r = rng(1818)
    additive_case(g, r, "random", "3 queries (q = 7) × 5 keys (k = 4), h = 6, every key valid",
                  3, 5, 7, 4, 6, 3, valid_len=5)
    additive_case(g, r, "masked", "4 queries × 8 keys, q = k = 6, h = 10; keys 5..7 are padding",
                  4, 8, 6, 6, 10, 5, valid_len=5)
    additive_case(g, r, "large", "w_v ~ N(0, 40²) and saturated tanh: |scores| beyond 88, where float32 exp overflows",
                  3, 6, 5, 5, 8, 4, valid_len=5, wv_scale=40.0, proj_scale=1.5, min_abs_score=88.0)
    additive_case(g, r, "wide", "16 queries (q = 32) × 32 keys (k = 24), h = 32; keys 27..31 are padding",
                  16, 32, 32, 24, 32, 16, valid_len=27)
    return g
