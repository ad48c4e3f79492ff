"""p11 scan_stacked_cross_attention: SCAN text-to-image stacked cross attention (Lee et al., ECCV 2018) with the
paper's ReLU clip. torch float64 written as the official code's func_attention + xattn_score_t2i (kuanghuei/SCAN,
model.py), with F.relu in place of its LeakyReLU(0.1), F.cosine_similarity and torch.logsumexp; cross-checked
against a numpy version written from the definition one (region, word) pair at a time, with the cosine guard
max(|x||y|, 1e-8) spelled out. Each case also asserts that the mistakes it is meant to expose change its numbers.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

from common import GoldenFile, assert_agree, f32, rng

EPS = 1e-8


def torch_scan(R, E, lambda1, lambdas2, clip="relu", norm_dim=1):
    """The official code's t2i path (func_attention, xattn_score_t2i) for one image and one caption, float64.
    R (k, d) regions, E (n, d) words. clip: "relu" (paper) or "leaky" (official code); norm_dim 1 normalises
    each region's similarities over the words (the code), 0 over the regions (a mistake)."""
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    Rt, Et = t(R), t(E)
    S = F.cosine_similarity(Rt[:, None, :], Et[None, :, :], dim=-1, eps=EPS)  # (k, n)
    S = F.relu(S) if clip == "relu" else F.leaky_relu(S, 0.1)
    S = S / (S.pow(2).sum(dim=norm_dim, keepdim=True).sqrt() + EPS)
    alpha = torch.softmax(lambda1 * S, dim=0)  # over regions, one distribution per word
    attended = alpha.T @ Rt  # (n, d)
    rel = F.cosine_similarity(Et, attended, dim=1, eps=EPS)  # (n,)
    lse = [(torch.logsumexp(l2 * rel, dim=0) / l2).item() for l2 in lambdas2]
    return attended.numpy(), alpha.numpy(), rel.numpy(), lse, rel.mean().item()


def cos_guard(x, y):
    return float(x @ y) / max(math.sqrt(float(x @ x)) * math.sqrt(float(y @ y)), EPS)


def numpy_scan(R, E, lambda1, lambdas2):
    """The definition, pair by pair: s_ij = cos(r_i, e_j); s̄_ij = [s_ij]_+ / (sqrt(Σ_j' [s_ij']_+²) + 1e-8);
    alpha_ij = softmax over regions i of lambda1 s̄_ij; a_j = Σ_i alpha_ij r_i; R_j = cos(e_j, a_j);
    S_LSE = log(Σ_j exp(lambda2 R_j)) / lambda2 (as max + log Σ exp(lambda2 (R_j - max)) / lambda2, an identity);
    S_AVG = mean R_j."""
    k, n = R.shape[0], E.shape[0]
    s = np.array([[cos_guard(R[i], E[j]) for j in range(n)] for i in range(k)])
    clipped = np.maximum(s, 0.0)
    s_bar = np.zeros_like(s)
    for i in range(k):
        s_bar[i] = clipped[i] / (math.sqrt(sum(v * v for v in clipped[i])) + EPS)
    alpha = np.zeros((k, n))
    for j in range(n):
        z = [math.exp(lambda1 * (s_bar[i, j] - s_bar[:, j].max())) for i in range(k)]
        alpha[:, j] = np.array(z) / math.fsum(z)
    attended = np.array([sum(alpha[i, j] * R[i] for i in range(k)) for j in range(n)])
    rel = np.array([cos_guard(E[j], attended[j]) for j in range(n)])
    m = rel.max()
    lse = [m + math.log(math.fsum(math.exp(l2 * (x - m)) for x in rel)) / l2 for l2 in lambdas2]
    return attended, alpha, rel, lse, math.fsum(rel) / n


def differs(a, b, what, at_least=1e-3):
    gap = np.max(np.abs(np.asarray(a) - np.asarray(b)))
    assert gap > at_least, f"{what}: differs by only {gap:g}, the case cannot expose it"


