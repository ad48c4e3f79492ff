"""p29 timesformer_divided_attention: divided space-time attention (Bertasius, Wang, Torresani, ICML 2021) on
frame-major tokens, row t*N + p for frame t and patch p (p = h*W + w), single head, no CLS token, no LayerNorm:

    time step   X1[R_p] = X[R_p] + softmax(q k^T / sqrt(d_k)) v Wo     R_p = {t*N + p : t}  (one patch, all frames)
    space step  X2[F_t] = X1[F_t] + the same with the space weights      F_t = {t*N + p : p}  (one frame, all patches)
    joint       X + attention over all T*N rows

Formulation A (the golden values) is numpy on a (T, N, d) reshape with einsum: the time scores are
einsum('tnk,snk->nts') per patch, the space scores einsum('tnk,tmk->tnm') per frame. Formulation B is an explicit
loop over tokens, each listing the row indices of its keys in the flat (T*N, d) matrix. Formulation C is torch on
the official TimeSformer code's layout: tokens in '(h w t)' order (patch-major, time fastest), regrouped as the
code's einops rearrange does ('b (n t) m -> (b n) t m' for time, '-> (b t) n m' for space), and converted back to
frame-major rows; where d_k = d_v = d it runs torch.nn.MultiheadAttention (one head, no bias) instead of the
hand-written attention. A and B agree to 1e-12, C as well, before anything is written, and a plain float32
evaluation must land within half the T2 budget of the float64 result.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng

T2_RTOL, T2_ATOL = 1e-5, 1e-5


def draw_weights(r, d, d_k, d_v, gain=1.0):
    """Wq, Wk (d, d_k), Wv (d, d_v), Wo (d_v, d), ~ N(0, gain²/fan_in): scores O(gain²), a softmax that is neither
    uniform nor one-hot."""
    return {"Wq": f32(r.standard_normal((d, d_k)) * gain / np.sqrt(d)),
            "Wk": f32(r.standard_normal((d, d_k)) * gain / np.sqrt(d)),
            "Wv": f32(r.standard_normal((d, d_v)) / np.sqrt(d)),
            "Wo": f32(r.standard_normal((d_v, d)) / np.sqrt(d_v))}


def softmax(S):
    E = np.exp(S - S.max(axis=-1, keepdims=True))
    return E / E.sum(axis=-1, keepdims=True)


# ---- formulation A: (T, N, d) reshape and einsum ----

def project(Z, w):
    return (np.einsum("tnd,dk->tnk", Z, w["Wq"]), np.einsum("tnd,dk->tnk", Z, w["Wk"]),
            np.einsum("tnd,dv->tnv", Z, w["Wv"]))


def einsum_time(X, T, N, w):
    Z = X.reshape(T, N, -1)
    q, k, v = project(Z, w)
    A = softmax(np.einsum("tnk,snk->nts", q, k) / np.sqrt(q.shape[-1]))  # patch n, query frame t, key frame s
    out = np.einsum("nts,snv->tnv", A, v)
    return (Z + np.einsum("tnv,vd->tnd", out, w["Wo"])).reshape(T * N, -1)


def einsum_space(X, T, N, w):
    Z = X.reshape(T, N, -1)
    q, k, v = project(Z, w)
    A = softmax(np.einsum("tnk,tmk->tnm", q, k) / np.sqrt(q.shape[-1]))  # frame t, query patch n, key patch m
    out = np.einsum("tnm,tmv->tnv", A, v)
    return (Z + np.einsum("tnv,vd->tnd", out, w["Wo"])).reshape(T * N, -1)


def einsum_joint(X, w):
    return einsum_space(X, 1, X.shape[0], w)  # one "frame" that holds every token


def einsum_divided(X, T, N, wt, ws):
    return einsum_space(einsum_time(X, T, N, wt), T, N, ws)


# ---- formulation B: one token at a time, its keys listed by row index ----

def loop_attention(X, w, keys_of):
    out = X.copy()
    for i in range(X.shape[0]):
        rows = keys_of(i)
        q = X[i] @ w["Wq"]
        s = np.array([q @ (X[j] @ w["Wk"]) for j in rows]) / np.sqrt(w["Wq"].shape[1])
        e = np.exp(s - s.max())
        out[i] = X[i] + sum(a * (X[j] @ w["Wv"]) for a, j in zip(e / e.sum(), rows)) @ w["Wo"]
    return out


def loop_time(X, T, N, w):
    return loop_attention(X, w, lambda i: [t * N + i % N for t in range(T)])  # same patch, every frame


def loop_space(X, T, N, w):
    return loop_attention(X, w, lambda i: [(i // N) * N + p for p in range(N)])  # same frame, every patch


def loop_joint(X, w):
    return loop_attention(X, w, lambda i: list(range(X.shape[0])))


# ---- formulation C: torch on the official code's (h w t) token order ----

def t64(a):
    return torch.tensor(a, dtype=torch.float64)


def torch_attention(seqs, w):
    """x + Attn(x) for a batch of sequences (B, L, d); nn.MultiheadAttention when the weights are square."""
    x = t64(seqs)
    d, d_k, d_v = w["Wq"].shape[0], w["Wq"].shape[1], w["Wv"].shape[1]
    if d_k == d_v == d:
        mha = torch.nn.MultiheadAttention(d, 1, bias=False, batch_first=True, dtype=torch.float64).eval()
        with torch.no_grad():
            mha.in_proj_weight.copy_(t64(np.concatenate([w["Wq"].T, w["Wk"].T, w["Wv"].T])))
            mha.out_proj.weight.copy_(t64(w["Wo"].T))
            out, _ = mha(x, x, x, need_weights=False)
        return (x + out).numpy()
    q, k, v = x @ t64(w["Wq"]), x @ t64(w["Wk"]), x @ t64(w["Wv"])
    A = torch.softmax(q @ k.transpose(1, 2) / np.sqrt(d_k), dim=-1)
    return (x + (A @ v) @ t64(w["Wo"])).numpy()


def to_official(X, T, N):
    """Frame-major rows t*N + p -> the official '(h w t)' order, rows p*T + t."""
    return X.reshape(T, N, -1).transpose(1, 0, 2).reshape(N * T, -1)


def from_official(Y, T, N):
    return Y.reshape(N, T, -1).transpose(1, 0, 2).reshape(T * N, -1)


def official_time(X, T, N, w):
    xo = to_official(X, T, N)
    xt = torch_attention(xo.reshape(N, T, -1), w)  # 'b (h w t) m -> (b h w) t m'
    return from_official(xt.reshape(N * T, -1), T, N)


def official_space(X, T, N, w):
    xo = to_official(X, T, N)
    xs = xo.reshape(N, T, -1).transpose(1, 0, 2)  # 'b (h w t) m -> (b t) (h w) m'
    out = torch_attention(xs, w).transpose(1, 0, 2).reshape(N * T, -1)  # back to '(h w t)'
    return from_official(out, T, N)


def official_joint(X, w):
    return torch_attention(X[None], w)[0]


# ---- checks before writing ----

def float32_divided(X, T, N, wt, ws):
    """A plain float32 evaluation (row max subtracted), only to show the T2 budget is reachable."""
    s = np.float32

    def step(X, w, groups):
        X = X.astype(s)
        out = X.copy()
        for rows in groups:
            Z = X[rows]
            S = (Z @ w["Wq"].astype(s)) @ (Z @ w["Wk"].astype(s)).T / s(np.sqrt(w["Wq"].shape[1]))
            E = np.exp(S - S.max(axis=1, keepdims=True))
            out[rows] = Z + ((E / E.sum(axis=1, keepdims=True)) @ (Z @ w["Wv"].astype(s))) @ w["Wo"].astype(s)
        return out

    time_groups = [[t * N + p for t in range(T)] for p in range(N)]
    space_groups = [[t * N + p for p in range(N)] for t in range(T)]
    return step(step(X, wt, time_groups), ws, space_groups).astype(np.float64)


def within_half_t2(got, want, what):
    excess = np.abs(got - want) - 0.5 * (T2_ATOL + T2_RTOL * np.abs(want))
    assert excess.max() <= 0, f"{what}: float32 needs more than half the T2 budget"


def min_top_gap(X, T, N, w, step):
    """The smallest gap between the two largest scores of any query of a step ('time' or 'space')."""
    Z = X.reshape(T, N, -1)
    q, k, _ = project(Z, w)
    if step == "time":
        S = np.einsum("tnk,snk->nts", q, k)
    else:
        S = np.einsum("tnk,tmk->tnm", q, k)
    S = np.sort(S / np.sqrt(q.shape[-1]), axis=-1)
    return (S[..., -1] - S[..., -2]).min(), np.abs(S).max()


def evaluate(X, T, N, wt, ws, name):
    """All outputs of a case, each cross-checked: time step, space step (on X), divided, joint (space weights)."""
    out = {"time_out": einsum_time(X, T, N, wt), "space_out": einsum_space(X, T, N, ws),
           "divided": einsum_divided(X, T, N, wt, ws), "joint": einsum_joint(X, ws)}
    assert_agree(out["time_out"], loop_time(X, T, N, wt), f"{name}: time step, einsum vs loop")
    assert_agree(out["time_out"], official_time(X, T, N, wt), f"{name}: time step, einsum vs (h w t) torch")
    assert_agree(out["space_out"], loop_space(X, T, N, ws), f"{name}: space step, einsum vs loop")
    assert_agree(out["space_out"], official_space(X, T, N, ws), f"{name}: space step, einsum vs (h w t) torch")
    assert_agree(out["divided"], loop_space(loop_time(X, T, N, wt), T, N, ws), f"{name}: divided, einsum vs loop")
    assert_agree(out["divided"], official_space(official_time(X, T, N, wt), T, N, ws),
                 f"{name}: divided, einsum vs (h w t) torch")
    assert_agree(out["joint"], loop_joint(X, ws), f"{name}: joint, einsum vs loop")
    assert_agree(out["joint"], official_joint(X, ws), f"{name}: joint, einsum vs torch")
    within_half_t2(float32_divided(X, T, N, wt, ws), out["divided"], f"{name}: divided")
    return out


def write_weights(c, prefix, w):
    for k in ("Wq", "Wk", "Wv", "Wo"):
        c.f32(f"{prefix}_{k}", w[k])


def clip_case(g, r, name, comment, T, N, d, time_dims, space_dims, x_scale=1.0, gain=1.0, min_gap=None,
              outputs=("time_out", "space_out", "divided", "joint")):
    X = f32(r.standard_normal((T * N, d)) * x_scale)
    wt = draw_weights(r, d, *time_dims, gain=gain)
    ws = draw_weights(r, d, *space_dims, gain=gain)
    out = evaluate(X, T, N, wt, ws, name)
    if min_gap is not None:
        for step, X_in, w in (("time", X, wt), ("space", X, ws), ("space", out["time_out"], ws)):
            gap, top = min_top_gap(X_in, T, N, w, step)
            assert top > 88, f"{name}: the {step} scores are not large ({top:g})"
            assert gap > min_gap, f"{name}: the top two {step} scores of some query are only {gap:g} apart"
    c = g.case(name, f"{comment}; T = {T}, N = {N}, d = {d}, time (d_k, d_v) = {time_dims}, "
                     f"space (d_k, d_v) = {space_dims}")
    c.scalar("T", T, "int"), c.scalar("N", N, "int")
    c.f32("X", X)
    write_weights(c, "time", wt), write_weights(c, "space", ws)
    for k in outputs:
        c.f64(k, out[k])
    return c, X, wt, ws, out


def dependency_inputs(g, r, c, X, T, N, wt, ws, out):
    """Perturbed copies of the clip for the dependency tests: a whole patch, a whole frame, one token."""
    d = X.shape[1]
    patch, frame, token_t, token_p = 1, 2, 1, 1
    X_patch = X.copy()
    X_patch[[t * N + patch for t in range(T)]] = f32(r.standard_normal((T, d)))
    X_frame = X.copy()
    X_frame[frame * N:(frame + 1) * N] = f32(r.standard_normal((N, d)))
    X_token = X.copy()
    X_token[token_t * N + token_p] = f32(r.standard_normal(d) * 2)
    time_patch = einsum_time(X_patch, T, N, wt)
    assert_agree(time_patch, loop_time(X_patch, T, N, wt), "patch changed: time step, einsum vs loop")
    space_frame = einsum_space(X_frame, T, N, ws)
    assert_agree(space_frame, loop_space(X_frame, T, N, ws), "frame changed: space step, einsum vs loop")
    divided_token = einsum_divided(X_token, T, N, wt, ws)
    assert_agree(divided_token, loop_space(loop_time(X_token, T, N, wt), T, N, ws),
                 "token changed: divided, einsum vs loop")
    # what the tests rely on: the time step leaves the other patches alone and changes every row of the patch,
    # the space step likewise for frames, and divided attention moves every row
    others = [i for i in range(T * N) if i % N != patch]
    assert_agree(time_patch[others], out["time_out"][others], "time step: other patches untouched")
    assert np.abs(time_patch - out["time_out"])[[t * N + patch for t in range(T)]].max(axis=1).min() > 1e-2
    others = [i for i in range(T * N) if i // N != frame]
    assert_agree(space_frame[others], out["space_out"][others], "space step: other frames untouched")
    assert np.abs(space_frame - out["space_out"])[frame * N:(frame + 1) * N].max(axis=1).min() > 1e-2
    moved = np.abs(divided_token - out["divided"]).max(axis=1)
    assert moved.min() > 1e-2, f"divided: some row moves only {moved.min():g} when one token changes"
    c.scalar("changed_patch", patch, "int"), c.scalar("changed_frame", frame, "int")
    c.scalar("changed_token_t", token_t, "int"), c.scalar("changed_token_p", token_p, "int")
    c.f32("X_patch", X_patch), c.f64("time_patch", time_patch)
    c.f32("X_frame", X_frame), c.f64("space_frame", space_frame)
    c.f32("X_token", X_token), c.f64("divided_token", divided_token)


def check_tiling(X, T, N, wt, ws, out, reps_t, reps_p):
    """The long-clip test repeats the frames reps_t times and the patches reps_p times in every frame: duplicated
    keys do not change a softmax-weighted mean, so row (t, p) of the long clip is row (t % T, p % N) here."""
    Z = X.reshape(T, N, -1)
    big = np.tile(Z, (reps_t, reps_p, 1)).reshape(T * reps_t * N * reps_p, -1)
    got = einsum_divided(big, T * reps_t, N * reps_p, wt, ws).reshape(T * reps_t, N * reps_p, -1)
    want = np.tile(out["divided"].reshape(T, N, -1), (reps_t, reps_p, 1))
    assert_agree(got, want, "tiled clip = tiled golden")


def check_worked_examples():
    """The statement's hand-computed numbers (the tests hard-code them as the statement prints them)."""
    # (a) T = 2, N = 2, d = 1, Wq = 0: every score is 0, each step adds the mean of its group
    w = {"Wq": np.zeros((1, 1)), "Wk": np.ones((1, 1)), "Wv": np.ones((1, 1)), "Wo": np.ones((1, 1))}
    X = np.array([[1.0], [2.0], [3.0], [4.0]])
    assert_agree(einsum_time(X, 2, 2, w), [[3], [5], [5], [7]], "worked (a) time")
    assert_agree(einsum_divided(X, 2, 2, w, w), [[7], [9], [11], [13]], "worked (a) divided")
    assert_agree(einsum_joint(X, w), [[3.5], [4.5], [5.5], [6.5]], "worked (a) joint")
    # (b) T = 2, N = 1, d = 2, d_k = 1: Wq = Wk = [1 0]ᵀ, Wv = Wo = I
    w = {"Wq": np.array([[1.0], [0.0]]), "Wk": np.array([[1.0], [0.0]]), "Wv": np.eye(2), "Wo": np.eye(2)}
    X = np.array([[1.0, 0.0], [0.0, 2.0]])
    s = 1 / (1 + np.exp(-1.0))
    time = einsum_time(X, 2, 1, w)
    assert_agree(time, [[1 + s, 2 * (1 - s)], [0.5, 3.0]], "worked (b) time")
    assert_agree(einsum_divided(X, 2, 1, w, w), 2 * time, "worked (b) divided")
    assert_agree(einsum_joint(X, w), time, "worked (b) joint")
    assert abs(s - 0.7310586) < 5e-8 and abs(2 * (1 - s) - 0.5378828) < 5e-8


