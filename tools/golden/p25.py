"""p25 sinusoidal_and_alibi: sinusoidal position encodings (Vaswani 2017 3.5, interleaved sin/cos) and ALiBi
(Press, Smith, Lewis, ICLR 2022). PE from d2l's broadcast formula in torch float64, cross-checked against
per-element math.sin/math.cos with the frequency taken as exp(-(2i/d) ln base). Slopes from the official
get_slopes recursion, cross-checked against 2^(-8k/n). ALiBi attention as an explicit loop over (head, query,
key <= query) in numpy, cross-checked against a torch (heads, n, n) bias tensor filled with -inf above the diagonal.
"""
import math

import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def pe_torch(n, d, base):
    """d2l 11.6: X = p / base^(2i/d); even columns sin(X), odd columns cos(X)."""
    pos = torch.arange(n, dtype=torch.float64)[:, None]
    X = pos / torch.pow(torch.tensor(base, dtype=torch.float64), torch.arange(0, d, 2, dtype=torch.float64) / d)
    P = torch.zeros((n, d), dtype=torch.float64)
    P[:, 0::2], P[:, 1::2] = torch.sin(X), torch.cos(X)
    return P.numpy()


def pe_loop(n, d, base, rows):
    out = np.zeros((len(rows), d))
    for r, p in enumerate(rows):
        for i in range(d // 2):
            w = math.exp(-(2 * i / d) * math.log(base))
            out[r, 2 * i], out[r, 2 * i + 1] = math.sin(p * w), math.cos(p * w)
    return out


def get_slopes(n):
    """The official ALiBi recipe (ofirpress/attention_with_linear_biases), written from its definition."""
    def power_of_2(n):
        start = 2 ** (-2 ** -(math.log2(n) - 3))
        return [start * start ** i for i in range(n)]
    if math.log2(n).is_integer():
        return power_of_2(n)
    c = 2 ** math.floor(math.log2(n))
    return power_of_2(c) + get_slopes(2 * c)[0::2][:n - c]


def slopes_closed_form(n):
    """2^(-8k/c) for k = 1..c, then the odd-numbered slopes of 2c heads, 2^(-8(2k-1)/(2c)), for the rest."""
    c = 2 ** math.floor(math.log2(n))
    return [2.0 ** (-8 * k / c) for k in range(1, c + 1)] + [2.0 ** (-8 * (2 * k - 1) / (2 * c))
                                                          for k in range(1, n - c + 1)]


def alibi_loop(Q, K, V, H, slopes):
    """Per head, per query i: softmax over keys j <= i of s q.k - m (i - j), then sum of w_j v_j."""
    n = Q.shape[0]
    dk, dv = Q.shape[1] // H, V.shape[1] // H
    s = 1 / math.sqrt(dk)
    O = np.zeros((n, V.shape[1]))
    for h in range(H):
        q, k, v = Q[:, h * dk:(h + 1) * dk], K[:, h * dk:(h + 1) * dk], V[:, h * dv:(h + 1) * dv]
        for i in range(n):
            e = np.array([s * q[i] @ k[j] - slopes[h] * (i - j) for j in range(i + 1)])
            w = np.exp(e - e.max())
            O[i, h * dv:(h + 1) * dv] = (w / w.sum()) @ v[:i + 1]
    return O


def alibi_torch(Q, K, V, H, slopes):
    n = Q.shape[0]
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    q, k, v = (t(a).reshape(n, H, -1).transpose(0, 1) for a in (Q, K, V))  # (H, n, d)
    i, j = torch.arange(n)[:, None], torch.arange(n)[None, :]
    B = -t(slopes)[:, None, None] * (i - j).to(torch.float64)            # (H, n, n)
    B = B.masked_fill(j > i, float("-inf"))
    A = torch.softmax(q @ k.transpose(1, 2) / math.sqrt(q.shape[-1]) + B, dim=-1)
    return (A @ v).transpose(0, 1).reshape(n, -1).numpy()


def attention_case(g, r, name, comment, n, H, dk, dv, scale=1.0):
    Q, K = (f32(r.standard_normal((n, H * dk)) * scale) for _ in range(2))
    V = f32(r.standard_normal((n, H * dv)))
    slopes = f32(get_slopes(H))  # the float32 slopes the C++ side uses
    O = alibi_loop(Q, K, V, H, slopes)
    assert_agree(O, alibi_torch(Q, K, V, H, slopes), f"{name}: loop vs torch")
    c = g.case(name, comment)
    c.f32("Q", Q), c.f32("K", K), c.f32("V", V)
    c.scalar("n_heads", H, "int")
    c.f64("output", O)


def generate():
    g = GoldenFile("p25", __file__, seed=2525)
    r = rng(2525)

    # position encodings
    P = pe_torch(50, 16, 100.0)
    assert_agree(P, pe_loop(50, 16, 100.0, range(50)), "pe base 100: torch vs loop")
    g.case("pe_base100", "n = 50, d = 16, base 100").f64("expected", P)
    rows = [1, 1000, 2047, 3001, 4095]
    P = pe_torch(4096, 64, 10000.0)[rows]
    assert_agree(P, pe_loop(4096, 64, 10000.0, rows), "pe 4096: torch vs loop", tol=1e-11)
    c = g.case("pe_long", "rows 1, 1000, 2047, 3001, 4095 of the 4096 × 64 table, base 10000")
    c.f64("rows", np.array(rows, np.float64)), c.f64("expected", P)

    # slopes
    for n in (6, 12):
        s = get_slopes(n)
        assert_agree(s, slopes_closed_form(n), f"slopes {n}: get_slopes vs closed form")
        g.case(f"slopes{n}", f"get_slopes({n})").f64("expected", np.array(s))

    # attention
    attention_case(g, r, "attn4", "n = 7, 4 heads, d_h = 3, d_v = 2", 7, 4, 3, 2)
    attention_case(g, r, "attn6", "n = 9, 6 heads (not a power of 2), d_h = 4, d_v = 3", 9, 6, 4, 3)
    attention_case(g, r, "attn_large", "n = 6, 2 heads, d_h = 2, Q and K ~ N(0, 40²): scores far beyond 88",
                   6, 2, 2, 2, scale=40.0)

    # base cases of the property tests: each relation is checked only after these match
    rows = [0, 1, 2, 500, 1023]
    P = pe_torch(1024, 32, 10000.0)[rows]
    assert_agree(P, pe_loop(1024, 32, 10000.0, rows), "pe 1024: torch vs loop", tol=1e-11)
    c = g.case("pe_1024", "rows 0, 1, 2, 500, 1023 of the 1024 × 32 table, base 10000 (rotation property)")
    c.f64("rows", np.array(rows, np.float64)), c.f64("expected", P)
    rows = [0, 1, 50, 1999]
    P = pe_torch(2000, 32, 500.0)[rows]
    assert_agree(P, pe_loop(2000, 32, 500.0, rows), "pe base 500: torch vs loop", tol=1e-11)
    c = g.case("pe_base500", "rows 0, 1, 50, 1999 of the 2000 × 32 table, base 500 (unit circle)")
    c.f64("rows", np.array(rows, np.float64)), c.f64("expected", P)
    P = pe_torch(10, 8, 10000.0)
    assert_agree(P, pe_loop(10, 8, 10000.0, range(10)), "pe 10 x 8: torch vs loop")
    g.case("pe_short", "n = 10, d = 8, base 10000 (a longer table starts with it)").f64("expected", P)
    attention_case(g, r, "causal8", "n = 8, 2 heads, d_h = 3, d_v = 2 (future rows changed by the test)",
                   8, 2, 3, 2)
    attention_case(g, r, "heads3", "n = 6, 3 heads (not a power of 2), d_h = 3, d_v = 2 (head 1 changed by the test)",
                   6, 3, 3, 2)
    attention_case(g, r, "two", "n = 2, 2 heads, d_h = 2, d_v = 3: the smallest sequence beside n = 0", 2, 2, 2, 3)
    return g
