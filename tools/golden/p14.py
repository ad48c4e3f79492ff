"""p14 show_attend_tell_soft_attention: Show, Attend and Tell soft attention (Xu et al. 2015, §4.2 and the
authors' arctic-captions capgen.py). The primary formulation works on the conv feature map as PyTorch holds it,
NCHW (1, D, H, W): both projections of the annotations are 1×1 convolutions (torch.nn.functional.conv2d), the
softmax runs over the flattened H·W scores, α comes out as an (H, W) map, and the mean annotation is a mean over
dims (2, 3). The map is flattened to the set's (H·W × D) rows, row h·W + w, here in the generator only (the
learner never sees NCHW). Cross-checked against a numpy loop over the flattened locations written from the
definition; the penalty λ Σ_i (1 − Σ_t α_ti)² against an explicit double loop.
"""
import numpy as np
import torch
import torch.nn.functional as F

from common import GoldenFile, assert_agree, f32, rng

t = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731


def flatten_hwc(fmap):
    """(D, H, W) -> (H·W, D), row h·W + w: the set's rule, numpy's C-order reshape of the HWC array."""
    D = fmap.shape[0]
    return np.ascontiguousarray(fmap.transpose(1, 2, 0)).reshape(-1, D)


def torch_nchw(fmap, h_prev, P):
    """Soft attention on the NCHW map: returns alpha as an (H, W) map, beta, context (D,)."""
    x = t(fmap)[None]                                                  # (1, D, H, W)
    D, k = P["Wa"].shape
    bias = t(h_prev) @ t(P["Wh"]) + t(P["b"])                          # (k,): the state's term, same at every pixel
    pre = F.conv2d(x, t(P["Wa"]).T.reshape(k, D, 1, 1), bias=bias)    # (1, k, H, W) = a_i W_a + h W_h + b
    e = F.conv2d(torch.tanh(pre), t(P["v"]).reshape(1, k, 1, 1))      # (1, 1, H, W)
    H, W = fmap.shape[1:]
    alpha = torch.softmax(e.reshape(-1), dim=0).reshape(H, W)
    beta = torch.sigmoid(t(h_prev) @ t(P["w_beta"]) + P["b_beta"])
    context = beta * (x[0] * alpha[None]).sum(dim=(1, 2))             # (D,)
    return alpha.numpy(), float(beta), context.numpy()


def numpy_loop(A, h_prev, P):
    """The definition on the flattened rows, one location at a time."""
    L = A.shape[0]
    e = np.array([P["v"] @ np.tanh(A[i] @ P["Wa"] + h_prev @ P["Wh"] + P["b"]) for i in range(L)])
    if L:
        z = np.exp(e - e.max())
        alpha = z / z.sum()
    else:
        alpha = np.zeros(0)
    gate = h_prev @ P["w_beta"] + P["b_beta"]
    beta = 1.0 / (1.0 + np.exp(-gate)) if gate >= 0 else np.exp(gate) / (1.0 + np.exp(gate))
    context = np.zeros(A.shape[1])
    for i in range(L):
        context += alpha[i] * A[i]
    return alpha, beta, beta * context


def torch_init(fmap, W_init, b_init):
    return torch.tanh(F.linear(t(fmap).mean(dim=(1, 2)), t(W_init).T, t(b_init))).numpy()


def numpy_init(A, W_init, b_init):
    mean = np.zeros(A.shape[1])
    for i in range(A.shape[0]):
        mean += A[i]
    return np.tanh((mean / A.shape[0]) @ W_init + b_init)


def torch_penalty(alphas, lam):
    return float(lam * ((1.0 - t(alphas).sum(dim=0)) ** 2).sum())


def loop_penalty(alphas, lam):
    T, L = alphas.shape
    total = 0.0
    for i in range(L):
        column = 0.0
        for s in range(T):
            column += alphas[s, i]
        total += (1.0 - column) ** 2
    return lam * total


