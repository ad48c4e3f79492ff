"""p05 din_target_attention: DIN's local activation unit with sum pooling and no softmax (Zhou et al. 2018):
z_t = [a, e_t, a - e_t, a * e_t], w_t = sigmoid(z_t W1 + b1) . w2 + b2, user_interest = sum_{t < length} w_t e_t.
The definition as an explicit loop over the valid behaviours in numpy, cross-checked against the official code's
formulation in torch (zhougr1993/DeepInterestNetwork din/model.py::attention: the target tiled over T, the
[q, k, q-k, q*k] concatenation through nn.Linear layers, a sequence mask, a batched matmul) minus its softmax.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def sigmoid(x):
    with np.errstate(over="ignore"):  # exp(-x) = inf for x < -709 gives exactly 0, the right limit
        return 1.0 / (1.0 + np.exp(-x))


def numpy_din(E, a, length, W1, b1, w2, b2):
    """One behaviour at a time, straight from the definition; rows from length on are never read."""
    T, d = E.shape
    weights, out, pre = np.zeros(T), np.zeros(d), []
    for t in range(length):
        z = np.concatenate([a, E[t], a - E[t], a * E[t]])  # (4d,)
        x = z @ W1 + b1                                     # (h,)
        pre.append(x)
        weights[t] = sigmoid(x) @ w2 + b2
        out += weights[t] * E[t]
    return out, weights, np.array(pre).reshape(length, W1.shape[1])


def torch_din(E, a, length, W1, b1, w2, b2):
    """The official code's layout: queries tiled to (T, d), one concatenation, two nn.Linear layers, a mask."""
    T, d = E.shape
    h = W1.shape[1]
    keys = torch.tensor(E, dtype=torch.float64)
    queries = torch.tensor(a, dtype=torch.float64).expand(T, d)
    din_all = torch.cat([queries, keys, queries - keys, queries * keys], dim=-1)  # (T, 4d)
    f1 = torch.nn.Linear(4 * d, h).double()
    f2 = torch.nn.Linear(h, 1).double()
    with torch.no_grad():
        f1.weight.copy_(torch.tensor(W1.T)), f1.bias.copy_(torch.tensor(b1))  # nn.Linear stores (out, in)
        f2.weight.copy_(torch.tensor(w2.reshape(1, h))), f2.bias.fill_(b2)
        scores = f2(torch.sigmoid(f1(din_all))).squeeze(-1)  # (T,)
        key_mask = torch.arange(T) < length  # tf.sequence_mask(keys_length, T)
        weights = torch.where(key_mask, scores, torch.zeros_like(scores))  # no softmax: the paper's unit
        out = torch.matmul(weights.unsqueeze(0), keys).squeeze(0)  # (d,)
    return out.numpy(), weights.numpy()


def draw(r, T, d, h, behavior_scale=1.0, w1_scale=1.0, w2_scale=1.0, b2=None, centre=False):
    E = f32(r.standard_normal((T, d)) * behavior_scale)
    a = f32(r.standard_normal(d) * behavior_scale)
    W1 = f32(r.standard_normal((4 * d, h)) * w1_scale / np.sqrt(4 * d))
    b1 = f32(r.standard_normal(h) * 0.1)
    w2 = f32(r.standard_normal(h) * w2_scale / np.sqrt(h))
    b2 = r.standard_normal() * 0.1 if b2 is None else b2
    if centre:  # hidden units average about 1/2: centre the weights on 0, as training would leave them
        b2 -= 0.5 * w2.sum()
    b2 = float(np.float32(b2))
    return E, a, W1, b1, w2, b2


def din(name, E, a, length, W1, b1, w2, b2):
    out, weights, pre = numpy_din(E, a, length, W1, b1, w2, b2)
    t_out, t_weights = torch_din(E, a, length, W1, b1, w2, b2)
    assert_agree(weights, t_weights, f"{name}: weights numpy vs torch")
    assert_agree(out, t_out, f"{name}: user_interest numpy vs torch")
    return out, weights, pre


