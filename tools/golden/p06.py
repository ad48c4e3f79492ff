"""p06 rope_causal_self_attention: rotary position embedding (RoFormer, interleaved pairs) and causal
self-attention, written with complex numbers.

RoPE: row m of X as d/2 complex numbers z_i = x_{2i} + i x_{2i+1}, times e^{i m θ_i}, θ_i = base^(-2i/d).
Cross-check: torch, a dense block-diagonal 2×2 rotation matrix per position.
Attention scores: the relative form <R_m q, R_n k> = Re Σ_i q_i conj(k_i) e^{i (m-n) θ_i}, which never sees an
absolute position. Cross-check: rotate Q and K absolutely (with pos0), then torch softmax over a -inf causal mask.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def thetas(d, base):
    return np.float64(base) ** (-2.0 * np.arange(d // 2) / d)


def as_complex(X):
    return X[:, 0::2] + 1j * X[:, 1::2]


def as_real(Z):
    out = np.empty((Z.shape[0], 2 * Z.shape[1]))
    out[:, 0::2], out[:, 1::2] = Z.real, Z.imag
    return out


def rope_complex(X, pos0, base=10000.0):
    m = pos0 + np.arange(X.shape[0], dtype=np.float64)
    return as_real(as_complex(X) * np.exp(1j * np.outer(m, thetas(X.shape[1], base))))


def rope_torch_matrix(X, pos0, base=10000.0):
    """Each row times its own (d × d) block-diagonal rotation, built from explicit cos/sin entries."""
    n, d = X.shape
    out = torch.empty(n, d, dtype=torch.float64)
    th = torch.tensor(thetas(d, base), dtype=torch.float64)
    for row in range(n):
        a = (pos0 + row) * th
        R = torch.zeros(d, d, dtype=torch.float64)
        R[0::2, 0::2] = torch.diag(torch.cos(a))
        R[0::2, 1::2] = torch.diag(-torch.sin(a))
        R[1::2, 0::2] = torch.diag(torch.sin(a))
        R[1::2, 1::2] = torch.diag(torch.cos(a))
        out[row] = R @ torch.tensor(X[row], dtype=torch.float64)
    return out.numpy()


def causal_softmax(S):
    A = np.zeros_like(S)
    for t in range(S.shape[0]):
        e = np.exp(S[t, :t + 1] - S[t, :t + 1].max())
        A[t, :t + 1] = e / e.sum()
    return A


def attention_relative(X, Wq, Wk, Wv):
    """Scores from the relative form: only the row difference m - n enters."""
    Q, K, V = X @ Wq, X @ Wk, X @ Wv
    n, d = Q.shape
    qc, kc, th = as_complex(Q), as_complex(K), thetas(d, 10000.0)
    S = np.empty((n, n))
    for m in range(n):
        for k in range(n):
            S[m, k] = np.real(np.sum(qc[m] * np.conj(kc[k]) * np.exp(1j * (m - k) * th)))
    A = causal_softmax(S / np.sqrt(d))
    return A @ V, A


def attention_torch(X, Wq, Wk, Wv, pos0):
    Q, K = rope_torch_matrix(X @ Wq, pos0), rope_torch_matrix(X @ Wk, pos0)
    Qt, Kt, Vt = (torch.tensor(a, dtype=torch.float64) for a in (Q, K, X @ Wv))
    n, d = Q.shape
    S = (Qt @ Kt.T) / np.sqrt(d)
    S = S.masked_fill(torch.triu(torch.ones(n, n, dtype=torch.bool), 1), float("-inf"))
    A = torch.softmax(S, dim=-1)
    return (A @ Vt).numpy(), A.numpy()


def rope_case(g, r, name, n, d, pos0, base, comment):
    X = f32(r.standard_normal((n, d)))
    Y = rope_complex(X, pos0, base)
    assert_agree(Y, rope_torch_matrix(X, pos0, base), f"{name} complex vs rotation matrix", tol=1e-11)
    c = g.case(name, comment)
    # base as a double: common.py would write the float 10000 as "10000f", which is not valid C++
    c.f32("X", X), c.scalar("pos0", pos0, "int"), c.scalar("base", base), c.f64("expected", Y)


def attention_case(g, r, name, n, d_model, d, d_v, pos0, comment):
    X = f32(r.standard_normal((n, d_model)))
    Wq, Wk, Wv = (f32(r.standard_normal((d_model, cols)) / np.sqrt(d_model)) for cols in (d, d, d_v))
    out, A = attention_relative(X, Wq, Wk, Wv)
    t_out, t_A = attention_torch(X, Wq, Wk, Wv, pos0)
    # absolute angles near pos0 = 4096 carry ~1e-13 rounding in double: agreement to 1e-10 is the honest bound
    assert_agree(A, t_A, f"{name} weights relative vs absolute", tol=1e-10)
    assert_agree(out, t_out, f"{name} output relative vs absolute", tol=1e-10)
    c = g.case(name, comment)
    c.f32("X", X), c.f32("Wq", Wq), c.f32("Wk", Wk), c.f32("Wv", Wv), c.scalar("pos0", pos0, "int")
    c.f64("output", out), c.f64("weights", A)


def rope_rotate_half_torch(X, pos0, base=10000.0):
    """GPT-NeoX / HF layout: x cos + rotate_half(x) sin, pairs (i, i + d/2), cos and sin repeated over halves."""
    n, d = X.shape
    x = torch.tensor(X, dtype=torch.float64)
    angle = torch.outer(pos0 + torch.arange(n, dtype=torch.float64), torch.tensor(thetas(d, base)))
    cos, sin = torch.cat([angle.cos(), angle.cos()], 1), torch.cat([angle.sin(), angle.sin()], 1)
    half = torch.cat([-x[:, d // 2:], x[:, :d // 2]], 1)
    return (x * cos + half * sin).numpy()


def rope_dots_case(g, r, name, d, pairs, comment):
    """<R_m q, R_n k> from the relative form, which only sees m - n; cross-checked with absolute rotations."""
    q, k = f32(r.standard_normal((1, d))), f32(r.standard_normal((1, d)))
    th = thetas(d, 10000.0)
    dots = [np.real(np.sum(as_complex(q)[0] * np.conj(as_complex(k)[0]) * np.exp(1j * (m - n) * th)))
            for m, n in pairs]
    absolute = [float(rope_torch_matrix(q, m)[0] @ rope_torch_matrix(k, n)[0]) for m, n in pairs]
    assert_agree(dots, absolute, f"{name} relative vs absolute", tol=1e-9)
    c = g.case(name, comment)
    c.f32("q", q), c.f32("k", k)
    c.f64("m_n", np.array(pairs, dtype=np.float64)), c.f64("dots", np.array(dots))


def rope_permuted_case(g, r, name, n, d, pos0, comment):
    """Interleaved RoPE with columns permuted to [0, 2, 4, .., 1, 3, 5, ..] is rotate-half RoPE of X permuted."""
    X = f32(r.standard_normal((n, d)))
    perm = np.r_[0:d:2, 1:d:2]
    expected = rope_rotate_half_torch(X[:, perm], pos0)
    assert_agree(expected, rope_complex(X, pos0)[:, perm], f"{name} rotate-half vs interleaved", tol=1e-11)
    c = g.case(name, comment)
    c.f32("X", X), c.scalar("pos0", pos0, "int"), c.f64("expected_permuted", expected)


def worked_example(g):
    """README's worked example: tokens 0 and 1 are equal, only their distance tells them apart."""
    X, I = np.array([[1.0, 0.0], [1.0, 0.0], [0.0, 1.0]]), np.eye(2)
    out, A = attention_relative(X, I, I, I)
    t_out, t_A = attention_torch(X, I, I, I, 0)
    assert_agree(A, t_A, "worked example weights", tol=1e-12)
    assert_agree(out, t_out, "worked example output", tol=1e-12)
    c = g.case("worked_example", "README: X = [[1, 0], [1, 0], [0, 1]], Wq = Wk = Wv = I")
    c.f32("X", X), c.f32("W", I), c.f64("output", out), c.f64("weights", A)


