"""p22 sparse_transformer_factorized: the strided and fixed patterns of the Sparse Transformer (Child et al. 2019,
section 4.2) as dense (n, n) masks built by broadcasting the set definitions, and two-head attention over them as
a dense masked softmax per head (numpy). Cross-checked with the sets enumerated the way the paper writes them
({t, t+1, ..., i}; {i, i-l, i-2l, ...}; the last c positions of each block), and with torch's
nn.MultiheadAttention (identity projections, a per-head 3-D attn_mask, per-head weights). The long case is
computed row by row from index lists, cross-checked with a torch gather over a per-row boolean mask.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, hashed, masked_softmax, rng


# ---- the two index sets of every position ----

def masks_broadcast(n, pattern, l, c):
    """The set definitions, broadcast over (i, j): this is what the golden masks are."""
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    causal = j <= i
    if pattern == "strided":
        return causal & (j >= i - l), causal & ((i - j) % l == 0)
    return causal & (j // l == i // l), causal & (j % l >= l - c)


def sets_enumerated(i, pattern, l, c):
    """The sets of position i listed the way the paper writes them, for the cross-checks."""
    if pattern == "strided":
        return list(range(max(0, i - l), i + 1)), [i - m * l for m in range(i // l, -1, -1)]
    block_start = (i // l) * l
    summaries = [b * l + t for b in range(i // l + 1) for t in range(l - c, l) if b * l + t <= i]
    return list(range(block_start, i + 1)), summaries


def masks_enumerated(n, pattern, l, c):
    A1, A2 = np.zeros((n, n), bool), np.zeros((n, n), bool)
    for i in range(n):
        s1, s2 = sets_enumerated(i, pattern, l, c)
        A1[i, s1], A2[i, s2] = True, True
    return A1, A2


def bool_product(A, B):
    return (A.astype(np.int64) @ B.astype(np.int64)) > 0


def assert_two_hop(A1, A2, pattern, what):
    """Strided: A1 then A2 reaches every j <= i. Fixed: A1, or A2 then A1 (through a summary position)."""
    n = A1.shape[0]
    lower = np.tril(np.ones((n, n), bool))
    reach = bool_product(A1, A2) if pattern == "strided" else A1 | bool_product(A2, A1)
    assert (reach == lower).all(), f"{what}: two hops do not reach exactly the lower triangle"


def mask_case(g, pattern, n, l, c, comment):
    A1, A2 = masks_broadcast(n, pattern, l, c)
    E1, E2 = masks_enumerated(n, pattern, l, c)
    assert (A1 == E1).all() and (A2 == E2).all(), f"masks {pattern} {n} {l} {c}: broadcast vs enumerated"
    assert_two_hop(A1, A2, pattern, f"masks {pattern} {n} {l} {c}")
    name = f"masks_{pattern}_{n}_{l}" + (f"_c{c}" if pattern == "fixed" else "")
    m = g.case(name, comment)
    m.scalar("n", n, "int"), m.scalar("l", l, "int"), m.scalar("c", c, "int")
    m.mask("a1", A1), m.mask("a2", A2)


# ---- attention ----

def attention_dense(Q, K, V, pattern, l, c):
    """Per head: a dense masked softmax of Q_k K_kᵀ / sqrt(d_h) over A_k, times V_k (numpy, float64)."""
    n = Q.shape[0]
    d_h, d_v = Q.shape[1] // 2, V.shape[1] // 2
    out = np.zeros((n, 2 * d_v))
    for k, A in enumerate(masks_broadcast(n, pattern, l, c)):
        S = Q[:, k * d_h:(k + 1) * d_h] @ K[:, k * d_h:(k + 1) * d_h].T / np.sqrt(d_h)
        out[:, k * d_v:(k + 1) * d_v] = masked_softmax(S, A) @ V[:, k * d_v:(k + 1) * d_v]
    return out


def attention_torch_mha(Q, K, V, pattern, l, c):
    """nn.MultiheadAttention with 2 heads and identity projections: its per-head weights (with the masks from
    the enumerated sets, True = not allowed; a fully masked row's NaN weights become 0), times V per head. When
    V has as many columns as Q and no row is fully masked, MHA's own output is compared as well."""
    n, E = Q.shape
    d_v = V.shape[1] // 2
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    A1, A2 = masks_enumerated(n, pattern, l, c)
    blocked = torch.tensor(np.stack([~A1, ~A2]))  # (num_heads, n, n) for a batch of 1
    mha = torch.nn.MultiheadAttention(E, 2, bias=False, batch_first=True, dtype=torch.float64).eval()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.eye(E, dtype=torch.float64).repeat(3, 1))
        mha.out_proj.weight.copy_(torch.eye(E, dtype=torch.float64))
        V_in = V if V.shape[1] == E else np.zeros((n, E))
        out, W = mha(t(Q)[None], t(K)[None], t(V_in)[None], attn_mask=blocked, need_weights=True,
                     average_attn_weights=False)
    W = torch.nan_to_num(W[0], nan=0.0).numpy()  # (2, n, n)
    mine = np.concatenate([W[k] @ V[:, k * d_v:(k + 1) * d_v] for k in range(2)], axis=1)
    if V.shape[1] == E and A1.any(axis=1).all() and A2.any(axis=1).all():
        assert_agree(mine, out[0].numpy(), "MHA weights times V vs MHA output")
    return mine


