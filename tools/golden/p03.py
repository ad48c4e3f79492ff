"""p03 detr_query_cross_attention: DETR's decoder cross-attention (Carion et al., ECCV 2020; facebookresearch/detr
models/transformer.py). Ground truth is the reference code's own path in torch float64: a batch of NCHW feature
maps and positional encodings flattened with `flatten(2).permute(2, 0, 1)` (row h·W + w), the padding mask with
`mask.flatten(1)`, then `nn.MultiheadAttention(query=tgt + query_pos, key=memory + pos, value=memory,
key_padding_mask=mask)` (batch_first=False, as DETR). Positional encodings are DETR's PositionEmbeddingSine
(normalize=True) of each image's mask, written here in numpy.

Cross-checked against a numpy loop written from the definition on the (C, H, W) arrays themselves, one head, one
query and one valid pixel (h, w) at a time: it never flattens the map, so a flattening mistake in either
formulation shows as a disagreement. The generator converts layouts; the learner's code only sees (H·W, d) rows.

Our row convention is Y = X W + b with W (in, out); torch stores (out, in), so in_proj_weight = cat(Wq.T, Wk.T,
Wv.T) and out_proj.weight = Wo.T. Our pixel_valid is true = valid; DETR's mask and key_padding_mask are true =
padding.
"""
import math

import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def detr_padding_mask(H, W, valid_h, valid_w):
    """nested_tensor_from_tensor_list: the image sits top-left, padding (True) below and to the right."""
    mask = np.ones((H, W), bool)
    mask[:valid_h, :valid_w] = False
    return mask