def generate():
    g = GoldenFile("p06", __file__, seed=606)
    r = rng(606)
    rope_case(g, r, "rope_small", 5, 8, 0, 10000.0, "5 positions from 0, d = 8")
    rope_case(g, r, "rope_4096", 4, 64, 4096, 10000.0, "positions 4096..4099, d = 64")
    rope_case(g, r, "rope_100000", 3, 64, 100000, 10000.0, "positions 100000..100002, d = 64")
    rope_case(g, r, "rope_base", 4, 6, 3, 500.0, "positions 3..6, d = 6, base 500")
    attention_case(g, r, "attn_small", 6, 8, 4, 5, 0, "n = 6, d_model = 8, d = 4, d_v = 5, pos0 = 0")
    attention_case(g, r, "attn_pos", 5, 6, 8, 3, 4096, "n = 5, d_model = 6, d = 8, d_v = 3, pos0 = 4096")
    attention_case(g, r, "attn_wide", 32, 32, 16, 16, 0, "n = 32, d_model = 32, d = 16, d_v = 16")
    rope_case(g, r, "rope_777", 9, 16, 777, 10000.0, "positions 777..785, d = 16 (for the norm property)")
    rope_case(g, r, "rope_one", 1, 6, 7, 10000.0, "one row at position 7, d = 6")
    rope_dots_case(g, r, "rope_dots", 16, [(5, 2), (15, 12), (1007, 1004), (100003, 100000), (0, 7),
                                            (1000, 1007), (100000, 100007), (13, 13), (4109, 4109),
                                            (0, 3), (0, 0)],
                   "<R_m q, R_n k> for rows (m, n) of m_n; equal m - n gives equal dots")
    rope_permuted_case(g, r, "rope_perm", 6, 12, 41, "positions 41..46, d = 12, columns [0, 2, .., 1, 3, ..]")
    worked_example(g)
    return g