def attention_case(g, r, name, comment, pattern, n, l, c, d_h, d_v, qk_scale=1.0, min_score=None, min_gap=None):
    for _ in range(1000):  # the large case redraws until its rows are saturated (float32 then matches float64)
        Q = f32(r.standard_normal((n, 2 * d_h)) * qk_scale)
        K = f32(r.standard_normal((n, 2 * d_h)) * qk_scale)
        V = f32(r.standard_normal((n, 2 * d_v)))
        if min_gap is None or min_top_gap(Q, K, pattern, l, c) > min_gap:
            break
    out = attention_dense(Q, K, V, pattern, l, c)
    assert_agree(out, attention_torch_mha(Q, K, V, pattern, l, c), f"{name}: dense numpy vs torch MHA")
    if min_score is not None:
        scores = [np.abs(Q[:, k * d_h:(k + 1) * d_h] @ K[:, k * d_h:(k + 1) * d_h].T / np.sqrt(d_h)) for k in (0, 1)]
        top = max(s[A].max() for s, A in zip(scores, masks_broadcast(n, pattern, l, c)))
        assert top > min_score, f"{name}: largest allowed |score| {top:g} is not above {min_score}"
    if min_gap is not None:
        gap = min_top_gap(Q, K, pattern, l, c)
        assert gap > min_gap, f"{name}: the top two scores of some row are only {gap:g} apart"
    a = g.case(name, comment)
    a.f32("Q", Q), a.f32("K", K), a.f32("V", V)
    a.scalar("l", l, "int"), a.scalar("c", c, "int")
    a.f64("output", out)
    return Q, K, V


def min_top_gap(Q, K, pattern, l, c):
    """Smallest gap between the two largest allowed scores of any (row, head) with 2+ allowed keys."""
    n, d_h = Q.shape[0], Q.shape[1] // 2
    gap = np.inf
    for k, A in enumerate(masks_broadcast(n, pattern, l, c)):
        S = Q[:, k * d_h:(k + 1) * d_h] @ K[:, k * d_h:(k + 1) * d_h].T / np.sqrt(d_h)
        for i in range(n):
            s = np.sort(S[i, A[i]])
            if s.size > 1:
                gap = min(gap, s[-1] - s[-2])
    return gap


# ---- the long case: inputs from an integer hash the C++ test recomputes exactly ----


def long_rows_numpy(Q, K, V, pattern, l, c, rows):
    d_h, d_v = Q.shape[1] // 2, V.shape[1] // 2
    out = np.zeros((len(rows), 2 * d_v))
    for r_i, i in enumerate(rows):
        for k, keys in enumerate(sets_enumerated(i, pattern, l, c)):
            if not keys:
                continue
            s = K[keys, k * d_h:(k + 1) * d_h] @ Q[i, k * d_h:(k + 1) * d_h] / np.sqrt(d_h)
            w = np.exp(s - s.max())
            out[r_i, k * d_v:(k + 1) * d_v] = (w / w.sum()) @ V[keys, k * d_v:(k + 1) * d_v]
    return out


