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
        if M.shape[0] == 0:  # no memories: nothing to read, u passes through
            weights.append(np.zeros(0))
            continue
        s = M @ u
        m = s.max()
        p = np.exp(s - (m + np.log(np.exp(s - m).sum())))
        weights.append(p)
        u = u + p @ C
    return u, weights


def torch_hops(u, mem_in, mem_out):
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    u, weights = t(u), []
    for M, C in zip(mem_in, mem_out):
        if M.shape[0] == 0:
            weights.append(torch.zeros(0, dtype=torch.float64))
            continue
        p = torch.softmax(t(M) @ u, dim=0)
        weights.append(p)
        u = u + t(C).T @ p
    return u.numpy(), [w.numpy() for w in weights]


def hops(u, mem_in, mem_out, what):
    u_np, w_np = numpy_hops(u, mem_in, mem_out)
    u_t, w_t = torch_hops(u, mem_in, mem_out)
    assert_agree(u_np, u_t, f"{what} u_final numpy vs torch")
    for k, (a, b) in enumerate(zip(w_np, w_t)):
        assert_agree(a, b, f"{what} hop {k + 1} weights numpy vs torch")
    return u_np, w_np


def hop_case(g, name, comment, u, mem_in, mem_out):
    u_final, weights = hops(u, mem_in, mem_out, name)
    c = g.case(name, comment)
    c.scalar("K", len(mem_in), "int")
    c.f32("query", u[None, :])
    c.f32("mem_in", np.vstack(mem_in))    # (K n, d): hop k is rows [k n, (k+1) n)
    c.f32("mem_out", np.vstack(mem_out))
    c.f64("u_final", u_final[None, :])
    c.f64("weights", np.array(weights))  # (K, n): row k is p^(k+1)


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

    # u = 0 scores every memory 0: hop 1 is uniform and reads the mean of C^1; the later hops are not uniform
    u_final, weights = hops(np.zeros(12), E[:3], E[1:], "zero_query")
    assert_agree(weights[0], np.full(8, 1 / 8), "zero query: uniform first hop")
    c = g.case("zero_query", "three_hops' memories from u = 0")
    c.f64("u_final", u_final[None, :]), c.f64("weights", np.array(weights))

    Ws = W[[0, 4, 2, 3, 1, 5, 6, 7, 8]]
    enc_s = np.einsum("jk,jk->k", L, Ws)
    assert_agree(enc_s - enc, (L[1] - L[4]) * (W[4] - W[1]), "swap: change is (l_2 - l_5)(w_5 - w_2)")
    c = g.case("sentence_swapped", "sentence's words 2 and 5 swapped")
    c.f64("expected", enc_s[None, :])

    E5 = 2 * np.eye(5)
    c = g.case("sentence_eye", "words = 2 I (5 words, d = 5): word j sits on dimension j, reads 2 l_jj")
    c.f32("words", E5), c.f64("expected", np.einsum("jk,jk->k", position_encoding(5, 5), E5)[None, :])

    # n differs between hops, and hop 2 has no memories at all (o = 0, u passes through)
    d = 6
    mem_in = [f32(r.standard_normal((n, d)) * 0.5) for n in (5, 0, 4)]
    mem_out = [f32(r.standard_normal((n, d))) for n in (5, 0, 4)]
    u = f32(r.standard_normal(d))
    u_final, weights = hops(u, mem_in, mem_out, "gap")
    c = g.case("gap", "K = 3 hops with n = 5, 0, 4 memories, d = 6")
    c.f32("query", u[None, :])
    c.f32("mem_in_1", mem_in[0]), c.f32("mem_out_1", mem_out[0])
    c.f32("mem_in_3", mem_in[2]), c.f32("mem_out_3", mem_out[2])
    c.f64("u_final", u_final[None, :]), c.f64("weights_1", weights[0]), c.f64("weights_3", weights[2])
    return g
