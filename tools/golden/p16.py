"""p16 attention_backward: gradients of the row softmax and of scaled dot-product attention.

Golden values come from torch.autograd in float64: the loss L = sum(O * dO) with O = softmax(Q Kᵀ / sqrt(d_k)
[causal]) V, backward(), and Q.grad, K.grad, V.grad (the scores' gradient dS through retain_grad). The softmax
alone uses torch's own backward kernel, torch._softmax_backward_data(dP, P, ...), the function autograd calls
for softmax, given the output P exactly as the C++ side sees it. Two independent cross-checks, asserted to 1e-12
before anything is written: a numpy chain rule through each row's full softmax Jacobian diag(p) - p pᵀ (no
D = Σ P∘dP shortcut), and complex-step derivatives Im L(x + i h) / h, h = 1e-30, of a numpy forward pass,
which are exact to rounding and use no derivative formula at all.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def t64(a):
    return torch.tensor(np.asarray(a), dtype=torch.float64)


def causal_keep(n_q, n_k):
    return np.tril(np.ones((n_q, n_k), dtype=bool))  # key j visible to query i when j <= i (top-left)


# ---- the softmax alone ----

def torch_softmax_backward(P, dP):
    return torch._softmax_backward_data(t64(dP), t64(P), -1, torch.float64).numpy()


def jacobian_softmax_backward(P, dP):
    """Row by row through the full Jacobian J = diag(p) - p pᵀ (symmetric): dX_i = J dP_i."""
    out = np.zeros_like(P)
    for i in range(P.shape[0]):
        p = P[i]
        out[i] = (np.diag(p) - np.outer(p, p)) @ dP[i]
    return out


def softmax_logits_autograd(X, keep, dP):
    """torch.autograd through a masked softmax of logits: the gradient the P-based backward stands for."""
    x = t64(X).requires_grad_()
    P = torch.nan_to_num(torch.softmax(x.masked_fill(~torch.tensor(keep), float("-inf")), -1), nan=0.0)
    (P * t64(dP)).sum().backward()
    return P.detach().numpy(), x.grad.numpy()


# ---- attention ----

def torch_attention_grads(Q, K, V, dO, causal):
    """torch.autograd of L = sum(O * dO), float64."""
    q, k, v = (t64(a).requires_grad_() for a in (Q, K, V))
    S = q @ k.T / np.sqrt(Q.shape[1])
    S.retain_grad()
    logits = S.masked_fill(~torch.tensor(causal_keep(*S.shape)), float("-inf")) if causal else S
    P = torch.softmax(logits, dim=-1)
    O = P @ v
    (O * t64(dO)).sum().backward()
    return {"dQ": q.grad.numpy(), "dK": k.grad.numpy(), "dV": v.grad.numpy(), "dS": S.grad.numpy(),
            "P": P.detach().numpy(), "O": O.detach().numpy(), "S": S.detach().numpy()}


def numpy_attention_grads(Q, K, V, dO, causal):
    """The chain rule by hand, one query row at a time, through each row's full softmax Jacobian."""
    s = 1 / np.sqrt(Q.shape[1])
    n_q, n_k = Q.shape[0], K.shape[0]
    dQ, dK, dV = np.zeros_like(Q), np.zeros_like(K), np.zeros_like(V)
    for i in range(n_q):
        visible = np.arange(i + 1 if causal else n_k)
        scores = s * K[visible] @ Q[i]
        p = np.exp(scores - scores.max())
        p /= p.sum()
        dV[visible] += np.outer(p, dO[i])          # O_i = Σ_j p_j V_j
        dp = V[visible] @ dO[i]                    # ∂L/∂p_j = dO_i · V_j
        dscores = (np.diag(p) - np.outer(p, p)) @ dp
        dQ[i] = s * dscores @ K[visible]           # scores_j = s Q_i · K_j
        dK[visible] += s * np.outer(dscores, Q[i])
    return {"dQ": dQ, "dK": dK, "dV": dV}


def complex_loss(Q, K, V, dO, causal):
    """L = sum(O * dO) in complex arithmetic; the shift by the row max uses real parts only (a constant)."""
    S = (Q @ K.T) / np.sqrt(Q.shape[1])
    if causal:
        S = np.where(causal_keep(*S.shape), S, -np.inf)
    S = S - S.real.max(axis=1, keepdims=True)
    E = np.where(np.isinf(S.real), 0, np.exp(np.where(np.isinf(S.real), 0, S)))
    P = E / E.sum(axis=1, keepdims=True)
    return np.sum((P @ V) * dO)


def complex_step_grads(Q, K, V, dO, causal, h=1e-30):
    """∂L/∂x = Im L(x + i h) / h: no subtraction, so exact to rounding whatever h (Squire & Trapp 1998)."""
    ins = [np.asarray(a, np.complex128) for a in (Q, K, V)]
    grads = []
    for which in range(3):
        g = np.zeros(ins[which].shape)
        for idx in np.ndindex(*g.shape):
            x = [a.copy() for a in ins]
            x[which][idx] += 1j * h
            g[idx] = complex_loss(*x, dO, causal).imag / h
        grads.append(g)
    return dict(zip(["dQ", "dK", "dV"], grads))