def long_rows_torch(Q, K, V, pattern, l, c, rows):
    """The row's allowed keys from the broadcast definition over j = 0..i, gathered, softmax in torch."""
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    d_h, d_v = Q.shape[1] // 2, V.shape[1] // 2
    out = []
    for i in rows:
        j = torch.arange(i + 1)
        allowed = ([j >= i - l, (i - j) % l == 0] if pattern == "strided"
                   else [j // l == i // l, j % l >= l - c])
        row = []
        for k, keep in enumerate(allowed):
            idx = torch.nonzero(keep).flatten()
            if idx.numel() == 0:
                row.append(torch.zeros(d_v, dtype=torch.float64))
                continue
            s = t(K[:, k * d_h:(k + 1) * d_h]).index_select(0, idx) @ t(Q[i, k * d_h:(k + 1) * d_h]) / np.sqrt(d_h)
            row.append(torch.softmax(s, 0) @ t(V[:, k * d_v:(k + 1) * d_v]).index_select(0, idx))
        out.append(torch.cat(row))
    return torch.stack(out).numpy()


def long_case(g, n, l, c, d_h, d_v):
    Q, K, V = hashed(n, 2 * d_h, 1), hashed(n, 2 * d_h, 2), hashed(n, 2 * d_v, 3)
    assert (f32(Q) == Q).all() and (f32(K) == K).all() and (f32(V) == V).all()
    middle = n // 2 - 4
    rows = list(range(8)) + list(range(middle, middle + 8)) + list(range(n - 8, n))
    a = g.case("long_seq", f"{n} tokens (a 128×256 image), l = {l} (the row width); inputs from an integer "
                           f"hash the test recomputes; expected rows 0..7, {middle}..{middle + 7} and {n - 8}..{n - 1}")
    a.scalar("n", n, "int"), a.scalar("l", l, "int"), a.scalar("c", c, "int")
    a.scalar("d_h", d_h, "int"), a.scalar("d_v", d_v, "int"), a.scalar("middle", middle, "int")
    for pattern in ("strided", "fixed"):
        exp = long_rows_numpy(Q, K, V, pattern, l, c, rows)
        assert_agree(exp, long_rows_torch(Q, K, V, pattern, l, c, rows), f"long {pattern}: numpy vs torch")
        # the first rows also from the dense definition on the first 64 positions (causal: nothing later counts)
        assert_agree(exp[:8], attention_dense(Q[:64], K[:64], V[:64], pattern, l, c)[:8],
                     f"long {pattern}: rows 0..7 vs dense")
        a.f64(f"{pattern}_head", exp[:8]), a.f64(f"{pattern}_middle", exp[8:16]), a.f64(f"{pattern}_tail", exp[16:])


def generate():
    g = GoldenFile("p22", __file__, seed=2222)
    r = rng(2222)
    mask_case(g, "strided", 16, 4, 1, "a 4×4 image, stride l = 4: the previous row segment and the same column")
    mask_case(g, "fixed", 16, 4, 1, "blocks of l = 4, c = 1 summary position (the last of each block)")
    mask_case(g, "fixed", 16, 4, 2, "blocks of l = 4, c = 2 summary positions")
    mask_case(g, "strided", 10, 3, 1, "n = 10, l = 3: l does not divide n")
    mask_case(g, "fixed", 10, 3, 2, "n = 10, l = 3, c = 2: the last block {9} is partial and has no summary")
    mask_case(g, "strided", 8, 3, 1, "the statement's worked example")
    mask_case(g, "fixed", 8, 3, 1, "the statement's worked example")
    mask_case(g, "strided", 5, 8, 1, "l > n: A1 is the whole causal triangle, A2 only the diagonal")
    mask_case(g, "fixed", 5, 8, 3, "l > n, c = 3: one block, and its summaries 5..7 lie beyond n: A2 is empty")
    mask_case(g, "strided", 6, 1, 1, "l = 1: A1 = {i-1, i}, A2 = every j <= i")
    mask_case(g, "fixed", 6, 1, 1, "l = c = 1: A1 = {i}, A2 = every j <= i")
    attention_case(g, r, "strided", "16 positions (4×4 image), l = 4, d_h = 3, d_v = 2", "strided", 16, 4, 1, 3, 2)
    attention_case(g, r, "fixed", "16 positions, l = 4, c = 2, d_h = d_v = 4",
                   "fixed", 16, 4, 2, 4, 4)
    attention_case(g, r, "fixed_empty", "12 positions, l = 5, c = 1: head 2 sees nothing in rows 0..3",
                   "fixed", 12, 5, 1, 2, 3)
    Q, K, V = attention_case(g, r, "wide", "64 positions (8×8 image), d_h = d_v = 16: output strided with l = 8, "
                                        "output_fixed with l = 8 and c = 3 (MHA output cross-check)",
                             "strided", 64, 8, 1, 16, 16)
    out_fixed = attention_dense(Q, K, V, "fixed", 8, 3)
    assert_agree(out_fixed, attention_torch_mha(Q, K, V, "fixed", 8, 3), "wide fixed: dense numpy vs torch MHA")
    g.cases[-1].scalar("c_fixed", 3, "int"), g.cases[-1].f64("output_fixed", out_fixed)
    attention_case(g, r, "large", "12 positions, l = 3, strided: allowed scores beyond ±88, top two >= 3 apart",
                   "strided", 12, 3, 1, 4, 2, qk_scale=7.0, min_score=88.0, min_gap=3.0)
    long_case(g, 32768, 256, 2, 4, 4)
    return g
