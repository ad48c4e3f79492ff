"""p07 longformer_sliding_global: sliding-window attention with symmetric global tokens (Beltagy et al. 2020,
section 3.1), from the definition: the explicit (n, n) mask M_ij = |i - j| <= r or i in G or j in G, broadcast
in numpy, and a dense masked softmax of Q Kᵀ / sqrt(d) over it. Cross-checked with the mask enumerated row by row
the way the paper describes it (the window i-r..i+r clipped to the sequence, the global tokens, every token for a
global row), and with torch's nn.MultiheadAttention (one head, identity projections, attn_mask True = blocked).
Full attention comes from torch.softmax without any mask. The long case (200 000 tokens) is computed row by row
from index lists in numpy and cross-checked with a torch softmax over a boolean row mask of all 200 000 keys.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, hashed, masked_softmax, rng


# ---- the mask ----

def mask_broadcast(n, r, G):
    """The definition, broadcast over (i, j): this is what the golden masks are. G may hold duplicates."""
    i, j = np.arange(n)[:, None], np.arange(n)[None, :]
    g = np.zeros(n, bool)
    g[list(G)] = True
    return (np.abs(i - j) <= r) | g[:, None] | g[None, :]


def keys_enumerated(i, n, r, G):
    """Row i's keys as the paper describes them: a global row sees everything; any other row its window
    i-r..i+r (clipped to 0..n-1) and every global token."""
    if i in set(G):
        return list(range(n))
    return sorted(set(range(max(0, i - r), min(n - 1, i + r) + 1)) | set(G))


def mask_enumerated(n, r, G):
    M = np.zeros((n, n), bool)
    for i in range(n):
        M[i, keys_enumerated(i, n, r, G)] = True
    return M


def checked_mask(n, r, G):
    M = mask_broadcast(n, r, G)
    assert (M == mask_enumerated(n, r, G)).all(), f"mask {n} {r} {G}: broadcast vs enumerated"
    assert (M == M.T).all(), f"mask {n} {r} {G}: global attention is symmetric, so is the mask"
    return M


# ---- attention ----

def attention_dense(Q, K, V, M):
    """softmax_M(Q Kᵀ / sqrt(d)) V in numpy (float64)."""
    return masked_softmax(Q @ K.T / np.sqrt(Q.shape[1]), M) @ V


def attention_torch_mha(Q, K, V, M):
    """nn.MultiheadAttention with one head and identity projections; its weights times V (V may be narrower
    or wider than d). When V has d columns, its own output is compared as well."""
    n, d = Q.shape
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    mha = torch.nn.MultiheadAttention(d, 1, bias=False, batch_first=True, dtype=torch.float64).eval()
    with torch.no_grad():
        mha.in_proj_weight.copy_(torch.eye(d, dtype=torch.float64).repeat(3, 1))
        mha.out_proj.weight.copy_(torch.eye(d, dtype=torch.float64))
        V_in = V if V.shape[1] == d else np.zeros((n, d))
        out, W = mha(t(Q)[None], t(K)[None], t(V_in)[None], attn_mask=torch.tensor(~M), need_weights=True)
    mine = W[0].numpy() @ V
    if V.shape[1] == d:
        assert_agree(mine, out[0].numpy(), "MHA weights times V vs MHA output")
    return mine


def attention_full_torch(Q, K, V):
    """Full attention, no mask at all: what a global row, r >= n-1, or G = everything must give."""
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    return (torch.softmax(t(Q) @ t(K).T / np.sqrt(Q.shape[1]), dim=-1) @ t(V)).numpy()


def checked_attention(Q, K, V, r, G, what):
    n = Q.shape[0]
    M = checked_mask(n, r, G)
    out = attention_dense(Q, K, V, M)
    assert_agree(out, attention_torch_mha(Q, K, V, mask_enumerated(n, r, G)), f"{what}: numpy vs torch MHA")
    full = attention_full_torch(Q, K, V)
    rows = sorted(set(G))
    assert_agree(out[rows], full[rows], f"{what}: global rows vs full attention")
    if r >= n - 1 or len(rows) == n:
        assert_agree(out, full, f"{what}: every row sees every key, so this is full attention")
    return out, full


def draw(r, n, d, d_v, qk_scale=1.0):
    Q = f32(r.standard_normal((n, d)) * qk_scale)
    K = f32(r.standard_normal((n, d)) * qk_scale)
    V = f32(r.standard_normal((n, d_v)))
    return Q, K, V


def attention_case(g, r, name, comment, n, radius, G, d, d_v, qk_scale=1.0, min_score=None, min_gap=None,
                   with_full=False, call_G=None):
    """call_G: the list the test passes (duplicates, any order); G is the set it stands for."""
    for _ in range(1000):  # the large case redraws until its rows are saturated (float32 then matches float64)
        Q, K, V = draw(r, n, d, d_v, qk_scale)
        M = mask_broadcast(n, radius, G)
        big = min_score is None or np.abs(Q @ K.T / np.sqrt(d))[M].max() > min_score
        if big and (min_gap is None or min_top_gap(Q, K, M) > min_gap):
            break
    out, full = checked_attention(Q, K, V, radius, G, name)
    if min_score is not None:
        S = np.abs(Q @ K.T / np.sqrt(d))[mask_broadcast(n, radius, G)]
        assert S.max() > min_score, f"{name}: largest allowed |score| {S.max():g} is not above {min_score}"
    if min_gap is not None:
        gap = min_top_gap(Q, K, mask_broadcast(n, radius, G))
        assert gap > min_gap, f"{name}: the top two scores of some row are only {gap:g} apart"
    call_G = list(G) if call_G is None else call_G
    assert sorted(set(call_G)) == sorted(set(G))
    a = g.case(name, comment)
    a.f32("Q", Q), a.f32("K", K), a.f32("V", V)
    a.scalar("radius", radius, "int")
    a.lines.append(f"inline const std::vector<int> globals{{{', '.join(str(x) for x in call_G)}}};")
    a.f64("output", out)
    if with_full:
        a.f64("full", full)
    return Q, K, V, out, full


def min_top_gap(Q, K, M):
    """Smallest gap between the two largest allowed scores of any row."""
    S = Q @ K.T / np.sqrt(Q.shape[1])
    return min(np.diff(np.sort(S[i, M[i]])[-2:])[0] for i in range(S.shape[0]) if M[i].sum() > 1)


def mask_case(g, name, comment, n, radius, G):
    M = checked_mask(n, radius, G)
    m = g.case(name, comment)
    m.scalar("n", n, "int"), m.scalar("radius", radius, "int")
    m.lines.append(f"inline const std::vector<int> globals{{{', '.join(str(x) for x in G)}}};")
    m.mask("keep", M)


# ---- the long case: inputs from an integer hash the C++ test recomputes exactly ----


def long_rows_numpy(Q, K, V, radius, G, rows):
    n, d = Q.shape
    out = np.zeros((len(rows), V.shape[1]))
    for r_i, i in enumerate(rows):
        keys = keys_enumerated(i, n, radius, G)
        s = K[keys] @ Q[i] / np.sqrt(d)
        w = np.exp(s - s.max())
        out[r_i] = (w / w.sum()) @ V[keys]
    return out


def long_rows_torch(Q, K, V, radius, G, rows):
    """Each row's keys from the broadcast definition over all n keys, softmax of the -inf-filled row."""
    n, d = Q.shape
    Qt, Kt, Vt = (torch.tensor(a, dtype=torch.float64) for a in (Q, K, V))
    g = torch.zeros(n, dtype=torch.bool)
    g[list(G)] = True
    j = torch.arange(n)
    out = []
    for i in rows:
        keep = ((j - i).abs() <= radius) | g | bool(g[i])
        s = (Kt @ Qt[i] / np.sqrt(d)).masked_fill(~keep, float("-inf"))
        out.append(torch.softmax(s, 0) @ Vt)
    return torch.stack(out).numpy()


