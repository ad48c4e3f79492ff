"""p13 bidaf_attention_flow: BiDAF's attention flow layer (Seo et al., ICLR 2017, section 2 item 4).
S_tj = w . [h_t; u_j; h_t * u_j] as a brute-force triple loop over (t, j, feature) in numpy, with no
decomposition; C2Q and Q2C softmaxes and G = [H, U~, H*U~, H*H~] from the definition. Cross-checked against a
torch formulation that tiles the (T, J, 6d) tensor [h; u; h*u] and masks with -inf, as the official code does.
Only the valid block (t < context_len, j < query_len) is ever read; everything outside it is 0.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


def numpy_bidaf(H, U, w, cl, ql):
    T, e = H.shape
    J = U.shape[0]
    S = np.zeros((T, J))
    for t in range(cl):
        for j in range(ql):
            feat = np.concatenate([H[t], U[j], H[t] * U[j]])  # (3e,)
            total = 0.0
            for k in range(3 * e):
                total += w[k] * feat[k]
            S[t, j] = total
    A = np.zeros((T, J))
    b = np.zeros(T)
    G = np.zeros((T, 4 * e))
    if cl == 0:
        return S, A, b, G
    if ql:
        for t in range(cl):
            z = np.exp(S[t, :ql] - S[t, :ql].max())
            A[t, :ql] = z / z.sum()
        m = np.array([S[t, :ql].max() for t in range(cl)])
        z = np.exp(m - m.max())
        b[:cl] = z / z.sum()
    h_tilde = sum(b[t] * H[t] for t in range(cl))
    for t in range(cl):
        u_tilde = sum(A[t, j] * U[j] for j in range(ql)) if ql else np.zeros(e)
        G[t] = np.concatenate([H[t], u_tilde, H[t] * u_tilde, H[t] * h_tilde])
    return S, A, b, G


def torch_bidaf(H, U, w, cl, ql):
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    Hv, Uv = t(H[:cl]), t(U[:ql])
    T, e = H.shape
    J = U.shape[0]
    h_tiled = Hv[:, None, :].expand(cl, ql, e)
    u_tiled = Uv[None, :, :].expand(cl, ql, e)
    Sv = torch.cat([h_tiled, u_tiled, h_tiled * u_tiled], dim=-1) @ t(w)  # (cl, ql)
    S = torch.zeros(T, J, dtype=torch.float64)
    S[:cl, :ql] = Sv
    A = torch.zeros(T, J, dtype=torch.float64)
    b = torch.zeros(T, dtype=torch.float64)
    G = torch.zeros(T, 4 * e, dtype=torch.float64)
    if cl and ql:
        # softmax over the full padded width with -inf fills, the way a batched implementation masks
        keep_j = torch.arange(J) < ql
        A[:cl] = torch.softmax(S[:cl].masked_fill(~keep_j, float("-inf")), dim=1)
        keep_t = torch.arange(T) < cl
        b = torch.softmax(S.masked_fill(~keep_j, float("-inf")).max(dim=1).values.masked_fill(~keep_t, float("-inf")),
                          dim=0)
    if cl:
        U_tilde = A[:cl, :ql] @ Uv
        h_tilde = b[:cl] @ Hv
        G[:cl] = torch.cat([Hv, U_tilde, Hv * U_tilde, Hv * h_tilde[None, :]], dim=1)
    return S.numpy(), A.numpy(), b.numpy(), G.numpy()


def bidaf_case(g, name, comment, H, U, w, cl, ql, min_abs_score=None):
    H, U, w = f32(H), f32(U), f32(w)
    S, A, b, G = numpy_bidaf(H, U, w, cl, ql)
    tS, tA, tb, tG = torch_bidaf(H, U, w, cl, ql)
    for a, ta, what in [(S, tS, "S"), (A, tA, "c2q"), (b, tb, "q2c"), (G, tG, "G")]:
        assert_agree(a, ta, f"{name} {what} numpy loop vs torch tiled", tol=1e-12 * max(1.0, np.abs(a).max()))
    if min_abs_score is not None:
        top = np.abs(S).max()
        assert top > min_abs_score, f"{name}: largest |S| {top:g} is not above {min_abs_score}"
    c = g.case(name, comment)
    # w is stored as a (3e, 1) column: .col(0) is the attn::Vec
    c.f32("H", H), c.f32("U", U), c.f32("w", w)
    c.scalar("context_len", cl, "int"), c.scalar("query_len", ql, "int")
    c.f64("S", S), c.f64("c2q", A), c.f64("q2c", b), c.f64("G", G)


def random_case(g, r, name, comment, T, J, e, cl, ql, pad_scale=3.0):
    H = r.standard_normal((T, e))
    U = r.standard_normal((J, e))
    H[cl:] *= pad_scale  # finite padding, larger than the real rows: reading it changes the result visibly
    U[ql:] *= pad_scale
    w = r.standard_normal(3 * e) / np.sqrt(e)
    bidaf_case(g, name, comment, H, U, w, cl, ql)
    return H, U, w


def generate():
    g = GoldenFile("p13", __file__, seed=1313)
    r = rng(1313)
    random_case(g, r, "random", "T = 5 context words, J = 4 query words, 2d = 6, nothing padded", 5, 4, 6, 5, 4)
    H_pad, U_pad, w_pad = random_case(g, r, "padded", "T = 7, J = 6, 2d = 4; context rows 5..6 and query rows "
                                      "4..5 are padding", 7, 6, 4, 5, 4)
    # small integers: every product and sum is exact in float32, so scores beyond 88 are compared exactly
    H = r.integers(-4, 5, (6, 4)).astype(np.float64)
    U = r.integers(-4, 5, (5, 4)).astype(np.float64)
    w = r.integers(-6, 7, 12).astype(np.float64)
    bidaf_case(g, "large", "integer inputs, |S| beyond 88 where float32 exp overflows; context_len 5, query_len 4",
               H, U, w, 5, 4, min_abs_score=88.0)
    random_case(g, r, "wide", "T = 24, J = 10, 2d = 16; context_len 20, query_len 8", 24, 10, 16, 20, 8)
    # one valid query word: C2Q weight 1 on it, but Q2C still ranks the context words by their score with it
    random_case(g, r, "one_word", "T = 6, J = 5, 2d = 4; context_len 6, query_len 1", 6, 5, 4, 6, 1)
    # one valid context word: Q2C weight 1 on it, h~ = h_0
    random_case(g, r, "one_context", "T = 5, J = 4, 2d = 4; context_len 1, query_len 3", 5, 4, 4, 1, 3)
    # padded's inputs with w = [w_h; 0; 0]: S_tj = w_h . h_t is constant along each row, so C2Q is uniform,
    # yet Q2C is softmax_t(w_h . h_t), not uniform
    e = H_pad.shape[1]
    w_h_only = np.concatenate([w_pad[:e], np.zeros(2 * e)])
    bidaf_case(g, "wh_only", "padded's H and U with w = [w_h; 0; 0]", H_pad, U_pad, w_h_only, 5, 4)
    return g