def draw_params(r, D, n, k, v_scale=1.0, proj_scale=1.0):
    return {"Wa": f32(r.standard_normal((D, k)) * proj_scale / np.sqrt(D)),
            "Wh": f32(r.standard_normal((n, k)) * proj_scale / np.sqrt(n)),
            "b": f32(r.standard_normal(k) * 0.1),
            "v": f32(r.standard_normal(k) * v_scale),
            "w_beta": f32(r.standard_normal(n) / np.sqrt(n)),
            "b_beta": float(np.float32(r.standard_normal() * 0.5))}


def attend(fmap, h_prev, P, name):
    """Both formulations, compared; returns the flattened alpha, the (H, W) map, beta and the context."""
    A = flatten_hwc(fmap)
    alpha_map, beta, context = torch_nchw(fmap, h_prev, P)
    alpha, n_beta, n_context = numpy_loop(A, h_prev, P)
    assert_agree(alpha_map.reshape(-1), alpha, f"{name} alpha NCHW vs loop")
    assert_agree(beta, n_beta, f"{name} beta")
    assert_agree(context, n_context, f"{name} context NCHW vs loop")
    return alpha, alpha_map, beta, context


def store_params(c, P):
    c.f32("Wa", P["Wa"]), c.f32("Wh", P["Wh"]), c.f32("b", P["b"][None]), c.f32("v", P["v"])
    c.f32("w_beta", P["w_beta"]), c.scalar("b_beta", P["b_beta"], "float")


def store_init(c, fmap, W_init, b_init):
    h0 = torch_init(fmap, W_init, b_init)
    assert_agree(h0, numpy_init(flatten_hwc(fmap), W_init, b_init), "initial state NCHW vs loop")
    c.f32("W_init", W_init), c.f32("b_init", b_init[None]), c.f64("h0", h0[None])
    return h0


def worked(g):
    """The statement's worked example: a 2×2 map, D = 2, n = 1, k = 1."""
    A = np.array([[1, 0], [0, 1], [1, 1], [0, 0]], dtype=np.float64)   # rows (0,0) (0,1) (1,0) (1,1)
    fmap = A.reshape(2, 2, 2).transpose(2, 0, 1)                         # back to (D, H, W)
    P = {"Wa": np.array([[1.0], [2.0]]), "Wh": np.array([[-1.0]]), "b": np.array([0.0]), "v": np.array([2.0]),
         "w_beta": np.array([0.5]), "b_beta": 0.0}
    h_prev = np.array([1.0])
    alpha, alpha_map, beta, context = attend(fmap, h_prev, P, "worked")
    c = g.case("worked", "the statement's example: a 2×2 map, D = 2, n = 1, k = 1")
    c.f32("annotations", A), c.f32("h_prev", h_prev[None])
    store_params(c, P)
    c.f64("alpha", alpha), c.f64("alpha_map", alpha_map), c.scalar("beta", beta), c.f64("context", context[None])
    store_init(c, fmap, np.array([[2.0, 0.0], [0.0, -1.0]]), np.array([0.0, 0.5]))


def random_case(g, r, name, comment, H, W, D, n, k):
    """A random map and parameters; h_0 from the initial-state MLP, and the first step attends with f32(h_0)."""
    fmap = f32(r.standard_normal((D, H, W)))
    P = draw_params(r, D, n, k)
    W_init = f32(r.standard_normal((D, n)) / np.sqrt(D))
    b_init = f32(r.standard_normal(n) * 0.1)
    store_step(g.case(name, comment), fmap, P, W_init, b_init)


def store_step(c, fmap, P, W_init, b_init):
    c.f32("annotations", flatten_hwc(fmap))
    h_prev = f32(store_init(c, fmap, W_init, b_init))
    alpha, alpha_map, beta, context = attend(fmap, h_prev, P, c.name)
    c.f32("h_prev", h_prev[None])
    store_params(c, P)
    c.f64("alpha", alpha), c.f64("alpha_map", alpha_map), c.scalar("beta", beta), c.f64("context", context[None])
    c.scalar("height", fmap.shape[1], "int"), c.scalar("width", fmap.shape[2], "int")


