"""p09 fgfa_temporal_aggregation: per pixel p, c_t(p) = cos(E_t(p), E_r(p)) with each norm clamped at 1e-8,
w(p) = softmax over the T frames of c(p), aggregated(p) = sum_t w_t(p) F_t(p) (Zhu et al., ICCV 2017, FGFA's
adaptive weights; open-mmlab/mmtracking EmbedAggregator). Rows are frame-major: pixel p of frame t is row t·HW + p.
Golden values come from torch on (T, HW, C) tensors: torch.nn.functional.cosine_similarity(eps=1e-8), whose
clamp is per norm since pytorch/pytorch PR #31378 (as the installed torch 1.13 does), softmax over dim 0 and a
broadcast sum.
Cross-checked against a numpy loop over pixels and frames written from the definition on the flat rows.
"""
import numpy as np
import torch
import torch.nn.functional as F

from common import GoldenFile, assert_agree, f32, rng

EPS = 1e-8


def torch_fgfa(features, embeddings, T, ref):
    """(T·HW, C) rows viewed as (T, HW, C): cosine with the reference frame, softmax over frames, weighted sum."""
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    Fm = t(features).view(T, -1, features.shape[1])    # (T, HW, C)
    Em = t(embeddings).view(T, -1, embeddings.shape[1])  # (T, HW, C_e)
    cos = F.cosine_similarity(Em, Em[ref:ref + 1].expand_as(Em), dim=2, eps=EPS)  # (T, HW)
    w = torch.softmax(cos, dim=0)                        # (T, HW): each pixel's weights over frames
    agg = (w[:, :, None] * Fm).sum(dim=0)                # (HW, C)
    return agg.numpy(), w.T.contiguous().numpy(), cos.T.contiguous().numpy()


def numpy_loop(features, embeddings, T, ref):
    """The definition, one pixel and one frame at a time, on the flat frame-major rows."""
    HW = features.shape[0] // T
    agg = np.zeros((HW, features.shape[1]))
    weights = np.zeros((HW, T))
    for p in range(HW):
        e_ref = embeddings[ref * HW + p]
        cos = np.empty(T)
        for t in range(T):
            e_t = embeddings[t * HW + p]
            cos[t] = e_t @ e_ref / (max(np.sqrt(e_t @ e_t), EPS) * max(np.sqrt(e_ref @ e_ref), EPS))
        z = np.exp(cos - cos.max())
        weights[p] = z / z.sum()
        for t in range(T):
            agg[p] += weights[p, t] * features[t * HW + p]
    return agg, weights


def walk_embeddings(r, T, HW, C_e, steps, ref):
    """Embeddings of one scene seen in T frames: the reference frame's vectors plus noise that grows with the
    distance |t - ref| (steps[k] is the noise of distance k), then each vector scaled by its own factor in
    [1/3, 3], so that dot products and cosines rank the frames differently."""
    base = r.standard_normal((HW, C_e))
    E = np.empty((T, HW, C_e))
    for t in range(T):
        E[t] = base + steps[abs(t - ref)] * r.standard_normal((HW, C_e))
    E *= np.exp(r.uniform(np.log(1 / 3), np.log(3), size=(T, HW, 1)))
    return E.reshape(T * HW, C_e)