def scan_case(g, name, comment, R, E, lambda1, lambda2, extra_lambdas2=(), expose=True):
    R, E = f32(R), f32(E)
    lambdas2 = [lambda2, *extra_lambdas2]
    A, alpha, rel, lse, avg = numpy_scan(R, E, lambda1, lambdas2)
    tA, talpha, trel, tlse, tavg = torch_scan(R, E, lambda1, lambdas2)
    assert_agree(A, tA, f"{name} attended numpy vs torch")
    assert_agree(alpha, talpha, f"{name} alpha numpy vs torch")
    assert_agree(rel, trel, f"{name} relevance numpy vs torch")
    assert_agree(lse, tlse, f"{name} S_LSE numpy vs torch")
    assert_agree(avg, tavg, f"{name} S_AVG numpy vs torch")
    if expose:  # the official code's LeakyReLU and a normalisation over regions must both change alpha here
        differs(alpha, torch_scan(R, E, lambda1, lambdas2, clip="leaky")[1], f"{name}: LeakyReLU(0.1)")
        differs(alpha, torch_scan(R, E, lambda1, lambdas2, norm_dim=0)[1], f"{name}: normalised over regions")
    c = g.case(name, comment)
    c.f32("regions", R), c.f32("words", E)
    c.scalar("lambda1", lambda1, "float"), c.scalar("lambda2", lambda2, "float")
    c.f64("attended", A), c.f64("alpha", alpha), c.f64("relevance", rel)
    c.scalar("s_lse", lse[0]), c.scalar("s_avg", avg)
    for l2, v in zip(extra_lambdas2, lse[1:]):
        tag = f"{l2:g}".replace("+", "").replace(".", "_")
        c.scalar(f"lambda2_{tag}", l2, "float"), c.scalar(f"s_lse_at_{tag}", v)
    return rel


def image_and_caption(r, k, n, d, matched):
    """k regions of varied norms and n words of varied norms; the first `matched` words are noisy copies of
    distinct regions (a word that names an object in the image), the rest are unrelated."""
    R = r.standard_normal((k, d)) * r.uniform(0.5, 3.0, (k, 1))
    E = r.standard_normal((n, d))
    picks = r.choice(k, size=matched, replace=False)
    E[:matched] = R[picks] / np.linalg.norm(R[picks], axis=1, keepdims=True) * np.sqrt(d) \
        + 0.6 * r.standard_normal((matched, d))
    E *= r.uniform(0.3, 2.0, (n, 1))
    return R, E


def generate():
    g = GoldenFile("p11", __file__, seed=1111)
    r = rng(1111)

    R, E = image_and_caption(r, 10, 7, 16, matched=4)
    scan_case(g, "flickr", "10 regions × 7 words, d = 16, the Flickr30K t-i LSE settings λ1 = 9, λ2 = 6; S_LSE "
              "also at λ2 = 1, 100 and 1e4", R, E, 9.0, 6.0, extra_lambdas2=(1.0, 100.0, 1e4))

    R, E = image_and_caption(r, 36, 12, 64, matched=6)
    rel = scan_case(g, "bottom_up", "36 regions (a bottom-up detector's count) × 12 words, d = 64; S_LSE also "
                    "at λ2 = 1e4", R, E, 9.0, 6.0, extra_lambdas2=(1e4,))
    assert np.log(12) / 1e4 < 1e-3

    # region 0 points away from every word: all its cosines are negative, so the ReLU clips its whole row to 0
    # and only the +1e-8 keeps s̄ = 0 / 0 from being NaN; LeakyReLU(0.1) would give it -0.1 s / |0.1 s| instead
    R, E = image_and_caption(r, 6, 5, 8, matched=3)
    R[0] = -2.0 * (E / np.linalg.norm(E, axis=1, keepdims=True)).sum(axis=0) + 0.05 * r.standard_normal(8)
    cos0 = (f32(E) @ f32(R[0])) / np.linalg.norm(f32(E), axis=1) / np.linalg.norm(f32(R[0]))
    assert (cos0 < -0.05).all(), f"region 0 must be unlike every word: {cos0}"
    scan_case(g, "clipped", "6 regions × 5 words, d = 8; region 0 has a negative cosine with every word", R, E,
              9.0, 6.0)

    # sharp: λ1 = 20 concentrates each word on its best region, λ2 = 100 pushes λ2 R past float32 exp's 88.7
    R, E = image_and_caption(r, 8, 6, 12, matched=5)
    E[:5] = R[r.choice(8, 5, replace=False)] * r.uniform(0.5, 2.0, (5, 1)) + 0.05 * r.standard_normal((5, 12))
    rel = scan_case(g, "sharp", "8 regions × 6 words, d = 12, λ1 = 20 and λ2 = 100: λ2 R_j exceeds 88.7, where "
                    "float32 exp overflows", R, E, 20.0, 100.0)
    assert 100.0 * rel.max() > 89.0, f"max R {rel.max()} does not overflow a naive float32 exp at λ2 = 100"

    R, E = image_and_caption(r, 6, 4, 8, matched=2)
    R[2] = 0.0
    scan_case(g, "zero_region", "6 regions × 4 words, d = 8; region 2 is the zero vector", R, E, 9.0, 6.0)

    R, E = image_and_caption(r, 6, 4, 8, matched=2)
    E[1] = 0.0
    rel = scan_case(g, "zero_word", "6 regions × 4 words, d = 8; word 1 is the zero vector", R, E, 9.0, 6.0)
    assert rel[1] == 0.0
    return g
