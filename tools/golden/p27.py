"""p27 pointer_generator_coverage: one decoder step of See et al. 2017 (attention with coverage, P_vocab, p_gen, the
final distribution over the extended vocabulary, coverage loss and update). numpy from the definition with the copy
distribution built by np.add.at (a scatter-ADD: repeated source ids accumulate), cross-checked against torch with
-inf masking and the copy distribution as a product with a one-hot (T, V + n_oov) matrix.
"""

import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng



def numpy_step(enc, ids, n_oov, valid_len, s, x, cov, P):
    """The definition; positions from valid_len on are never read."""
    V = P["b2"].size
    H, c = enc[:valid_len], cov[:valid_len]
    e = np.tanh(H @ P["W_h"] + s @ P["W_s"] + np.outer(c, P["w_c"]) + P["b_attn"]) @ P["v"]
    z = np.exp(e - e.max())
    a = np.zeros(enc.shape[0])
    a[:valid_len] = z / z.sum()
    context = a[:valid_len] @ H
    logits = (np.concatenate([s, context]) @ P["V1"] + P["b1"]) @ P["V2"] + P["b2"]
    p_vocab = np.exp(logits - logits.max())
    p_vocab /= p_vocab.sum()
    p_gen = 1 / (1 + np.exp(-(context @ P["w_hstar"] + s @ P["w_s"] + x @ P["w_x"] + P["b_ptr"])))
    final = np.zeros(V + n_oov)
    final[:V] = p_gen * p_vocab
    np.add.at(final, np.asarray(ids[:valid_len]), (1 - p_gen) * a[:valid_len])
    return dict(final=final, attention=a, p_gen=p_gen, cov_loss=np.minimum(a, cov)[:valid_len].sum(),
                new_cov=cov + a, p_vocab=p_vocab)


def torch_step(enc, ids, n_oov, valid_len, s, x, cov, P):
    """Every position scored, padding masked with -inf; copying as attention times a one-hot matrix."""
    t = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
    T, V = enc.shape[0], P["b2"].size
    E = torch.tanh(t(np.nan_to_num(enc)) @ t(P["W_h"]) + t(s) @ t(P["W_s"]) + t(cov)[:, None] * t(P["w_c"])
                   + t(P["b_attn"])) @ t(P["v"])
    keep = torch.arange(T) < valid_len
    a = torch.softmax(E.masked_fill(~keep, float("-inf")), dim=0)
    context = a[keep] @ t(enc[:valid_len])
    p_vocab = torch.softmax((torch.cat([t(s), context]) @ t(P["V1"]) + t(P["b1"])) @ t(P["V2"]) + t(P["b2"]), 0)
    p_gen = torch.sigmoid(context @ t(P["w_hstar"]) + t(s) @ t(P["w_s"]) + t(x) @ t(P["w_x"]) + float(P["b_ptr"]))
    one_hot = torch.zeros(T, V + n_oov, dtype=torch.float64)
    for i in range(valid_len):
        one_hot[i, ids[i]] = 1.0
    final = torch.cat([p_gen * p_vocab, torch.zeros(n_oov, dtype=torch.float64)]) + (1 - p_gen) * (a @ one_hot)
    return dict(final=final.numpy(), attention=a.numpy(), p_gen=p_gen.item(),
                cov_loss=torch.minimum(a, t(cov))[keep].sum().item(), new_cov=(t(cov) + a).numpy(),
                p_vocab=p_vocab.numpy())


def params(r, d_enc, d_dec, d_x, h, d_ff, V, v_scale=1.5, logit_offset=0.0):
    n = r.standard_normal
    P = dict(W_h=n((d_enc, h)) / np.sqrt(d_enc), W_s=n((d_dec, h)) / np.sqrt(d_dec), w_c=n(h),
             b_attn=0.1 * n(h), v=v_scale * n(h), V1=n((d_dec + d_enc, d_ff)) / np.sqrt(d_dec + d_enc),
             b1=0.1 * n(d_ff), V2=2 * n((d_ff, V)) / np.sqrt(d_ff), b2=logit_offset + 0.5 * n(V),
             w_hstar=n(d_enc) / np.sqrt(d_enc), w_s=n(d_dec) / np.sqrt(d_dec), w_x=n(d_x) / np.sqrt(d_x),
             b_ptr=0.2 * n())
    return {k: f32(v) for k, v in P.items()}