def sine_pos(mask, d):
    """DETR's PositionEmbeddingSine(d // 2, temperature=10000, normalize=True) for one (H, W) mask -> (d, H, W)."""
    n = d // 2
    not_mask = (~mask).astype(np.float64)
    y_embed, x_embed = not_mask.cumsum(0), not_mask.cumsum(1)
    eps, scale = 1e-6, 2 * math.pi
    y_embed = y_embed / (y_embed[-1:, :] + eps) * scale
    x_embed = x_embed / (x_embed[:, -1:] + eps) * scale
    dim_t = 10000.0 ** (2 * (np.arange(n) // 2) / n)
    pos_x, pos_y = x_embed[:, :, None] / dim_t, y_embed[:, :, None] / dim_t
    pos_x = np.stack((np.sin(pos_x[:, :, 0::2]), np.cos(pos_x[:, :, 1::2])), axis=3).reshape(*mask.shape, n)
    pos_y = np.stack((np.sin(pos_y[:, :, 0::2]), np.cos(pos_y[:, :, 1::2])), axis=3).reshape(*mask.shape, n)
    return np.concatenate((pos_y, pos_x), axis=2).transpose(2, 0, 1)


def torch_detr(tgts, query_pos, memory, pos, mask, P):
    """DETR's Transformer.forward flattening and TransformerDecoderLayer's multihead_attn call, float64.
    tgts (B, N_q, d), query_pos (N_q, d), memory and pos (B, d, H, W) NCHW, mask (B, H, W) true = padding."""
    d, h = P["Wq"].shape[0], P["h"]
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    mha = torch.nn.MultiheadAttention(d, h, dtype=torch.float64).eval()  # batch_first=False, as DETR
    with torch.no_grad():
        mha.in_proj_weight.copy_(t(np.concatenate([P["Wq"].T, P["Wk"].T, P["Wv"].T])))
        mha.in_proj_bias.copy_(t(np.concatenate([P["bq"], P["bk"], P["bv"]])))
        mha.out_proj.weight.copy_(t(P["Wo"].T))
        mha.out_proj.bias.copy_(t(P["bo"]))
        bs = memory.shape[0]
        src = t(memory).flatten(2).permute(2, 0, 1)                    # (H·W, B, d)
        pos_embed = t(pos).flatten(2).permute(2, 0, 1)                 # (H·W, B, d)
        query_embed = t(query_pos).unsqueeze(1).repeat(1, bs, 1)       # (N_q, B, d)
        key_padding = torch.tensor(mask).flatten(1)                    # (B, H·W)
        tgt = t(tgts).permute(1, 0, 2)                                 # (N_q, B, d)
        out, weights = mha(query=tgt + query_embed, key=src + pos_embed, value=src,
                           key_padding_mask=key_padding, need_weights=True, average_attn_weights=True)
    return out.permute(1, 0, 2).numpy(), weights.numpy()               # (B, N_q, d), (B, N_q, H·W)


def numpy_loop(tgt, query_pos, memory_chw, pos_chw, mask, P):
    """The definition on the unflattened (d, H, W) map: per head, per query, per valid pixel (h, w)."""
    d, H, W = memory_chw.shape
    heads = P["h"]
    d_h = d // heads
    n_q = tgt.shape[0]
    Q = (tgt + query_pos) @ P["Wq"] + P["bq"]                          # positions added before the projection
    weights = np.zeros((n_q, H, W))
    concat = np.zeros((n_q, d))
    valid = [(y, x) for y in range(H) for x in range(W) if not mask[y, x]]
    row_max = np.full((heads, n_q), -np.inf)                           # each (head, query) row's top score
    for head in range(heads):
        cols = slice(head * d_h, (head + 1) * d_h)
        for i in range(n_q):
            if not valid:
                continue
            scores = {}
            for (y, x) in valid:
                k = (memory_chw[:, y, x] + pos_chw[:, y, x]) @ P["Wk"] + P["bk"]  # key: memory + pos
                scores[(y, x)] = Q[i, cols] @ k[cols] / math.sqrt(d_h)
            top = row_max[head, i] = max(scores.values())
            z = sum(math.exp(s - top) for s in scores.values())
            for (y, x), s in scores.items():
                a = math.exp(s - top) / z
                weights[i, y, x] += a / heads
                v = memory_chw[:, y, x] @ P["Wv"] + P["bv"]                     # value: memory alone
                concat[i, cols] += a * v[cols]
    out = concat @ P["Wo"] + P["bo"]
    return out, weights.reshape(n_q, H * W), row_max                   # C order: column h·W + w


def hwc_rows(a_chw):
    """(d, H, W) -> (H·W, d), row h·W + w: the set's flattening rule."""
    d, H, W = a_chw.shape
    return a_chw.transpose(1, 2, 0).reshape(H * W, d)


def params(r, d, h, bk_scale=0.5):
    # weights ~ N(0, 1/d), a trained layer's scale, so scores are O(1) and the softmax is not saturated
    P = {name: f32(r.standard_normal((d, d)) / np.sqrt(d)) for name in ["Wq", "Wk", "Wv", "Wo"]}
    P.update({name: f32(0.5 * r.standard_normal(d)) for name in ["bq", "bv", "bo"]})
    P["bk"] = f32(bk_scale * r.standard_normal(d))
    P["h"] = h
    return P


def detr_case(g, r, name, comment, d, h, n_q, H, W, extents, first_layer=False, sine=True, bk_scale=0.5,
              memory_scale=1.0):
    """One padded batch of len(extents) images (valid_h, valid_w); one golden namespace with suffixes 0, 1, ..."""
    B = len(extents)
    P = params(r, d, h, bk_scale)
    query_pos = f32(r.standard_normal((n_q, d)))                       # nn.Embedding(num_queries, d), shared
    masks = np.stack([detr_padding_mask(H, W, vh, vw) for vh, vw in extents])
    memory = f32(memory_scale * r.standard_normal((B, d, H, W)))       # NCHW, padding rows hold values too
    if sine:
        pos = f32(np.stack([sine_pos(m, d) for m in masks]))
    else:
        pos = f32(r.standard_normal((B, d, H, W)))
    tgts = np.zeros((B, n_q, d)) if first_layer else f32(r.standard_normal((B, n_q, d)))
    t_out, t_w = torch_detr(tgts, query_pos, memory, pos, masks, P)
    c = g.case(name, comment)
    c.scalar("H", H, "int"), c.scalar("W", W, "int")
    for w in ["Wq", "Wk", "Wv", "Wo"]:
        c.f32(w, P[w])
    for b in ["bq", "bk", "bv", "bo"]:
        c.f32(b, P[b][None, :])                                        # a (1, d) row: attn::RowVec
    c.scalar("num_heads", h, "int")
    c.f32("query_pos", query_pos)
    for b, (vh, vw) in enumerate(extents):
        out, weights, row_max = numpy_loop(tgts[b], query_pos, memory[b], pos[b], masks[b], P)
        assert_agree(out, t_out[b], f"{name} image {b}: output, numpy loop vs nn.MultiheadAttention")
        assert_agree(weights, t_w[b], f"{name} image {b}: weights, numpy loop vs nn.MultiheadAttention")
        valid = ~masks[b].reshape(-1)                                  # C order, as DETR's mask.flatten(1)
        assert (weights[:, ~valid] == 0).all() and np.allclose(weights.sum(1), 1)
        c.scalar(f"valid_h{b}", vh, "int"), c.scalar(f"valid_w{b}", vw, "int")
        c.f32(f"tgt{b}", tgts[b])
        c.f32(f"memory{b}", hwc_rows(memory[b]))
        c.f32(f"pos{b}", hwc_rows(pos[b]))
        c.mask(f"valid{b}", valid)                                     # (H·W, 1): .col(0) is an attn::Keep
        c.f64(f"output{b}", out)
        c.f64(f"weights{b}", weights)
    return row_max


def generate():
    g = GoldenFile("p03", __file__, seed=303)
    r = rng(303)
    detr_case(g, r, "batch", "a padded batch of two images on a 4×6 map, d = 16, 4 heads, 5 object queries; "
              "image 0 is 3×6 (padded below), image 1 is 4×4 (padded right); DETR's sine positions",
              16, 4, 5, 4, 6, [(3, 6), (4, 4)])
    detr_case(g, r, "first_layer", "DETR's first decoder layer: tgt = 0, so only query_pos tells the 6 queries "
              "apart; 3×3 map with the image 3×2, d = 8, 2 heads", 8, 2, 6, 3, 3, [(3, 2)], first_layer=True)
    detr_case(g, r, "full", "every pixel valid: a 3×5 map, d = 16, 8 heads of d_h = 2, 4 queries",
              16, 8, 4, 3, 5, [(3, 5)])
    detr_case(g, r, "large", "20 queries on a 6×9 map with the image 5×7 (padded below and right), d = 32, "
              "4 heads", 32, 4, 20, 6, 9, [(5, 7)])
    # a large key bias: q·bk shifts each query's scores by a constant of ±100 or more (the softmax ignores it,
    # float32 exp does not), while the differences between pixels stay O(1). Redrawn from sub-seeds until, in
    # every head, some row passes exp's overflow at 88.7 or sits more than 104 below another row (underflow).
    big = ("big_scores", "scores shifted by ±100 and more per query (bk ~ N(0, 60²)): exp overflows or underflows "
           "float32 unless each row subtracts its own maximum; 2×4 map, image 2×3", 8, 2, 4, 2, 4, [(2, 3)])
    big_kw = dict(sine=False, bk_scale=60.0)
    for sub_seed in range(3030, 3130):
        row_max = detr_case(GoldenFile("p03", __file__, sub_seed), rng(sub_seed), *big, **big_kw)
        spread = row_max.max(axis=1) - row_max.min(axis=1)
        if np.abs(row_max).max() > 90 and (spread > 120).all():
            break
    else:
        raise AssertionError("big_scores: no sub-seed gave scores past float32 exp's range")
    detr_case(g, rng(sub_seed), big[0], f"{big[1]}; sub-seed {sub_seed}", *big[2:], **big_kw)
    return g
