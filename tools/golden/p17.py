"""p17 afm_attentional_fm: Attentional Factorization Machine (Xiao et al., IJCAI 2017), one example.
e_ij = (v_i * v_j) x_i x_j for the pairs i < j of non-zero fields (the paper's R_x), a'_ij = h . ReLU(e_ij W + b),
a = softmax over those pairs, pooled = sum a_ij e_ij, y = w0 + w . x + p . pooled. Pairs are numbered in
lexicographic order (0,1), (0,2), ..., (1,2), ...; a pair with an absent field (x = 0) has weight 0.

The definition as an explicit per-pair loop in numpy, cross-checked against torch (torch.triu_indices for the pairs,
nn.Linear + F.relu for the attention network, a -inf masked softmax), and the sum of all interactions against
Rendle's O(mk) identity sum_{i<j} e_ij = 1/2 [(sum_i v_i x_i)^2 - sum_i (v_i x_i)^2].
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def numpy_loop(V, x, P):
    """Straight from the paper: visit (i, j) in lexicographic order, skip pairs with an absent field."""
    m = V.shape[0]
    pairs = [(i, j) for i in range(m) for j in range(i + 1, m)]
    weights = np.zeros(len(pairs))
    present = [q for q, (i, j) in enumerate(pairs) if x[i] != 0 and x[j] != 0]
    E = {q: V[pairs[q][0]] * V[pairs[q][1]] * x[pairs[q][0]] * x[pairs[q][1]] for q in present}
    scores = {q: P["h"] @ np.maximum(E[q] @ P["W"] + P["b"], 0.0) for q in present}
    pooled = np.zeros(V.shape[1])
    if present:
        top = max(scores.values())
        z = {q: np.exp(scores[q] - top) for q in present}
        total = sum(z.values())
        for q in present:
            weights[q] = z[q] / total
            pooled += weights[q] * E[q]
    y = P["w0"] + P["w"] @ x + P["p"] @ pooled
    return y, weights, pooled, np.array([scores[q] for q in present])


def torch_afm(V, x, P):
    t = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
    m, k = V.shape
    rows, cols = torch.triu_indices(m, m, offset=1)  # row-major upper triangle: (0,1), (0,2), ..., (1,2), ...
    Vx = t(V) * t(x)[:, None]
    E = Vx[rows] * Vx[cols]  # (P, k)
    att = torch.nn.Linear(k, P["W"].shape[1], dtype=torch.float64)
    with torch.no_grad():
        att.weight.copy_(t(P["W"]).T)  # nn.Linear stores (out, in)
        att.bias.copy_(t(P["b"]))
        scores = torch.nn.functional.relu(att(E)) @ t(P["h"])
    present = (t(x)[rows] != 0) & (t(x)[cols] != 0)
    a = torch.nan_to_num(torch.softmax(scores.masked_fill(~present, float("-inf")), dim=0), nan=0.0)
    pooled = a @ E
    y = P["w0"] + t(P["w"]) @ t(x) + t(P["p"]) @ pooled
    return float(y), a.numpy(), pooled.numpy()


def rendle_sum(V, x):
    """sum_{i<j} (v_i * v_j) x_i x_j in O(mk) (Rendle 2010, lemma 3.1), per embedding dimension."""
    Vx = V * x[:, None]
    return 0.5 * (Vx.sum(axis=0) ** 2 - (Vx ** 2).sum(axis=0))


def draw(r, m, k, t, absent, h_scale, w_scale):
    V = f32(r.standard_normal((m, k)))
    # real-valued fields of both signs, some exactly 1 (one-hot fields); absent fields are exactly 0
    x = f32(np.where(r.random(m) < 0.4, 1.0, r.choice([-1.0, 1.0], m) * r.uniform(0.5, 1.5, m)))
    x[list(absent)] = 0.0
    P = {"w0": float(np.float32(r.standard_normal())),
         "w": f32(r.standard_normal(m)),
         "W": f32(r.standard_normal((k, t)) * w_scale / np.sqrt(k)),
         "b": f32(r.standard_normal(t) * 0.5),
         "h": f32(r.standard_normal(t) * h_scale),
         "p": f32(r.standard_normal(k))}
    return V, x, P


def exercises_attention(V, x, P, A, scores, large):
    """ReLU clips some units but not all, the weights are far from uniform, and the logits are O(1) or, for the
    large case, beyond float32 exp's overflow at 88.7 with the two largest close enough that both weights count."""
    m = V.shape[0]
    pre = np.array([V[i] * V[j] * x[i] * x[j] @ P["W"] + P["b"] for i in range(m) for j in range(i + 1, m)
                    if x[i] != 0 and x[j] != 0])
    top = np.sort(scores)[::-1]
    ok = 0.15 < (pre < 0).mean() < 0.85 and A.max() > 2.0 / (A > 0).sum()
    if large:
        return ok and top[0] > 89.0 and top[0] - top[1] < 4.0
    return ok and np.abs(scores).max() < 20.0


