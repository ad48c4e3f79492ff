"""p04 multi_head_attention: ground truth is torch.nn.MultiheadAttention in float64, cross-checked against a
numpy loop over heads written from the definition (Vaswani et al. 2017, section 3.2.2).

Our row convention is Y = X W + b with W (in, out); torch stores (out, in), so in_proj_weight = cat(Wq.T, Wk.T,
Wv.T) and out_proj.weight = Wo.T. Our keep mask is true = may attend; torch's key_padding_mask and bool attn_mask
are true = ignore, so torch gets ~keep.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, masked_softmax, rng


def numpy_mha(Xq, Xk, Xv, P, M):
    """The definition: project, attend per head on its column block, concatenate, project out."""
    d, h = P["Wq"].shape[0], P["h"]
    d_h = d // h
    Qp, Kp, Vp = Xq @ P["Wq"] + P["bq"], Xk @ P["Wk"] + P["bk"], Xv @ P["Wv"] + P["bv"]
    concat = np.zeros((Xq.shape[0], d))
    heads = []
    for head in range(h):
        cols = slice(head * d_h, (head + 1) * d_h)
        A = masked_softmax(Qp[:, cols] @ Kp[:, cols].T / np.sqrt(d_h), M)
        concat[:, cols] = A @ Vp[:, cols]
        heads.append(A)
    return concat @ P["Wo"] + P["bo"], np.mean(heads, axis=0), np.stack(heads)


def torch_mha(Xq, Xk, Xv, P, key_padding=None, attn_mask=None):
    """nn.MultiheadAttention, batch of one; masks in torch's polarity (true = ignore)."""
    d, h = P["Wq"].shape[0], P["h"]
    mha = torch.nn.MultiheadAttention(d, h, bias=True, batch_first=True, dtype=torch.float64).eval()
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    with torch.no_grad():
        mha.in_proj_weight.copy_(t(np.concatenate([P["Wq"].T, P["Wk"].T, P["Wv"].T])))
        mha.in_proj_bias.copy_(t(np.concatenate([P["bq"], P["bk"], P["bv"]])))
        mha.out_proj.weight.copy_(t(P["Wo"].T))
        mha.out_proj.bias.copy_(t(P["bo"]))
        q = t(Xq)[None]
        k = q if Xk is Xq else t(Xk)[None]  # the same tensor for self-attention, as a model would pass it
        v = q if Xv is Xq else t(Xv)[None]
        kw = dict(need_weights=True,
                  key_padding_mask=None if key_padding is None else torch.tensor(key_padding)[None],
                  attn_mask=None if attn_mask is None else torch.tensor(attn_mask))
        out, avg = mha(q, k, v, average_attn_weights=True, **kw)
        _, per_head = mha(q, k, v, average_attn_weights=False, **kw)
    return out[0].numpy(), avg[0].numpy(), per_head[0].numpy()


def params(r, d, h):
    # weights ~ N(0, 1/d), the scale of a trained layer, so scores are O(1) and the softmax is not saturated
    P = {name: f32(r.standard_normal((d, d)) / np.sqrt(d)) for name in ["Wq", "Wk", "Wv", "Wo"]}
    P.update({name: f32(0.5 * r.standard_normal(d)) for name in ["bq", "bk", "bv", "bo"]})
    P["h"] = h
    return P


def emit(g, name, comment, Xq, Xk, Xv, P, M, self_attention, out, avg, per_head, heads=True):
    c = g.case(name, comment)
    if self_attention:
        c.f32("X", Xq)
    else:
        c.f32("query", Xq), c.f32("key", Xk), c.f32("value", Xv)
    for w in ["Wq", "Wk", "Wv", "Wo"]:
        c.f32(w, P[w])
    for b in ["bq", "bk", "bv", "bo"]:
        c.f32(b, P[b][None, :])  # a (1, d) row: attn::RowVec
    c.scalar("num_heads", P["h"], "int")
    if M is not None:
        c.mask("keep", M)
    c.f64("output", out), c.f64("avg_weights", avg)
    for head in range(P["h"] if heads else 0):
        c.f64(f"weights_head{head}", per_head[head])