def attention_case(g, name, comment, Q, K, V, dO, causal, check=None):
    golden = torch_attention_grads(Q, K, V, dO, causal)
    by_hand = numpy_attention_grads(Q, K, V, dO, causal)
    stepped = complex_step_grads(Q, K, V, dO, causal)
    for key in ("dQ", "dK", "dV"):
        scale = max(1.0, np.abs(golden[key]).max())
        assert_agree(golden[key] / scale, by_hand[key] / scale, f"{name} {key}: autograd vs Jacobian chain rule")
        assert_agree(golden[key] / scale, stepped[key] / scale, f"{name} {key}: autograd vs complex step")
    if check:
        check(golden)
    c = g.case(name, comment)
    c.f32("Q", Q), c.f32("K", K), c.f32("V", V), c.f32("dO", dO)
    c.scalar("causal", int(causal), "int")
    c.f64("dQ", golden["dQ"]), c.f64("dK", golden["dK"]), c.f64("dV", golden["dV"])
    c.f64("P", golden["P"]), c.f64("dS", golden["dS"])


def softmax_case(g, name, comment, X, keep, dP):
    P_exact = np.zeros_like(X)
    for i in range(X.shape[0]):
        if keep[i].any():
            e = np.exp(X[i, keep[i]] - X[i, keep[i]].max())
            P_exact[i, keep[i]] = e / e.sum()
    P = f32(P_exact)  # the softmax output as the C++ side receives it: float32 values
    dS = torch_softmax_backward(P, dP)
    assert_agree(dS, jacobian_softmax_backward(P, dP), f"{name}: torch softmax backward vs full Jacobian")
    # the P-based formula is the gradient with respect to the logits (float32 P is 1e-7 off the exact softmax)
    P_auto, dX = softmax_logits_autograd(X, keep, dP)
    assert_agree(P_auto, P_exact, f"{name}: torch softmax vs numpy softmax")
    assert_agree(dS, dX, f"{name}: P-based backward vs autograd through the logits", tol=1e-6)
    assert np.all(dS[~keep] == 0), f"{name}: masked entries must be exactly 0"
    c = g.case(name, comment)
    c.f32("P", P), c.f32("dP", dP), c.mask("keep", keep)
    c.f64("dS", dS)


def top_gap(S, keep):
    gaps = []
    for i in range(S.shape[0]):
        row = np.sort(S[i, keep[i]])
        if row.size > 1:
            gaps.append(row[-1] - row[-2])
    return min(gaps)


def generate():
    g = GoldenFile("p16", __file__, seed=1616)
    r = rng(1616)

    X = f32(r.standard_normal((5, 7)) * 2.0)
    softmax_case(g, "softmax", "P = softmax of 5 rows of 7 logits (std 2), dP ~ N(0, 1)",
                 X, np.ones((5, 7), dtype=bool), f32(r.standard_normal((5, 7))))
    X = f32(r.standard_normal((6, 5)) * 2.0)
    keep = r.random((6, 5)) < 0.6
    keep[0] = False                # a fully masked row: P is all zero there
    keep[1] = [True, False, False, False, False]  # one visible entry: P = 1 there, dS = 0
    keep[2:, 2] = True             # every other row has at least one entry
    softmax_case(g, "masked", "P = masked softmax of 6×5 logits; row 0 fully masked, row 1 one visible entry",
                 X, keep, f32(r.standard_normal((6, 5))))

    def draw(n_q, n_k, d_k, d_v, qk_scale=1.0):
        return (f32(r.standard_normal((n_q, d_k)) * qk_scale), f32(r.standard_normal((n_k, d_k)) * qk_scale),
                f32(r.standard_normal((n_k, d_v))), f32(r.standard_normal((n_q, d_v))))

    attention_case(g, "sdpa", "n_q = 5, n_k = 6, d_k = 4, d_v = 3, no mask", *draw(5, 6, 4, 3), causal=False)
    attention_case(g, "causal", "n = 6, d_k = 4, d_v = 5, causal (key j visible to query i when j <= i)",
                   *draw(6, 6, 4, 5), causal=True)
    attention_case(g, "wide", "n_q = 24, n_k = 32, d_k = d_v = 16, Q and K of std 1.5 (scores of std ~2)",
                   *draw(24, 32, 16, 16, qk_scale=1.5), causal=False)

    # scores about +128 with O(1) differences: a constant last column c = 16 in Q and K adds s c² = 128 to every
    # score. The softmax is not saturated, but exp(128) overflows float32.
    Q, K, V, dO = draw(4, 5, 4, 3)
    Q[:, 3], K[:, 3] = 16.0, 16.0

    def large_scores(golden):
        assert golden["S"].min() > 100, "large: every score must be past float32 exp's overflow at 88.7"
        assert golden["P"].max() < 0.99, "large: the softmax must not be saturated"
    attention_case(g, "large", "n_q = 4, n_k = 5, d_k = 4 with a constant column 16 in Q and K: scores ~ +128",
                   Q, K, V, dO, causal=False, check=large_scores)

    # saturated: scores of order 1e4 with the top two of every row more than 50 apart, so float32 and float64
    # softmaxes are both one-hot; dV selects rows of dO, dQ and dK vanish (about 1e-20)
    Q, K, V, dO = draw(4, 6, 16, 3, qk_scale=70.0)

    def saturated(golden):
        S = golden["S"]
        assert np.abs(S).max() > 5e3, f"saturated: largest |score| {np.abs(S).max():g} is not ~1e4"
        gap = top_gap(S, np.ones(S.shape, dtype=bool))
        assert gap > 50, f"saturated: the top two scores of some row are only {gap:g} apart"
    attention_case(g, "saturated", "n_q = 4, n_k = 6, d_k = 16, Q and K of std 70: scores ~1e4, one-hot softmax",
                   Q, K, V, dO, causal=False, check=saturated)
    return g
