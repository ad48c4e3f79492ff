"""p01 sdpa_stable_softmax: masked softmax and scaled dot-product attention, from the definition in numpy,
cross-checked against torch.softmax on a -inf-filled score matrix (fully masked rows set to zero)."""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, masked_softmax, rng


def torch_masked_softmax(S, M):
    t = torch.tensor(S, dtype=torch.float64).masked_fill(~torch.tensor(M), float("-inf"))
    return torch.nan_to_num(torch.softmax(t, dim=-1), nan=0.0).numpy()


def sdpa(Q, K, V, M, scale):
    A = masked_softmax(scale * Q @ K.T, M)
    O = A @ V
    At = torch_masked_softmax(scale * Q @ K.T, M)
    assert_agree(A, At, "weights numpy vs torch")
    assert_agree(O, (torch.tensor(At) @ torch.tensor(V)).numpy(), "output numpy vs torch")
    return O, A


def attention_case(g, r, name, n_q, n_k, d_k, d_v, mask=None, scale=None, comment=""):
    Q, K, V = (f32(r.standard_normal(s)) for s in [(n_q, d_k), (n_k, d_k), (n_k, d_v)])
    M = np.ones((n_q, n_k), bool) if mask is None else mask
    s = 1 / np.sqrt(d_k) if scale is None else float(np.float32(scale))
    O, A = sdpa(Q, K, V, M, s)
    c = g.case(name, comment)
    c.f32("Q", Q), c.f32("K", K), c.f32("V", V)
    if mask is not None:
        c.mask("keep", M)
    if scale is not None:
        c.scalar("scale", scale, "float")
    c.f64("output", O), c.f64("weights", A)


def generate():
    g = GoldenFile("p01", __file__, seed=101)
    r = rng(101)
    attention_case(g, r, "random", 4, 6, 8, 5, comment="cross-attention, no mask")
    mask = r.random((5, 7)) < 0.6
    mask[:, 0] |= ~mask.any(axis=1)  # every row keeps a key ...
    mask[2] = False                  # ... except row 2, fully masked: zero weights, zero output
    attention_case(g, r, "masked", 5, 7, 16, 4, mask=mask, comment="random keep mask; row 2 fully masked")
    attention_case(g, r, "scaled", 3, 4, 4, 3, scale=0.25, comment="explicit scale 0.25 instead of 1/sqrt(d_k)")
    attention_case(g, r, "wide", 32, 32, 32, 16, comment="larger case: the T1 budget with d_k = 32")

    S = f32(r.standard_normal((4, 6)) * 20)
    M = r.random((4, 6)) < 0.7
    M[0], M[3] = True, False
    c = g.case("softmax", "softmax_rows alone: scores of magnitude ~20, row 3 fully masked")
    c.f32("scores", S), c.mask("keep", M), c.f64("expected", masked_softmax(S, M))
    assert_agree(masked_softmax(S, M), torch_masked_softmax(S, M), "softmax numpy vs torch")

    n = 33  # one row past 32: vectorised exp and sums, and their remainder loop
    attention_case(g, r, "causal", n, n, 8, 4, mask=np.tril(np.ones((n, n), bool)),
                   comment="causal mask, 33 positions: query i sees keys 0..i")
    mask = r.random((4, 7)) < 0.7
    mask[:, [2, 5]] = False  # keys 2 and 5 masked for every query: the tests poison their K and V rows
    mask[:, 0] = True
    attention_case(g, r, "leak", 4, 7, 6, 5, mask=mask,
                   comment="keys 2 and 5 masked for every query; expected values from the clean K and V")
    return g