def long_case(g, n, radius, G, d, d_v):
    Q, K, V = hashed(n, d, 1), hashed(n, d, 2), hashed(n, d_v, 3)
    assert (f32(Q) == Q).all() and (f32(K) == K).all() and (f32(V) == V).all()
    rows = (list(range(0, 8)) + list(range(G[1] - 7, G[1] + 9)) + list(range(123456, 123464)) +
            list(range(n - 8, n)))
    exp = long_rows_numpy(Q, K, V, radius, G, rows)
    assert_agree(exp, long_rows_torch(Q, K, V, radius, G, rows), "long: numpy vs torch")
    # a non-global row far from the globals' windows, from the dense definition on a slice around it: the
    # slice holds its window, and adding the globals' columns gives exactly its keys
    i = 123456
    sl = list(range(i - 40, i + 41)) + list(G)
    keep = np.array([[abs(i - j) <= radius or j in G for j in sl]])
    dense_row = masked_softmax(Q[[i]] @ K[sl].T / np.sqrt(d), keep) @ V[sl]
    assert_agree(exp[rows.index(i)], dense_row[0], "long: row 123456 vs a dense slice")
    G_text = "{" + ", ".join(map(str, G)) + "}"
    a = g.case("long_seq", f"{n} tokens, r = {radius}, d = {d}, G = {G_text}; inputs from an integer hash the test "
                           f"recomputes; expected rows 0..7, {G[1] - 7}..{G[1] + 8}, 123456..123463 and {n - 8}..{n - 1}")
    a.scalar("n", n, "int"), a.scalar("radius", radius, "int"), a.scalar("d", d, "int"), a.scalar("d_v", d_v, "int")
    a.lines.append(f"inline const std::vector<int> globals{{{', '.join(str(x) for x in G)}}};")
    a.scalar("around", G[1] - 7, "int"), a.scalar("plain", 123456, "int")
    a.f64("head", exp[:8]), a.f64("around_global", exp[8:24]), a.f64("plain_rows", exp[24:32])
    a.f64("tail", exp[32:])