def dot_weights(embeddings, T, ref):
    """Softmax over frames of raw dot products E_t·E_r (the missing-normalisation mistake), (HW, T)."""
    Em = embeddings.reshape(T, -1, embeddings.shape[1])
    s = np.einsum("tpc,pc->pt", Em, Em[ref])
    z = np.exp(s - s.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def product_clamp_weights(embeddings, T, ref):
    """Cosines with max(|E_t| |E_r|, eps) (one clamp on the product: the spec's first formula), (HW, T)."""
    Em = embeddings.reshape(T, -1, embeddings.shape[1])
    n = np.linalg.norm(Em, axis=2)
    s = np.einsum("tpc,pc->pt", Em, Em[ref]) / np.maximum(n.T * n[ref][:, None], EPS)
    z = np.exp(s - s.max(axis=1, keepdims=True))
    return z / z.sum(axis=1, keepdims=True)


def check_ref_highest(weights, ref, what, margin=1e-4):
    others = np.delete(weights, ref, axis=1)
    gap = (weights[:, ref] - others.max(axis=1)).min()
    assert gap > margin, f"{what}: the reference frame leads some pixel by only {gap:g}"


def pixel_major(a, T):
    """The same rows read as if pixel-major (row p·T + t): the layout mistake, for discrimination checks."""
    HW = a.shape[0] // T
    return a.reshape(HW, T, -1).transpose(1, 0, 2).reshape(T * HW, -1)


def solve(name, features, embeddings, T, ref):
    agg, w, cos = torch_fgfa(features, embeddings, T, ref)
    n_agg, n_w = numpy_loop(features, embeddings, T, ref)
    assert_agree(w, n_w, f"{name}: weights torch vs numpy loop")
    assert_agree(agg, n_agg, f"{name}: aggregated torch vs numpy loop")
    # the frame-major rule must matter here: reading the rows pixel-major gives other weights
    if T > 1:
        _, w_pm, _ = torch_fgfa(pixel_major(features, T), pixel_major(embeddings, T), T, ref)
        assert np.abs(w_pm - w).max() > 1e-2, f"{name}: a pixel-major reading is not caught"
    return agg, w, cos


def write(g, name, comment, features, embeddings, T, ref, H, W, agg, w):
    c = g.case(name, comment)
    c.scalar("num_frames", T, "int"), c.scalar("ref_frame", ref, "int")
    c.scalar("H", H, "int"), c.scalar("W", W, "int")
    c.f32("features", features), c.f32("embeddings", embeddings)
    c.f64("weights", w), c.f64("aggregated", agg)
    return c


def generate():
    g = GoldenFile("p09", __file__, seed=909)
    r = rng(909)

    # random: 5 frames of a 3×4 map, reference in the middle
    T, H, W, C, C_e, ref = 5, 3, 4, 8, 6, 2
    features = f32(r.standard_normal((T * H * W, C)))
    embeddings = f32(walk_embeddings(r, T, H * W, C_e, [0.0, 0.5, 1.1], ref))
    agg, w, _ = solve("random", features, embeddings, T, ref)
    check_ref_highest(w, ref, "random")
    assert np.abs(dot_weights(embeddings, T, ref) - w).max() > 0.1, "random: dot products must give other weights"
    # the test scales embedding row i by 2^((7 i) mod 41 - 20), then every row by 2^-22: nothing may change, and a
    # clamp on the product of the norms (or an epsilon added to it) must show
    k = (7 * np.arange(embeddings.shape[0])) % 41 - 20
    for scaled in (embeddings * 2.0 ** k[:, None], embeddings * 2.0 ** -22):
        _, w_scaled, _ = torch_fgfa(features, scaled, T, ref)
        assert_agree(w_scaled, w, "random: power-of-two scaling", tol=1e-12)
        assert np.abs(product_clamp_weights(scaled, T, ref) - w).max() > 1e-2, "random: product clamp not caught"
    write(g, "random", "5 frames of a 3×4 map (HW = 12), C = 8, C_e = 6, reference frame 2", features, embeddings,
          T, ref, H, W, agg, w)

    # ends: the same clip with the reference first and last
    T, H, W, C, C_e = 4, 2, 3, 3, 5
    features = f32(r.standard_normal((T * H * W, C)))
    E = np.empty((T, H * W, C_e))
    E[0] = r.standard_normal((H * W, C_e))
    for t in range(1, T):  # a random walk: frames far apart differ most, whichever end is the reference
        E[t] = E[t - 1] + 0.7 * r.standard_normal((H * W, C_e))
    embeddings = f32(E.reshape(T * H * W, C_e))
    agg_first, w_first, _ = solve("ends first", features, embeddings, T, 0)
    agg_last, w_last, _ = solve("ends last", features, embeddings, T, T - 1)
    check_ref_highest(w_first, 0, "ends first"), check_ref_highest(w_last, T - 1, "ends last")
    assert np.abs(w_first - w_last).max() > 0.1, "ends: the two references must give different weights"
    c = g.case("ends", "4 frames of a 2×3 map, C = 3, C_e = 5: reference frame 0, then reference frame 3")
    c.scalar("num_frames", T, "int")
    c.f32("features", features), c.f32("embeddings", embeddings)
    c.f64("weights_first", w_first), c.f64("aggregated_first", agg_first)
    c.f64("weights_last", w_last), c.f64("aggregated_last", agg_last)

    # wide: FGFA's 21-frame window (K = 10 frames on each side), ReLU embeddings with three all-zero vectors
    T, H, W, C, C_e, ref = 21, 4, 4, 8, 16, 10
    features = f32(r.standard_normal((T * H * W, C)))
    E = walk_embeddings(r, T, H * W, C_e, np.linspace(0.0, 1.5, 11), ref)
    E = np.maximum(E + 0.3, 0.0)  # ReLU outputs: non-negative, cosines mostly positive
    for t, p in [(3, 5), (ref, 9), (20, 0)]:
        E[t * H * W + p] = 0.0
    embeddings = f32(E)
    agg, w, _ = solve("wide", features, embeddings, T, ref)
    assert np.allclose(w[9], 1 / T), "wide: pixel 9 (zero reference vector) must be uniform"
    write(g, "wide", "21 frames (K = 10) of a 4×4 map, C = 8, C_e = 16, reference 10; ReLU embeddings, 3 of them 0",
          features, embeddings, T, ref, H, W, agg, w)

    # zeros: zero and sub-epsilon embedding vectors next to ordinary ones; reference is the last frame
    T, H, W, C, C_e, ref = 3, 2, 3, 4, 4, 2
    HW = H * W
    features = f32(r.standard_normal((T * HW, C)))
    E = walk_embeddings(r, T, HW, C_e, [0.0, 0.6, 1.2], ref).reshape(T, HW, C_e)
    E[0, 0] = 0.0             # pixel 0: a zero vector in frame 0 -> cosine 0
    E[ref, 1] = 0.0           # pixel 1: a zero reference vector -> every cosine 0, weights 1/3
    E[:, 2] = 0.0             # pixel 2: zero in every frame -> weights 1/3
    E[1, 3] = E[ref, 3] * (1e-12 / np.linalg.norm(E[ref, 3]))  # pixel 3: parallel to the reference, norm 1e-12
    E[ref, 4] *= 3e-11 / np.linalg.norm(E[ref, 4])  # pixel 4: a reference vector of norm 3e-11
    embeddings = f32(E.reshape(T * HW, C_e))
    agg, w, cos = solve("zeros", features, embeddings, T, ref)
    assert np.allclose(w[1], 1 / 3) and np.allclose(w[2], 1 / 3), "zeros: pixels 1 and 2 must be uniform"
    assert abs(cos[3, 1]) < 1e-3, "zeros: the sub-epsilon vector of pixel 3 must count as (almost) zero"
    assert np.abs(cos[5]).min() > 0.05 and np.abs(w[5] - 1 / 3).max() > 0.02, "zeros: pixel 5 is ordinary"
    write(g, "zeros", "3 frames of a 2×3 map, C = C_e = 4, reference 2; zero or sub-1e-8 vectors at pixels 0-4",
          features, embeddings, T, ref, H, W, agg, w)
    return g
