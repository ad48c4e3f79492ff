"""p19 luong_global_local_attention: Luong et al. 2015, global attention with dot / general / concat scores,
the attentional state tanh([c_t, h_t] W_c), and local-p attention (softmax over the window times a Gaussian,
sigma = D/2, no renormalisation). numpy: an explicit loop over source positions, straight from the definitions.
torch: batched score formulas (F.bilinear for general), a -inf-masked softmax and the Gaussian taken from
torch.distributions.Normal; the two must agree to 1e-12 before anything is written.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from common import GoldenFile, assert_agree, f32, rng


# ---- numpy: the definition, one source position at a time ----

def np_score(kind, h, hs, W_a, v_a):
    if kind == "dot":
        return float(h @ hs)
    if kind == "general":
        return float(h @ W_a @ hs)
    return float(v_a @ np.tanh(np.concatenate([h, hs]) @ W_a))  # concat: [h_t, h̄_s] W_a


def np_luong(kind, h, src, W_a, v_a, W_c, local=None):
    """local = (W_p, v_p, D) for local-p, None for global. Returns h_tilde, context, weights, p_t."""
    S = src.shape[0]
    scores = np.array([np_score(kind, h, src[s], W_a, v_a) for s in range(S)])
    if local is None:
        inside, p_t, gauss = np.ones(S, bool), -1.0, np.ones(S)
    else:
        W_p, v_p, D = local
        p_t = (S - 1) / (1 + math.exp(-float(np.tanh(h @ W_p) @ v_p)))
        inside = np.array([abs(s - p_t) <= D for s in range(S)])
        sigma = D / 2
        gauss = np.array([math.exp(-(s - p_t) ** 2 / (2 * sigma ** 2)) for s in range(S)])
    a = np.zeros(S)
    e = np.exp(scores[inside] - scores[inside].max())
    a[inside] = e / e.sum() * gauss[inside]
    c = sum(a[s] * src[s] for s in range(S) if inside[s])
    h_tilde = np.tanh(np.concatenate([c, h]) @ W_c)
    return h_tilde, c, a, p_t


# ---- torch: batched ----

def torch_luong(kind, h, src, W_a, v_a, W_c, local=None):
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    h, src, W_c = t(h), t(src), t(W_c)
    S = src.shape[0]
    if kind == "dot":
        scores = torch.mv(src, h)
    elif kind == "general":
        scores = F.bilinear(h.expand(S, -1), src, t(W_a)[None])[:, 0]
    else:
        scores = torch.tanh(torch.cat([h.expand(S, -1), src], dim=1) @ t(W_a)) @ t(v_a)
    positions = torch.arange(S, dtype=torch.float64)
    if local is None:
        a, p_t = torch.softmax(scores, 0), -1.0
    else:
        W_p, v_p, D = local
        p_t = (S - 1) * torch.sigmoid(torch.tanh(h @ t(W_p)) @ t(v_p))
        inside = (positions - p_t).abs() <= D
        sigma = D / 2
        normal = torch.distributions.Normal(p_t, sigma)
        gauss = torch.exp(normal.log_prob(positions)) * sigma * math.sqrt(2 * math.pi)
        a = torch.softmax(scores.masked_fill(~inside, float("-inf")), 0) * gauss * inside
        p_t = float(p_t)
    c = a @ src
    return torch.tanh(torch.cat([c, h]) @ W_c).numpy(), c.numpy(), a.numpy(), p_t


def luong_case(g, r, name, comment, kind, S, n_t, n_s, d_out, a_dim=0, local=None, p_range=None):
    """local = (d_p, D); p_range = (lo, hi): redraw W_p, v_p until p_t lands there."""
    h = f32(r.standard_normal(n_t))
    src = f32(r.standard_normal((S, n_s)))
    W_a = v_a = np.zeros((0, 0))
    if kind == "general":
        W_a = f32(r.standard_normal((n_t, n_s)) / np.sqrt(n_t))
    elif kind == "concat":
        W_a = f32(r.standard_normal((n_t + n_s, a_dim)) / np.sqrt(n_t + n_s))
        v_a = f32(r.standard_normal(a_dim))
    W_c = f32(r.standard_normal((n_s + n_t, d_out)) / np.sqrt(n_s + n_t))
    loc = None
    if local is not None:
        d_p, D = local
        for _ in range(1000):
            W_p = f32(r.standard_normal((n_t, d_p)) / np.sqrt(n_t))
            v_p = f32(r.standard_normal(d_p) * 2)
            p_t = (S - 1) / (1 + math.exp(-float(np.tanh(h @ W_p) @ v_p)))
            frac = p_t - math.floor(p_t)
            # float32 p_t must select the same window as float64: keep p_t away from integers
            if p_range[0] <= p_t <= p_range[1] and 0.05 < frac < 0.95:
                break
        else:
            raise AssertionError(f"{name}: no p_t in {p_range}")
        loc = (W_p, v_p, D)
    got = np_luong(kind, h, src, W_a, v_a, W_c, loc)
    ref = torch_luong(kind, h, src, W_a, v_a, W_c, loc)
    for what, x, y in zip(["h_tilde", "context", "weights", "p_t"], got, ref):
        assert_agree(x, y, f"{name} {what} numpy vs torch")
    h_tilde, c, a, p_t = got
    c_ = g.case(name, comment)
    c_.f32("h_t", h[None, :]), c_.f32("src", src)
    if kind != "dot":
        c_.f32("W_a", W_a)
    if kind == "concat":
        c_.f32("v_a", v_a)
    c_.f32("W_c", W_c)
    if loc is not None:
        c_.f32("W_p", loc[0]), c_.f32("v_p", loc[1]), c_.scalar("D", loc[2], "int")
        c_.scalar("p_t", p_t)
    c_.f64("h_tilde", h_tilde[None, :]), c_.f64("context", c[None, :]), c_.f64("weights", a)


def generate():
    g = GoldenFile("p19", __file__, seed=1919)
    r = rng(1919)
    luong_case(g, r, "dot", "global, dot scores: S = 7, n = 6, d_out = 5", "dot", 7, 6, 6, 5)
    luong_case(g, r, "general", "global, general scores: S = 8, n_t = 5, n_s = 6, d_out = 4",
               "general", 8, 5, 6, 4)
    luong_case(g, r, "concat", "global, concat scores: S = 6, n_t = 4, n_s = 6, a = 7, d_out = 6",
               "concat", 6, 4, 6, 6, a_dim=7)
    luong_case(g, r, "local", "local-p, general scores: S = 20, n = 6, D = 3, window inside the source",
               "general", 20, 6, 6, 6, local=(5, 3), p_range=(5.0, 14.0))
    luong_case(g, r, "local_end", "local-p, concat scores: S = 12, D = 4, p_t within 2 of the end: clipped",
               "concat", 12, 5, 5, 5, a_dim=6, local=(4, 4), p_range=(9.0, 11.0))
    luong_case(g, r, "wide", "local-p, general scores: S = 48, n = 32, D = 8, d_out = 32",
               "general", 48, 32, 32, 32, local=(16, 8), p_range=(10.0, 37.0))
    luong_case(g, r, "local_dot", "local-p, dot scores: S = 10, n = 5, D = 2, d_out = 4",
               "dot", 10, 5, 5, 4, local=(3, 2), p_range=(2.5, 6.5))
    return g