def write(c, E, a, length, W1, b1, w2, b2, out, weights, suffix=""):
    if not suffix:
        c.f32("behaviors", E), c.f32("W1", W1), c.f32("b1", b1.reshape(1, -1)), c.f32("w2", w2)
        c.scalar("b2", b2, "float"), c.scalar("length", length, "int")
    c.f32("target" + suffix, a.reshape(1, -1))
    c.f64("user_interest" + suffix, out.reshape(1, -1)), c.f64("weights" + suffix, weights)


def din_case(g, r, name, comment, T, d, h, length, accept=None, **scales):
    """Draws until accept(weights, pre-activations) holds (the first draw when accept is None)."""
    for attempt in range(1, 1001):
        E, a, W1, b1, w2, b2 = draw(r, T, d, h, **scales)
        _, weights, pre = numpy_din(E, a, length, W1, b1, w2, b2)
        if accept is None or accept(weights[:length], pre):
            break
    else:
        raise AssertionError(f"{name}: no draw in 1000 met the case's condition")
    out, weights, _ = din(name, E, a, length, W1, b1, w2, b2)
    write(g.case(name, comment + (f" (draw {attempt})" if attempt > 1 else "")), E, a, length, W1, b1, w2, b2,
          out, weights)


def generate():
    g = GoldenFile("p05", __file__, seed=505)
    r = rng(505)
    din_case(g, r, "full", "6 behaviours (d = 4), h = 8, every behaviour valid", 6, 4, 8, 6)
    din_case(g, r, "padded", "9 behaviours (d = 5), h = 6; rows 5..8 are padding (finite here; the tests poison "
             "them)", 9, 5, 6, 5)

    def beyond_unit(w, pre):  # weights outside [0, 1] on both sides, and not summing to 1 by chance
        return w.min() < -0.3 and w.max() > 1.3 and abs(w.sum() - 1) > 0.5
    din_case(g, r, "wide", "w2 ~ N(0, 3²/h), b2 = -0.5: weights below 0 and above 1, which a softmax or a sigmoid "
             "on the output cannot produce", 7, 4, 5, 6, accept=beyond_unit, w1_scale=3.0, w2_scale=3.0, b2=-0.5)

    # one history, two candidate items: the weights must follow the target
    E, a1, W1, b1, w2, b2 = draw(r, 7, 4, 6, w1_scale=2.0, w2_scale=2.0)
    a2 = f32(r.standard_normal(4))
    out1, weights1, _ = din("two_targets (1)", E, a1, 6, W1, b1, w2, b2)
    out2, weights2, _ = din("two_targets (2)", E, a2, 6, W1, b1, w2, b2)
    assert np.abs(weights1 - weights2).max() > 0.1, "two_targets: the two targets must weigh the history differently"
    c = g.case("two_targets", "one history of 7 (6 valid, d = 4), h = 6, and two candidate items")
    write(c, E, a1, 6, W1, b1, w2, b2, out1, weights1, suffix="")
    write(c, E, a2, 6, W1, b1, w2, b2, out2, weights2, suffix="_2")

    din_case(g, r, "seed_sized", "the seed's shapes: 50 behaviours of d = 64, 37 valid; h = 80 as in the official "
             "code's first layer; weights centred on 0", 50, 64, 80, 37, centre=True)

    # every hidden pre-activation far from 0 (|x| > 15: float32 rounding of x cannot move sigmoid(x) by more
    # than 1e-6 of itself) and some beyond ±100, where exp(x) overflows float32
    def saturated(w, pre):
        return np.abs(pre).min() > 15 and pre.max() > 100 and pre.min() < -100
    din_case(g, r, "saturated", "W1 ~ 40× larger: every hidden pre-activation beyond ±15, some beyond ±100; row 5 "
             "is padding", 6, 3, 4, 5, accept=saturated, behavior_scale=3.0, w1_scale=40.0, w2_scale=2.0)
    return g