def generate():
    g = GoldenFile("p07", __file__, seed=707)
    r = rng(707)

    # the statement's worked example: every query ln 2, so exp(score_ij) = 2^K_j; V's second column is all ones
    ex = g.case("example", "the statement's worked example: n = 6, r = 1, G = {0}, d = 1, queries ln 2")
    Q = f32(np.full((6, 1), np.log(2.0)))
    K = f32(np.array([[1], [0], [0], [1], [0], [1]], float))
    V = f32(np.array([[6, 1], [0, 1], [3, 1], [9, 1], [0, 1], [12, 1]], float))
    out, _ = checked_attention(Q, K, V, 1, [0], "example")
    by_hand = np.array([[57 / 9, 1], [15 / 4, 1], [33 / 6, 1], [33 / 6, 1], [54 / 7, 1], [36 / 5, 1]])
    assert np.abs(out - by_hand).max() < 1e-6, "the worked example's hand values"  # Q holds ln 2 in float32
    ex.f32("Q", Q), ex.f32("K", K), ex.f32("V", V), ex.f64("output", out)

    mask_case(g, "mask_12", "n = 12, r = 2, G = {0, 7}", 12, 2, [0, 7])
    mask_case(g, "mask_r0", "n = 7, r = 0, no globals: the identity", 7, 0, [])
    mask_case(g, "mask_wide", "n = 5, r = 9 >= n - 1: every entry", 5, 9, [])
    mask_case(g, "mask_dup", "n = 9, r = 1, the list {8, 3, 3} stands for G = {3, 8}", 9, 1, [8, 3, 3])
    mask_case(g, "mask_edges", "n = 10, r = 3, G = {9}: windows clipped at both ends", 10, 3, [9])

    attention_case(g, r, "window", "16 tokens, r = 2, no globals, d = 4, d_v = 3", 16, 2, [], 4, 3)
    attention_case(g, r, "globals", "20 tokens, r = 2, G = {0, 9, 19}, d = 8, d_v = 5 (full: no mask at all)",
                   20, 2, [0, 9, 19], 8, 5, with_full=True)
    # random cases; r1 passes its globals with a duplicate and out of order
    attention_case(g, r, "r1", "33 tokens, r = 4, the list {32, 0, 16, 0} for G = {0, 16, 32}, d = d_v = 8",
                   33, 4, [0, 16, 32], 8, 8, call_G=[32, 0, 16, 0])
    attention_case(g, r, "r2", "64 tokens, r = 5, G = {3, 40}, d = 16, d_v = 16 (full: no mask at all)",
                   64, 5, [3, 40], 16, 16, with_full=True)
    attention_case(g, r, "r3", "7 tokens, r = 3, G = {2}, d = 5, d_v = 2", 7, 3, [2], 5, 2)
    attention_case(g, r, "r4", "50 tokens, r = 7, G = {10, 11, 12, 49}, d = 6, d_v = 4", 50, 7, [10, 11, 12, 49],
                   6, 4)
    attention_case(g, r, "r5", "40 tokens, r = 1, no globals, d = 3, d_v = 7", 40, 1, [], 3, 7)

    attention_case(g, r, "full_radius", "12 tokens, r = 11 = n - 1, no globals: full attention", 12, 11, [], 4, 3,
                   with_full=True)
    attention_case(g, r, "all_global", "9 tokens, r = 0, every token global: full attention", 9, 0,
                   list(range(9)), 4, 4, with_full=True)
    attention_case(g, r, "single", "1 token: the output is its value row", 1, 0, [], 3, 2)
    q0 = attention_case(g, r, "radius0", "10 tokens, r = 0, no globals: the output is V", 10, 0, [], 4, 3)
    assert_agree(q0[3], q0[2], "radius0: r = 0 without globals gives V")
    attention_case(g, r, "radius0_global", "10 tokens, r = 0, G = {4}: each row sees itself and token 4",
                   10, 0, [4], 4, 3)
    attention_case(g, r, "large", "12 tokens, r = 2, G = {5}: allowed scores beyond ±88, top two >= 3 apart",
                   12, 2, [5], 4, 3, qk_scale=7.0, min_score=88.0, min_gap=3.0)
    long_case(g, 200000, 32, [0, 77777, 199999], 16, 16)
    return g
