"""p02 han_attention_pooling: HAN word-level attention pooling, from the definition in numpy (a loop over the
valid tokens only), cross-checked against a torch formulation over all T rows with the padding masked to -inf."""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def han_pool(H, W, b, u, length):
    """s = sum_t alpha_t h_t over t < length, alpha = softmax_t(u · tanh(h_t W + b)); padded alpha = 0."""
    T, d = H.shape
    alpha, s = np.zeros(T), np.zeros(d)
    if length == 0:
        return s, alpha, np.zeros(0)
    e = np.array([np.tanh(H[t] @ W + b) @ u for t in range(length)])
    p = np.exp(e - e.max())
    alpha[:length] = p / p.sum()
    for t in range(length):
        s += alpha[t] * H[t]
    return s, alpha, e


def torch_han_pool(H, W, b, u, length):
    Ht = torch.tensor(H, dtype=torch.float64)
    scores = torch.tanh(torch.nn.functional.linear(Ht, torch.tensor(W.T), torch.tensor(b))) @ torch.tensor(u)
    valid = torch.arange(H.shape[0]) < length
    alpha = torch.softmax(scores.masked_fill(~valid, float("-inf")), dim=0)
    return torch.einsum("t,td->d", alpha, Ht).numpy(), alpha.numpy()


def pool_case(g, r, name, T, d, a, length, w_scale=1.0, u_scale=1.0, b_mean=0.0, u_mean=0.0,
              comment=""):
    H = f32(r.standard_normal((T, d)))
    W = f32(r.standard_normal((d, a)) * w_scale / np.sqrt(d))
    b = f32(b_mean + r.standard_normal(a) * 0.1)
    u = f32(u_mean + r.standard_normal(a) * u_scale)
    s, alpha, e = han_pool(H, W, b, u, length)
    st, alphat = torch_han_pool(H, W, b, u, length)
    assert_agree(alpha, alphat, f"{name}: weights numpy vs torch")
    assert_agree(s, st, f"{name}: vector numpy vs torch")
    c = g.case(name, comment)
    c.f32("H", H), c.f32("W", W), c.f32("b", b.reshape(1, a)), c.f32("u_w", u)
    c.scalar("length", length, "int")
    c.f64("vector", s.reshape(1, d)), c.f64("weights", alpha)
    return e


def generate():
    g = GoldenFile("p02", __file__, seed=202)
    r = rng(202)
    pool_case(g, r, "full", 7, 6, 5, 7, comment="no padding, d != a")
    pool_case(g, r, "padded", 9, 8, 6, 5, comment="rows 5..8 are padding (finite here; the tests poison them)")
    e = pool_case(g, r, "peaked", 8, 4, 8, 6, w_scale=3.0, u_scale=40.0,
                  comment="tanh saturated, |u_w| ~ 40: scores beyond 88, so exp without the max subtraction overflows float32")
    assert np.abs(e).max() > 100, "peaked: scores must overflow a naive float32 exp"
    assert np.sort(e)[-1] - np.sort(e)[-2] < 15, "peaked: keep two tokens with visible weight"
    pool_case(g, r, "seed_sized", 50, 64, 32, 37, comment="the seed's shapes: 50 tokens, d = 64; 37 valid")
    e = pool_case(g, r, "sunk", 7, 5, 8, 5, w_scale=0.1, u_scale=1.0, b_mean=1.5, u_mean=-18.0,
                  comment="tanh near 1 and u_w near -18: every score below -104, so a naive float32 exp "
                  "underflows to 0 and gives 0/0; rows 5 and 6 are padding")
    assert e.max() < -104, "sunk: every valid score must underflow a naive float32 exp"
    assert np.sort(e)[-1] - np.sort(e)[-2] < 3, "sunk: keep two tokens with visible weight"
    return g