def self_case(g, r, name, n, d, h, comment, heads=True):
    X = f32(r.standard_normal((n, d)))
    P = params(r, d, h)
    M = np.ones((n, n), bool)
    out, avg, per_head = numpy_mha(X, X, X, P, M)
    t_out, t_avg, t_per = torch_mha(X, X, X, P)
    assert_agree(out, t_out, f"{name} output numpy vs torch")
    assert_agree(avg, t_avg, f"{name} avg weights numpy vs torch")
    assert_agree(per_head, t_per, f"{name} head weights numpy vs torch")
    emit(g, name, comment, X, X, X, P, None, True, out, avg, per_head, heads)


def generate():
    g = GoldenFile("p04", __file__, seed=404)
    r = rng(404)
    self_case(g, r, "self_attn", 6, 8, 2, "self-attention, no mask: query = key = value = X")

    # cross-attention, n_q != n_k, key padding: keys 3 and 5, 6 are padding
    n_q, n_k, d, h = 4, 7, 12, 3
    Xq, Xk, Xv = (f32(r.standard_normal(s)) for s in [(n_q, d), (n_k, d), (n_k, d)])
    P = params(r, d, h)
    valid = np.array([1, 1, 1, 0, 1, 0, 0], bool)
    M = np.broadcast_to(valid, (n_q, n_k)).copy()
    out, avg, per_head = numpy_mha(Xq, Xk, Xv, P, M)
    t_out, t_avg, t_per = torch_mha(Xq, Xk, Xv, P, key_padding=~valid)
    assert_agree(out, t_out, "cross output numpy vs torch")
    assert_agree(avg, t_avg, "cross avg weights numpy vs torch")
    assert_agree(per_head, t_per, "cross head weights numpy vs torch")
    emit(g, "cross", "cross-attention 4 queries × 7 keys, d = 12, 3 heads; keys 3, 5, 6 are padding",
         Xq, Xk, Xv, P, M, False, out, avg, per_head)

    # a general (n_q, n_k) mask with query row 3 fully masked. torch 1.13 returns NaN for that row (softmax of
    # all -inf); the spec says zero weights, so its output row is bo. numpy follows the spec; torch checks the rest.
    n_q, n_k, d, h = 5, 6, 8, 4
    Xq, Xk, Xv = (f32(r.standard_normal(s)) for s in [(n_q, d), (n_k, d), (n_k, d)])
    P = params(r, d, h)
    M = r.random((n_q, n_k)) < 0.6
    M[:, 0] |= ~M.any(axis=1)
    M[3] = False
    out, avg, per_head = numpy_mha(Xq, Xk, Xv, P, M)
    t_out, t_avg, t_per = torch_mha(Xq, Xk, Xv, P, attn_mask=~M)
    assert np.isnan(t_out[3]).all() and np.isnan(t_avg[3]).all(), "torch 1.13 was expected to give NaN here"
    rows = [i for i in range(n_q) if i != 3]
    assert_agree(out[rows], t_out[rows], "masked output numpy vs torch")
    assert_agree(avg[rows], t_avg[rows], "masked avg weights numpy vs torch")
    assert_agree(per_head[:, rows], t_per[:, rows], "masked head weights numpy vs torch")
    assert_agree(out[3], P["bo"], "fully masked row is bo")
    emit(g, "masked", "general keep mask, 4 heads; query row 3 fully masked (zero weights, output bo)",
         Xq, Xk, Xv, P, M, False, out, avg, per_head)

    self_case(g, r, "narrow", 5, 4, 4, "d_h = 1: as many heads as features, scale 1")
    self_case(g, r, "wide", 16, 32, 4, "larger self-attention: 16 tokens, d = 32, 4 heads of 8",
              heads=False)
    return g