def float32_excess(V, x, P, expected):
    """The largest error of a plain float32 evaluation (two association orders) as a fraction of the T1 budget:
    a case a correct float32 implementation could fail is not a fair test."""
    worst = 0.0
    for order in (0, 1):
        f = {key: np.float32(val) if np.ndim(val) == 0 else np.asarray(val, np.float32) for key, val in P.items()}
        V32, x32 = np.asarray(V, np.float32), np.asarray(x, np.float32)
        m = V.shape[0]
        pairs = [(i, j) for i in range(m) for j in range(i + 1, m) if x[i] != 0 and x[j] != 0]
        if order == 0:
            E = np.array([V32[i] * V32[j] * (x32[i] * x32[j]) for i, j in pairs], np.float32)
        else:
            E = np.array([(V32[i] * x32[i]) * (V32[j] * x32[j]) for i, j in pairs], np.float32)
        hidden = np.maximum(E @ f["W"] + f["b"], np.float32(0))
        logits = hidden @ f["h"] if order == 0 else (hidden * f["h"])[:, ::-1].sum(axis=1, dtype=np.float32)
        z = np.exp(logits - logits.max())
        a = z / z.sum()
        pooled = a @ E
        y = f["w0"] + f["w"] @ x32 + f["p"] @ pooled
        A = np.zeros(m * (m - 1) // 2, np.float32)
        A[[q for q, (i, j) in enumerate((i, j) for i in range(m) for j in range(i + 1, m))
           if x[i] != 0 and x[j] != 0]] = a
        for got, want in ((A, expected[1]), (pooled, expected[2]), (np.float32(y), expected[0])):
            err = np.abs(np.asarray(got, np.float64) - want) / (1e-5 + 1.3e-6 * np.abs(want))
            worst = max(worst, float(np.max(err)))
    return worst


def afm_case(g, r, name, comment, m, k, t, absent=(), h_scale=1.0, w_scale=1.0, large=False):
    for _ in range(200):  # redraw until the case exercises what it is for (deterministic: one seeded stream)
        V, x, P = draw(r, m, k, t, absent, h_scale, w_scale)
        y, A, pooled, scores = numpy_loop(V, x, P)
        if exercises_attention(V, x, P, A, scores, large) and float32_excess(V, x, P, (y, A, pooled)) < 0.25:
            break
    else:
        raise AssertionError(f"{name}: no draw exercises the attention network")
    t_y, t_A, t_pooled = torch_afm(V, x, P)
    assert_agree(y, t_y, f"{name} y numpy vs torch")
    assert_agree(A, t_A, f"{name} pair weights numpy vs torch")
    assert_agree(pooled, t_pooled, f"{name} pooled numpy vs torch")
    assert_agree(rendle_sum(V, x), sum(V[i] * V[j] * x[i] * x[j] for i in range(m) for j in range(i + 1, m)),
                 f"{name} Rendle's identity vs the pair sum")
    c = g.case(name, comment)
    c.f32("V", V), c.f32("x", x)  # x is (m, 1): a column, .col(0) is the attn::Vec
    c.scalar("w0", P["w0"], "float")
    c.f32("w", P["w"]), c.f32("W", P["W"]), c.f32("b", P["b"][None, :]), c.f32("h", P["h"]), c.f32("p", P["p"])
    c.f64("y", y), c.f64("pair_weights", A), c.f64("pooled", pooled[None, :])


def generate():
    g = GoldenFile("p17", __file__, seed=1717)
    r = rng(1717)
    afm_case(g, r, "random", "6 fields (k = 4), t = 5 attention units, real-valued x; every field present",
             6, 4, 5)
    afm_case(g, r, "absent", "7 fields (k = 4), t = 6; fields 2 and 5 are absent (x = 0): 10 of 21 pairs remain",
             7, 4, 6, absent=(2, 5))
    afm_case(g, r, "large", "5 fields (k = 4), t = 8, h ~ N(0, 40²): attention logits beyond 88, where float32 exp "
             "overflows", 5, 4, 8, h_scale=40.0, w_scale=2.0, large=True)
    afm_case(g, r, "wide", "12 fields (k = 8), t = 16: 66 pairs", 12, 8, 16)
    return g