def saturated_case(g, r):
    """Every score above 88 (float32 exp overflows) yet α spread over several locations: annotations close to a
    common vector, v ~ N(0, 40²); the gate logit is 95, so β rounds to 1 in float32 and exp(95) overflows."""
    H, W, D, n, k = 2, 4, 6, 3, 8
    while True:
        fmap = f32(2.0 * r.standard_normal((D, 1, 1)) + 0.25 * r.standard_normal((D, H, W)))
        P = draw_params(r, D, n, k, v_scale=40.0)
        P["b_beta"] = 95.0
        W_init = f32(r.standard_normal((D, n)) / np.sqrt(D))
        b_init = f32(r.standard_normal(n) * 0.1)
        h_prev = f32(torch_init(fmap, W_init, b_init))
        scores = np.tanh(flatten_hwc(fmap) @ P["Wa"] + h_prev @ P["Wh"] + P["b"]) @ P["v"]
        alpha = np.exp(scores - scores.max()) / np.exp(scores - scores.max()).sum()
        gate = h_prev @ P["w_beta"] + P["b_beta"]
        if scores.min() > 88 and np.sort(alpha)[-2] > 0.05 and gate > 89:
            break
    store_step(g.case("saturated", "a 2×4 map whose every score exceeds 88, α still spread; gate logit 95, β = 1"),
               fmap, P, W_init, b_init)


def sequence_case(g, r):
    """T decoding steps over one 2×3 map: h_prev rows given, alphas stacked, the penalty of the stack."""
    H, W, D, n, k, T, lam = 2, 3, 4, 5, 6, 5, 0.5
    fmap = f32(r.standard_normal((D, H, W)))
    P = draw_params(r, D, n, k, v_scale=2.0, proj_scale=1.5)
    states = f32(r.standard_normal((T, n)))
    alphas, betas, contexts = np.zeros((T, H * W)), np.zeros(T), np.zeros((T, D))
    for s in range(T):
        alphas[s], _, betas[s], contexts[s] = attend(fmap, states[s], P, f"sequence step {s}")
    penalty = torch_penalty(alphas, lam)
    assert_agree(penalty, loop_penalty(alphas, lam), "sequence penalty torch vs loop")
    c = g.case("sequence", f"{T} decoding steps over a 2×3 map (L = 6): row t of states is h_(t-1); λ = {lam}")
    c.f32("annotations", flatten_hwc(fmap)), c.f32("states", states)
    store_params(c, P)
    c.scalar("lambda", lam, "float")
    c.f64("alphas", alphas), c.f64("betas", betas), c.f64("contexts", contexts), c.scalar("penalty", penalty)


def penalty_case(g, r):
    """Penalty of given float32 alpha rows (softmax rows of random logits), T = 7 steps over L = 12 locations."""
    T, L, lam = 7, 12, float(np.float32(0.3))
    logits = r.standard_normal((T, L)) * 2.0
    alphas = f32(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True))
    penalty = torch_penalty(alphas, lam)
    assert_agree(penalty, loop_penalty(alphas, lam), "penalty torch vs loop")
    c = g.case("penalty", f"λ Σ_i (1 − Σ_t α_ti)² for T = {T} softmax rows over L = {L}, λ = float32(0.3)")
    c.f32("alphas", alphas), c.scalar("lambda", lam, "float"), c.scalar("penalty", penalty)


def generate():
    g = GoldenFile("p14", __file__, seed=1414)
    r = rng(1414)
    worked(g)
    random_case(g, r, "random", "a 2×3 map (L = 6), D = 5, n = 4, k = 3; h_prev = f32(h0)", 2, 3, 5, 4, 3)
    random_case(g, r, "grid", "a 7×7 map (L = 49), D = 32, n = 16, k = 24; h_prev = f32(h0)", 7, 7, 32, 16, 24)
    saturated_case(g, r)
    sequence_case(g, r)
    penalty_case(g, r)
    return g