def step_case(g, r, name, comment, T, valid_len, d_enc, d_dec, d_x, h, d_ff, V, n_oov, ids, coverage,
              logit_offset=0.0, pgen_range=(0.1, 0.9)):
    P = params(r, d_enc, d_dec, d_x, h, d_ff, V, logit_offset=logit_offset)
    enc, s, x = f32(r.standard_normal((T, d_enc))), f32(r.standard_normal(d_dec)), f32(r.standard_normal(d_x))
    cov = f32(coverage)
    got = numpy_step(enc, ids, n_oov, valid_len, s, x, cov, P)
    ref = torch_step(enc, ids, n_oov, valid_len, s, x, cov, P)
    for k in got:
        assert_agree(got[k], ref[k], f"{name} {k} numpy vs torch")
    assert pgen_range[0] < got["p_gen"] < pgen_range[1], f"{name}: p_gen {got['p_gen']:g} leaves little to mix"
    assert abs(got["final"].sum() - 1) < 1e-12
    c = g.case(name, comment)
    c.f32("enc", enc)
    c.lines.append(f"inline const std::vector<int> src_ext_ids{{{', '.join(str(int(i)) for i in ids)}}};")
    c.scalar("n_oov", n_oov, "int"), c.scalar("valid_len", valid_len, "int")
    c.f32("s_t", s.reshape(1, -1)), c.f32("x_t", x.reshape(1, -1)), c.f32("coverage", cov)
    for k in ["W_h", "W_s", "V1", "V2"]:
        c.f32(k, P[k])
    for k in ["w_c", "b_attn", "b1", "b2"]:
        c.f32(k, P[k].reshape(1, -1))  # RowVec
    for k in ["v", "w_hstar", "w_s", "w_x"]:
        c.f32(k, P[k])  # column: converts to attn::Vec
    c.scalar("b_ptr", P["b_ptr"], "float")
    c.f64("final_dist", got["final"]), c.f64("attention", got["attention"]), c.f64("new_coverage", got["new_cov"])
    c.scalar("p_gen", got["p_gen"]), c.scalar("coverage_loss", got["cov_loss"])
    c.f64("p_vocab", got["p_vocab"])  # the b_ptr = +50 limit, and diagnosing wrong mixtures
    return dict(enc=enc, ids=ids, n_oov=n_oov, valid_len=valid_len, s=s, x=x, P=P)


def earlier_attention(r, T, valid_len, steps):
    """A plausible c^t: the sum of `steps` random distributions over the valid positions."""
    c = np.zeros(T)
    for _ in range(steps):
        w = r.dirichlet(np.full(valid_len, 0.7))
        c[:valid_len] += w
    return c


def generate():
    g = GoldenFile("p27", __file__, seed=2727)
    r = rng(2727)
    # V = 12, n_oov = 3: word 5 three times, word 9 twice, OOV 12 twice, OOV 13 once; OOV 14 is not in the source
    # (it only sits at a padded position), nor are words 0..4, 6..8, 10, 11 except 3
    ids = [5, 12, 9, 5, 3, 13, 12, 5, 9, 14]
    step_case(g, r, "step", "T = 10, valid_len = 8, V = 12, n_oov = 3, repeated ids, coverage after 3 steps",
              10, 8, 6, 5, 4, 7, 8, 12, 3, ids, earlier_attention(r, 10, 8, 3))
    step_case(g, r, "first", "t = 0: zero coverage, T = valid_len = 7, V = 9, n_oov = 2",
              7, 7, 4, 6, 3, 5, 6, 9, 2, [0, 9, 4, 4, 10, 8, 9], np.zeros(7))
    ids = list(r.integers(0, 34, 24))
    ids[3] = ids[17] = 31  # an OOV id that repeats
    wide = step_case(g, r, "wide",
                     "T = 24, valid_len = 20, V = 30, n_oov = 4, ids from 34 values, coverage after 6 steps",
                     24, 20, 16, 12, 8, 16, 20, 30, 4, ids, earlier_attention(r, 24, 20, 6))
    step_case(g, r, "large_logits", "b2 ~ 1e4: vocabulary logits near 1e4, where float32 exp overflows",
              6, 5, 4, 4, 3, 5, 6, 8, 2, [1, 8, 1, 3, 9, 0], earlier_attention(r, 6, 5, 2), logit_offset=1e4)

    # six steps of the wide case from zero coverage, each fed the coverage the previous one returned (as float32)
    steps = 6
    cov = np.zeros(24)
    rows = dict(coverage=[], attention=[], new_coverage=[], coverage_loss=[])
    for t in range(steps):
        args = (wide["enc"], wide["ids"], wide["n_oov"], wide["valid_len"], wide["s"], wide["x"], cov, wide["P"])
        got, ref = numpy_step(*args), torch_step(*args)
        for k in got:
            assert_agree(got[k], ref[k], f"rollout step {t} {k} numpy vs torch")
        rows["coverage"].append(cov), rows["attention"].append(got["attention"])
        rows["new_coverage"].append(got["new_cov"]), rows["coverage_loss"].append(got["cov_loss"])
        cov = f32(got["new_cov"])
    assert rows["coverage_loss"][0] == 0
    c = g.case("rollout", "the wide case for 6 steps from zero coverage: row t is step t (coverage c^t in, a^t, c^t+1)")
    c.f32("coverage", np.array(rows["coverage"]))
    for k in ["attention", "new_coverage"]:
        c.f64(k, np.array(rows[k]))
    c.f64("coverage_loss", np.array(rows["coverage_loss"]))
    return g
