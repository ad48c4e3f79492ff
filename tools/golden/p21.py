"""p21 squeeze_excitation: s = sigmoid(ReLU(mean_pixels(U) W1 + b1) W2 + b2), output = U diag(s) (Hu et al.,
CVPR 2018; torchvision.ops.SqueezeExcitation). Golden values come from torch.nn.functional on an NCHW tensor, as a
PyTorch model computes them: adaptive_avg_pool2d to 1×1, two 1×1 conv2d layers (weights (out, in, 1, 1)), relu,
sigmoid, broadcast multiply. Input and output are converted here to the set's layout, (H·W, C) with row h·W + w,
and the conv weights to the row convention W = weight[:, :, 0, 0].T. Cross-checked against a numpy loop over
channels written on the flattened (H·W, C) map from the definition.
"""
import numpy as np
import torch
import torch.nn.functional as F

from common import GoldenFile, assert_agree, f32, rng


def torch_nchw(x_chw, w1, b1, w2, b2):
    """The SE block in torch on a (1, C, H, W) tensor; w1 is (C_r, C), w2 is (C, C_r) as in nn.Conv2d."""
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    C, C_r = w1.shape[1], w1.shape[0]
    x = t(x_chw)[None]                                            # (1, C, H, W)
    z = F.adaptive_avg_pool2d(x, 1)                               # (1, C, 1, 1)
    hidden = F.relu(F.conv2d(z, t(w1).view(C_r, C, 1, 1), t(b1)))  # (1, C_r, 1, 1)
    logits = F.conv2d(hidden, t(w2).view(C, C_r, 1, 1), t(b2))    # (1, C, 1, 1)
    s = torch.sigmoid(logits)
    out = x * s                                                   # (1, C, H, W)
    return out[0].numpy(), s.reshape(C).numpy(), logits.reshape(C).numpy()


def hwc_rows(a_chw):
    """(C, H, W) -> (H·W, C), row h·W + w: the set's flattening rule."""
    C, H, W = a_chw.shape
    return a_chw.transpose(1, 2, 0).reshape(H * W, C)


def numpy_loop(U, W1, b1, W2, b2):
    """The definition on the flattened map, one channel and one hidden unit at a time."""
    n_pixels, C = U.shape
    C_r = W1.shape[1]
    z = np.array([sum(U[p, c] for p in range(n_pixels)) / n_pixels for c in range(C)])
    hidden = np.array([max(0.0, sum(z[c] * W1[c, k] for c in range(C)) + b1[k]) for k in range(C_r)])
    s = np.empty(C)
    for c in range(C):
        logit = sum(hidden[k] * W2[k, c] for k in range(C_r)) + b2[c]
        s[c] = 1 / (1 + np.exp(-logit)) if logit >= 0 else np.exp(logit) / (1 + np.exp(logit))
    return U * s[None, :], s


def se_case(g, r, name, comment, C, C_r, H, W, b2_set=None, w_scale=2.0):
    x_chw = f32(r.standard_normal((C, H, W)) + 0.5)  # channel means away from 0, so the squeeze carries signal
    # conv weights as nn.Conv2d stores them, ~ N(0, 4/fan_in): logits of a few units, gates spread over (0, 1)
    U = hwc_rows(x_chw)
    while True:  # redraw until the ReLU clips some hidden units and passes others (a missing ReLU must show)
        w1 = f32(r.standard_normal((C_r, C)) * w_scale / np.sqrt(C))
        b1 = f32(r.standard_normal(C_r) * 0.3)
        hidden_pre = U.mean(0) @ w1.T + b1
        if C_r == 1 or ((hidden_pre < -0.05).any() and (hidden_pre > 0.05).any()):
            break
    w2 = f32(r.standard_normal((C, C_r)) * w_scale / np.sqrt(C_r))
    b2 = r.standard_normal(C) * 0.3
    for channel, value in (b2_set or {}).items():
        b2[channel] = value
    b2 = f32(b2)
    out_chw, s, logits = torch_nchw(x_chw, w1, b1, w2, b2)
    W1, W2 = w1.T, w2.T
    loop_out, loop_s = numpy_loop(U, W1, b1, W2, b2)
    assert_agree(s, loop_s, f"{name}: gate, torch NCHW vs numpy loop")
    assert_agree(hwc_rows(out_chw), loop_out, f"{name}: output, torch NCHW vs numpy loop")
    c = g.case(name, comment)
    c.scalar("H", H, "int"), c.scalar("W", W, "int")
    c.f32("U", U)
    c.f32("W1", W1), c.f32("b1", b1.reshape(1, -1)), c.f32("W2", W2), c.f32("b2", b2.reshape(1, -1))
    c.f64("logits", logits.reshape(1, -1)), c.f64("scale", s.reshape(1, -1)), c.f64("output", hwc_rows(out_chw))
    return logits


def generate():
    g = GoldenFile("p21", __file__, seed=2121)
    r = rng(2121)
    logits = se_case(g, r, "main", "a 5×7 map with C = 16 channels, r = 4 (C_r = 4); moderate logits", 16, 4, 5, 7)
    assert np.abs(logits).max() < 5 and np.abs(logits).min() > 0.01, "main: the gate must be strictly inside (0, 1)"
    se_case(g, r, "odd", "a 3×2 map, C = 10 channels, C_r = 3 hidden units (C / C_r is not an integer)", 10, 3, 3, 2)
    se_case(g, r, "square", "a 4×4 map with C = 16 channels: U is 16×16, so a squeeze over the wrong axis still runs",
            16, 4, 4, 4)
    logits = se_case(g, r, "large", "a 32×32 map, C = 64, r = 16 (C_r = 4); channels 0 and 1 saturate (b2 = ±100)",
                     64, 4, 32, 32, b2_set={0: 100.0, 1: -100.0})
    assert logits[0] > 90 and logits[1] < -90, "large: channels 0 and 1 must saturate past float32 exp's range"
    # b2 far past both ends of float32 sigmoid's range: e^x overflows float32 for x > 88.7, the float32 gate is
    # exactly 1 once 1 - sigmoid(x) is below half the spacing under 1 (x > 17.3) and exactly 0 below x ~ -104
    sat = [-150.0, -100.0, -90.0, -20.0, 0.0, 20.0, 90.0, 150.0]
    logits = se_case(g, r, "saturated", "a 3×3 map, C = 8, C_r = 2, small weights and b2 from -150 to 150", 8, 2, 3, 3,
                     b2_set=dict(enumerate(sat)), w_scale=0.05)
    assert (logits[[6, 7]] > 88.8).all() and (logits[[0, 1, 2]] < -88.8).all(), "saturated: logits past ±88.7"
    assert 17.4 < logits[5] < 88 and -88 < logits[3] < -17.4, "saturated: logits where float32 rounds the gate"
    se_case(g, r, "pixel1", "H = W = 1: a single pixel, C = 12, C_r = 3", 12, 3, 1, 1)
    return g