def generate():
    g = GoldenFile("p29", __file__, seed=2929)
    r = rng(2929)
    check_worked_examples()
    c, X, wt, ws, out = clip_case(
        g, r, "clip", "3 frames of 4 patches; the two steps have their own non-square weights; joint uses the "
        "space weights; X_patch, X_frame, X_token change patch 1, frame 2, token (t 1, p 1)",
        3, 4, 6, (3, 2), (4, 5), gain=1.5)
    dependency_inputs(g, r, c, X, 3, 4, wt, ws, out)
    check_tiling(X, 3, 4, wt, ws, out, reps_t=2, reps_p=3)  # the graded long clip repeats them 16 and 128 times
    clip_case(g, r, "square", "d_k = d_v = d: cross-checked with nn.MultiheadAttention (one head, no bias)",
              2, 3, 4, (4, 4), (4, 4), gain=1.5)
    clip_case(g, r, "single_frame", "T = 1: the time step attends to the token itself only", 1, 5, 4, (2, 3), (3, 4),
              gain=1.5, outputs=("time_out", "divided"))
    clip_case(g, r, "large", "inputs ×30: scores of several hundred, far past float32 exp's 88.7", 2, 3, 4,
              (4, 4), (2, 3), x_scale=30.0, min_gap=20.0)
    clip_case(g, r, "wide", "4 frames of 3×3 patches, d = 16", 4, 9, 16, (8, 8), (8, 12), gain=1.5,
              outputs=("divided", "joint"))
    return g
