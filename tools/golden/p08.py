"""p08 memn2n_multihop: MemN2N position encoding l_kj = (1 - j/J) - (k/d)(1 - 2j/J), 1-based (Sukhbaatar et al.
2015, section 4.1), sentence vectors sum_j l_j * w_j, and hops p = softmax(M u), o = C^T p, u <- u + o.
The encoding is written in its factored form 1/2 (1 + (1 - 2j/J)(1 - 2k/d)) as an outer product and checked
against the paper's formula entry by entry; hops use numpy with an explicit log-sum-exp, cross-checked against
torch.softmax in float64.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def pe_factored(J, d):
    """(J, d): row j-1 holds l_{1..d, j}; 1/2 (1 + a_j b_k) with a_j = 1 - 2j/J, b_k = 1 - 2k/d."""
    a = 1 - 2 * np.arange(1, J + 1) / J
    b = 1 - 2 * np.arange(1, d + 1) / d
    return 0.5 * (1 + np.outer(a, b))


def pe_paper(J, d):
    L = np.zeros((J, d))
    for j in range(1, J + 1):
        for k in range(1, d + 1):
            L[j - 1, k - 1] = (1 - j / J) - (k / d) * (1 - 2 * j / J)
    return L


def position_encoding(J, d):
    L = pe_factored(J, d)
    assert_agree(L, pe_paper(J, d), f"PE J={J} d={d}: factored vs paper", tol=1e-15)
    return L


def numpy_hops(u, mem_in, mem_out):
    """u (d,), lists of (n, d); returns u_final and the (K, n) hop weights. Softmax as exp(s - logsumexp(s))."""
    weights = []
    for M, C in zip(mem_in, mem_out):
        s = M @ u
        m = s.max()
        p = np.exp(s - (m + np.log(np.exp(s - m).sum())))
        weights.append(p)
        u = u + p @ C
    return u, np.array(weights)


def torch_hops(u, mem_in, mem_out):
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    u, weights = t(u), []
    for M, C in zip(mem_in, mem_out):
        p = torch.softmax(t(M) @ u, dim=0)
        weights.append(p)
        u = u + t(C).T @ p
    return u.numpy(), torch.stack(weights).numpy()


def hops(u, mem_in, mem_out, what):
    u_np, w_np = numpy_hops(u, mem_in, mem_out)
    u_t, w_t = torch_hops(u, mem_in, mem_out)
    assert_agree(u_np, u_t, f"{what} u_final numpy vs torch")
    assert_agree(w_np, w_t, f"{what} weights numpy vs torch")
    return u_np, w_np


def hop_case(g, name, comment, u, mem_in, mem_out):
    u_final, weights = hops(u, mem_in, mem_out, name)
    c = g.case(name, comment)
    c.scalar("K", len(mem_in), "int")
    c.f32("query", u[None, :])
    c.f32("mem_in", np.vstack(mem_in))    # (K n, d): hop k is rows [k n, (k+1) n)
    c.f32("mem_out", np.vstack(mem_out))
    c.f64("u_final", u_final[None, :])
    c.f64("weights", weights)            # (K, n): row k is p^(k+1)


def generate():
    g = GoldenFile("p08", __file__, seed=808)
    r = rng(808)

    # the paper's table for J = 3, d = 4, quoted in the statement and hard-coded in the tests
    table = [[0.5833333, 0.5, 0.4166667, 0.3333333], [0.4166667, 0.5, 0.5833333, 0.6666667], [0.25, 0.5, 0.75, 1.0]]
    assert_agree(position_encoding(3, 4), table, "PE J=3 d=4 vs the statement's table", tol=5e-8)

    c = g.case("pe", "position encoding for J = 7 words, d = 10 dimensions")
    c.scalar("J", 7, "int"), c.scalar("d", 10, "int"), c.f64("expected", position_encoding(7, 10))

    W = f32(r.standard_normal((9, 6)))
    L = position_encoding(9, 6)
    enc = np.einsum("jk,jk->k", L, W)
    assert_agree(enc, (torch.tensor(L) * torch.tensor(W)).sum(dim=0).numpy(), "sentence einsum vs torch")
    c = g.case("sentence", "a 9-word sentence, d = 6")
    c.f32("words", W), c.f64("expected", enc[None, :])

    d, n = 6, 5
    u, M, C = f32(r.standard_normal(d)), f32(r.standard_normal((n, d)) * 0.6), f32(r.standard_normal((n, d)))
    hop_case(g, "one_hop", "one hop: n = 5 memories, d = 6", u, [M], [C])

    # adjacent weight tying (paper section 2.2): the output memory of hop k is the input memory of hop k+1
    d, n, K = 12, 8, 3
    E = [f32(r.standard_normal((n, d)) * 0.4) for _ in range(K + 1)]
    u = f32(r.standard_normal(d) * 0.5)
    hop_case(g, "three_hops", "K = 3 hops, n = 8, d = 12, adjacent tying: mem_in[k+1] == mem_out[k]", u, E[:K], E[1:])

    d, n, K = 16, 12, 6
    mem_in = [f32(r.standard_normal((n, d)) * 0.3) for _ in range(K)]
    mem_out = [f32(r.standard_normal((n, d)) * 0.3) for _ in range(K)]
    u = f32(r.standard_normal(d) * 0.5)
    hop_case(g, "six_hops", "K = 6 untied hops, n = 12, d = 16", u, mem_in, mem_out)
    return g
