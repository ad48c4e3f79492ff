"""p30 attentive_statistics_pooling: attentive statistics pooling (Okabe et al. 2018) with SpeechBrain's centred
variance and 1e-12 clamp. Torch float64 in SpeechBrain's form (scores over all T frames with the padding masked to
-inf, mean = (alpha * x).sum, std = sqrt((alpha * (x - mean)^2).sum.clamp(1e-12))), cross-checked against numpy
written from the definition: a loop over the valid frames for the scores, np.average and np.cov(aweights=alpha,
bias=True) for the weighted mean and population variance.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng

EPS = 1e-12  # the variance clamp: sigma >= 1e-6


def torch_asp(H, W, b, v, k, valid_len):
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    x = t(H)
    scores = torch.tanh(torch.nn.functional.linear(x, t(W.T), t(b))) @ t(v) + k  # (T,)
    valid = torch.arange(H.shape[0]) < valid_len
    alpha = torch.softmax(scores.masked_fill(~valid, float("-inf")), dim=0)  # padded frames: exactly 0
    m = alpha[:, None]
    mean = (m * x).sum(0)
    std = torch.sqrt((m * (x - mean) ** 2).sum(0).clamp(EPS))
    return torch.cat([mean, std]).numpy(), alpha.numpy(), scores[:valid_len].numpy()


def numpy_asp(H, W, b, v, k, valid_len):
    T, d = H.shape
    alpha = np.zeros(T)
    e = np.array([v @ np.tanh(H[t] @ W + b) + k for t in range(valid_len)])
    p = np.exp(e - e.max())
    alpha[:valid_len] = p / p.sum()
    Hv, a = H[:valid_len], alpha[:valid_len]
    mean = np.average(Hv, axis=0, weights=a)
    var = np.diag(np.atleast_2d(np.cov(Hv.T, aweights=a, bias=True))) if valid_len > 1 else np.zeros(d)
    return np.concatenate([mean, np.sqrt(np.maximum(var, EPS))]), alpha


def one_pass_float32(H, alpha, valid_len):
    """The trap, for the generator's own assertion: sigma^2 = sum alpha h^2 - mu^2, accumulated in float32."""
    Hv, a = H[:valid_len].astype(np.float32), alpha[:valid_len].astype(np.float32)
    mu, s2 = np.zeros(H.shape[1], np.float32), np.zeros(H.shape[1], np.float32)
    for t in range(valid_len):
        mu += a[t] * Hv[t]
        s2 += a[t] * Hv[t] * Hv[t]
    return np.sqrt(np.maximum(s2 - mu * mu, np.float32(EPS)))


def asp_case(g, name, comment, H, W, b, v, k, valid_len):
    H, W, b, v, k = f32(H), f32(W), f32(b), f32(v), float(f32(k))
    pooled, alpha, e = torch_asp(H, W, b, v, k, valid_len)
    n_pooled, n_alpha = numpy_asp(H, W, b, v, k, valid_len)
    assert_agree(alpha, n_alpha, f"{name}: weights torch vs numpy")
    assert_agree(pooled, n_pooled, f"{name}: pooled torch vs numpy")
    c = g.case(name, comment)
    c.f32("frames", H), c.f32("W", W), c.f32("b", b.reshape(1, -1)), c.f32("v", v)
    c.scalar("k", k, "float"), c.scalar("valid_len", valid_len, "int")
    c.f64("pooled", pooled.reshape(1, -1)), c.f64("weights", alpha)
    return pooled, alpha, e


def random_case(g, r, name, comment, T, d, a, valid_len, w_scale=1.0, v_scale=1.0, v_mean=0.0, b_mean=0.0):
    H = r.standard_normal((T, d))
    W = r.standard_normal((d, a)) * w_scale / np.sqrt(d)
    b = b_mean + 0.1 * r.standard_normal(a)
    v = v_mean + v_scale * r.standard_normal(a)
    k = r.uniform(-2, 2)
    return asp_case(g, name, comment, H, W, b, v, k, valid_len)


def generate():
    g = GoldenFile("p30", __file__, seed=3030)
    r = rng(3030)
    random_case(g, r, "full", "every frame valid, d != a", 7, 6, 5, 7)
    random_case(g, r, "padded", "frames 5..8 are padding (finite here; the tests poison them)", 9, 8, 6, 5)

    _, _, e = random_case(g, r, "peaked", "tanh near 1 and v near 18: every score above 110, where a naive "
                          "float32 exp overflows (inf/inf); frames 6 and 7 are padding",
                          8, 4, 8, 6, w_scale=0.5, v_mean=18.0, b_mean=1.5)
    assert e.min() > 88.8, "peaked: every valid score must overflow a naive float32 exp"
    assert np.sort(e)[-1] - np.sort(e)[-2] < 15, "peaked: keep two frames with visible weight"
    _, _, e = random_case(g, r, "sunk", "tanh near 1 and v near -18: every score below -104, where a naive "
                          "float32 exp underflows to 0 (0/0); frames 5 and 6 are padding",
                          7, 5, 8, 5, w_scale=0.1, v_mean=-18.0, b_mean=1.5)
    assert e.max() < -104, "sunk: every valid score must underflow a naive float32 exp"
    assert np.sort(e)[-1] - np.sort(e)[-2] < 3, "sunk: keep two frames with visible weight"

    # The cancellation case: features 1..4 are 1000 + 0.01 eps (sigma ~ 0.01, a relative spread of 1e-5, below
    # float32's resolution of E[x^2] ~ 1e6); feature 0 is N(0, 1) and is the only one the scores read (rows 1..4
    # of W are 0), so the weights are far from uniform and still well conditioned in float32.
    T, d, a, valid_len = 24, 5, 4, 20
    H = np.empty((T, d))
    H[:, 0] = r.standard_normal(T)
    H[:, 1:] = 1000 + 0.01 * r.standard_normal((T, d - 1))
    W = np.zeros((d, a))
    W[0] = r.standard_normal(a)
    b, v = 0.1 * r.standard_normal(a), 2.0 * r.standard_normal(a)
    pooled, alpha, _ = asp_case(g, "cancel", "features 1..4 are 1000 + 0.01 eps; the scores read feature 0 "
                                "only (rows 1..4 of W are 0); frames 20..23 are padding", H, W, b, v,
                                r.uniform(-2, 2), valid_len)
    sigma = pooled[d:]
    assert alpha[:valid_len].max() > 4 * alpha[:valid_len].min(), "cancel: the weights must be far from uniform"
    Hv = f32(H)[:valid_len, 1:]
    plain = Hv.std(axis=0)
    assert np.all(np.abs(plain - sigma[1:]) > 1e-2 * sigma[1:]), "cancel: the plain std must differ from sigma"
    wrong = one_pass_float32(f32(H), alpha, valid_len)[1:]
    assert np.all(np.abs(wrong - sigma[1:]) > 0.5 * sigma[1:]), "cancel: the one-pass float32 variance must fail"

    # a speech-sized utterance: 3 s of 10 ms frames, 40 mean-normalised log-mel features, 263 frames valid
    random_case(g, r, "seed_sized", "300 frames of 40 features (3 s at 10 ms), frames 263..299 are padding",
                300, 40, 32, 263)
    return g
