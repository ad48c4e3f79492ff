"""p20 linear_attention_rnn: linear attention with phi(x) = elu(x) + 1 (Katharopoulos et al. 2020; idiap/fast-transformers
elu_feature_map, eps = 1e-6), written as the QUADRATIC form in torch float64: A = phi(Q) phi(K)^T (times the causal
mask), output = A V / (A 1 + eps), with phi checked against torch.nn.functional.elu + 1 (phi_torch says why it
does not use F.elu + 1 as it is). Cross-checked against the linear form in
numpy (phi(Q) (phi(K)^T V) / (phi(Q) . sum_j phi(K_j) + eps), prefix sums for the causal rows). Softmax attention on
the same inputs (torch.softmax, cross-checked with common.masked_softmax) shows that the two are different models.
The million-token case (self-attention of one periodic sequence) has expected rows from a closed form (whole periods times the period's
sums plus a partial period), cross-checked by summing all 10^6 outer products in float64.
"""
import numpy as np
import torch
import torch.nn.functional as F

from common import GoldenFile, assert_agree, f32, masked_softmax, rng

EPS = 1e-6


def T(a):
    return torch.tensor(a, dtype=torch.float64)


def phi_torch(X):
    """elu(x) + 1 in torch float64: x + 1 above 0, exp(x) below, where elu(x) + 1 = (exp(x) - 1) + 1 exactly.
    F.elu itself returns exp(x) - 1, and adding 1 back cancels: up to 1e-11 relative near x = -13 even in float64."""
    x = T(X)
    phi = torch.where(x > 0, x + 1, torch.exp(torch.clamp(x, max=0)))
    assert_agree(phi.numpy(), (F.elu(x) + 1).numpy(), "phi vs F.elu + 1")
    return phi.numpy()


def phi_numpy(X):
    return np.where(X > 0, X + 1, np.exp(np.minimum(X, 0)))


def quadratic(Q, K, V, causal):
    """The definition: implied weights A_ij = phi(q_i).phi(k_j) (j <= i when causal), normalised with eps."""
    A = T(phi_torch(Q)) @ T(phi_torch(K)).T
    if causal:
        A = A * torch.tril(torch.ones(A.shape, dtype=torch.float64))
    W = A / (A.sum(dim=1, keepdim=True) + EPS)
    return (W @ T(V)).numpy(), W.numpy(), W.sum(dim=1).numpy()


def linear_numpy(Q, K, V, causal):
    """The linear (RNN) form: running sums S = sum phi(k)^T v and z = sum phi(k)."""
    pQ, pK = phi_numpy(Q), phi_numpy(K)
    if not causal:
        S, z = pK.T @ V, pK.sum(axis=0)
        return (pQ @ S) / (pQ @ z + EPS)[:, None]
    S_prefix = np.cumsum(pK[:, :, None] * V[:, None, :], axis=0)  # (n, d_k, d_v)
    z_prefix = np.cumsum(pK, axis=0)
    num = np.einsum("nk,nkv->nv", pQ, S_prefix)
    return num / (np.einsum("nk,nk->n", pQ, z_prefix) + EPS)[:, None]


def attention(Q, K, V, causal, name):
    out, W, sums = quadratic(Q, K, V, causal)
    assert_agree(out, linear_numpy(Q, K, V, causal), f"{name}: quadratic torch vs linear numpy ({causal=})")
    return out, W, sums


def softmax_attention(Q, K, V, causal, scale):
    S = scale * Q @ K.T
    M = np.tril(np.ones(S.shape, bool)) if causal else np.ones(S.shape, bool)
    t = torch.softmax(T(S).masked_fill(~torch.tensor(M), float("-inf")), dim=-1)
    assert_agree(t.numpy(), masked_softmax(S, M), "softmax torch vs numpy")
    return (t @ T(V)).numpy()


def normal(r, shape, scale=1.0, shift=0.0):
    return f32(r.standard_normal(shape) * scale + shift)


def plain_case(g, r, name, comment, n_q, n_k, d_k, d_v, causal_too):
    Q, K, V = normal(r, (n_q, d_k)), normal(r, (n_k, d_k)), normal(r, (n_k, d_v))
    c = g.case(name, comment)
    c.f32("Q", Q), c.f32("K", K), c.f32("V", V)
    c.f64("noncausal", attention(Q, K, V, False, name)[0])
    if causal_too:
        c.f64("causal", attention(Q, K, V, True, name)[0])
    return c, Q, K, V


def float32_literal_phi(X):
    """phi as (exp(x) - 1) + 1 rounded to float32 at each step: only for an assertion about the small_den case."""
    x = X.astype(np.float32)
    lit = (np.exp(x) - np.float32(1)) + np.float32(1)
    return np.where(x > 0, x + np.float32(1), lit).astype(np.float64)


def generate():
    g = GoldenFile("p20", __file__, seed=2020)
    r = rng(2020)

    # phi itself: ordinary values and very negative ones, where exp(x) must not be computed as (exp(x) - 1) + 1
    X = normal(r, (6, 8), scale=3.0)
    X[5] = [-80, -30, -20, -14, -1e-3, 0, 1e-3, 80]
    X[4, :4] = [-5, -1, 1, 5]
    X = f32(X)
    c = g.case("elu", "phi = F.elu + 1 of a 6×8 matrix: N(0, 3²) entries, then -80 .. 80 in row 5")
    c.f32("X", X)
    assert_agree(phi_torch(X), phi_numpy(X), "phi torch vs numpy")
    assert np.all(np.abs(phi_torch(X) - (F.elu(T(X)) + 1).numpy()) <= 1e-15)
    c.f64("phi", phi_torch(X))

    plain_case(g, r, "noncausal", "5 queries × 7 keys, d_k = 4, d_v = 3: non-causal, n_q != n_k", 5, 7, 4, 3, False)

    # causal, 9 tokens; also the streaming state after all 9 tokens and after the first 4
    c, Q, K, V = plain_case(g, r, "causal", "9 tokens, d_k = 4, d_v = 5: causal and non-causal; states after 4 and 9",
                            9, 9, 4, 5, True)
    pK = phi_torch(K)
    for n, suffix in [(9, ""), (4, "_after_4")]:
        S, z = T(pK[:n]).T @ T(V[:n]), T(pK[:n]).sum(dim=0)
        S_loop, z_loop = np.zeros((4, 5)), np.zeros(4)
        for j in range(n):
            S_loop += np.outer(phi_numpy(K[j]), V[j])
            z_loop += phi_numpy(K[j])
        assert_agree(S.numpy(), S_loop, f"state S{suffix}"), assert_agree(z.numpy(), z_loop, f"state z{suffix}")
        c.f64("S" + suffix, S.numpy()), c.f64("z" + suffix, z.numpy())

    plain_case(g, r, "wide", "32 tokens, d_k = d_v = 16: causal and non-causal", 32, 32, 16, 16, True)

    # keys near -13: phi(k) ~ 2e-6, so phi(q).z is 1e-5 .. 1e-4 and eps = 1e-6 moves the outputs by 1 % .. 10 %
    Q, K, V = normal(r, (6, 4)), normal(r, (6, 4), scale=0.5, shift=-13.0), normal(r, (6, 3))
    c = g.case("small_den", "6 tokens, d_k = 4, d_v = 3, keys ~ N(-13, 0.5²): phi(q).z ~ 1e-5, where eps matters")
    c.f32("Q", Q), c.f32("K", K), c.f32("V", V)
    for causal, name in [(False, "noncausal"), (True, "causal")]:
        out, W, sums = attention(Q, K, V, causal, "small_den")
        A = phi_torch(Q) @ phi_torch(K).T * (np.tril(np.ones((6, 6))) if causal else 1)
        no_eps = (A / A.sum(axis=1, keepdims=True)) @ V
        assert np.abs(no_eps - out).max() > 1e-3, "small_den: eps does not change the outputs enough"
        B = float32_literal_phi(Q) @ float32_literal_phi(K).T * (np.tril(np.ones((6, 6))) if causal else 1)
        literal = (B / (B.sum(axis=1, keepdims=True) + EPS)) @ V
        assert np.abs(literal - out).max() > 1e-3, "small_den: (exp(x) - 1) + 1 in float32 is not detected"
        assert sums.max() < 0.999 and sums.min() > 0.5, f"small_den: weight sums {sums} are not informative"
        c.f64(name, out), c.f64("weights_" + name, W), c.f64("weight_sums_" + name, sums)

    # keys 0 and 1 at -1e4: phi = 0, so they get no weight; causal rows 0 and 1 see nothing and are 0
    Q, K, V = normal(r, (6, 3)), normal(r, (6, 3)), normal(r, (6, 2))
    K[:2] = -1e4
    c = g.case("off_keys", "6 tokens, d_k = 3, d_v = 2; keys 0 and 1 are -1e4 (phi = 0): causal rows 0, 1 are 0")
    c.f32("Q", Q), c.f32("K", K), c.f32("V", V)
    causal_out = attention(Q, K, V, True, "off_keys")[0]
    assert np.abs(causal_out[:2]).max() == 0.0 and np.abs(causal_out[2:]).min() > 1e-3
    c.f64("causal", causal_out), c.f64("noncausal", attention(Q, K, V, False, "off_keys")[0])

    # the same random inputs through linear and softmax attention: different models, different numbers
    Q, K, V = normal(r, (6, 4)), normal(r, (6, 4)), normal(r, (6, 4))
    c = g.case("softmax", "6 tokens, d = 4: linear attention and softmax attention of the same inputs")
    c.f32("Q", Q), c.f32("K", K), c.f32("V", V)
    for causal, name in [(False, "noncausal"), (True, "causal")]:
        lin = attention(Q, K, V, causal, "softmax")[0]
        for scale, what in [(0.5, "scaled"), (1.0, "unscaled")]:
            soft = softmax_attention(Q, K, V, causal, scale)
            assert np.abs(soft - lin).max() > 0.05, f"softmax case: linear and {what} softmax are too close"
            c.f64(f"softmax_{what}_{name}", soft)
        c.f64("linear_" + name, lin)

    million_case(g, r)
    return g


def million_case(g, r):
    """N = 10^6 tokens, d = 8: self-attention of one sequence X with itself (Q = K = V = X), one period of P = 16
    rows repeated. X holds 0, 1 or 2 (phi = 1, 2, 3), so every running sum is an integer below 2^24 and exact in
    float32 too. One input matrix keeps the test's own memory and time small."""
    N, P, d, mid = 1_000_000, 16, 8, 499_992
    Xp = f32(r.integers(0, 3, (P, d)))
    pX = phi_numpy(Xp)
    S_period, z_period = pX.T @ Xp, pX.sum(axis=0)

    def closed_form(rows):
        """Row i sees (i + 1) // P whole periods plus the first (i + 1) % P rows of one more."""
        out = np.zeros((len(rows), d))
        for n, i in enumerate(rows):
            whole, part = divmod(i + 1, P)
            S = whole * S_period + pX[:part].T @ Xp[:part]
            z = whole * z_period + pX[:part].sum(axis=0)
            q = pX[i % P]
            out[n] = (q @ S) / (q @ z + EPS)
        return out

    head, middle, tail = range(0, P), range(mid, mid + P), range(N - P, N)
    expected = {"causal_head": closed_form(head), "causal_middle": closed_form(middle),
                "causal_tail": closed_form(tail)}
    total_S, total_z = (N // P) * S_period, (N // P) * z_period
    noncausal = (pX @ total_S) / (pX @ total_z + EPS)[:, None]

    # cross-checks: the first period by the quadratic torch form, every row by summing 10^6 outer products
    assert_agree(expected["causal_head"], quadratic(Xp, Xp, Xp, True)[0], "million: head vs quadratic")
    S, z, chunk = np.zeros((d, d)), np.zeros(d), 100_000
    pX_chunk, X_chunk = np.tile(pX, (chunk // P, 1)), np.tile(Xp, (chunk // P, 1))
    wanted = {i: (key, n) for key, rows in [("causal_middle", middle), ("causal_tail", tail)] for n, i in
              enumerate(rows)}
    for start in range(0, N, chunk):
        S_prefix = S + np.cumsum(pX_chunk[:, :, None] * X_chunk[:, None, :], axis=0)
        z_prefix = z + np.cumsum(pX_chunk, axis=0)
        for i, (key, n) in wanted.items():
            if start <= i < start + chunk:
                q = pX_chunk[i - start]
                row = (q @ S_prefix[i - start]) / (q @ z_prefix[i - start] + EPS)
                assert_agree(row, expected[key][n], f"million: row {i} closed form vs running sum")
        S, z = S_prefix[-1], z_prefix[-1]
    assert_agree(S, total_S, "million: total S"), assert_agree(z, total_z, "million: total z")
    assert np.abs(S).max() < 2 ** 24 and z.max() < 2 ** 24, "million: sums are not exact in float32"
    # the rows are far from the mean of the values seen, so weighing keys equally cannot pass
    assert np.abs(noncausal - Xp.mean(axis=0)).max() > 0.05
    assert np.abs(expected["causal_head"] - np.cumsum(Xp, axis=0) / np.arange(1, P + 1)[:, None]).max() > 0.05

    c = g.case("million", "10^6 tokens, d = 8, Q = K = V = X: one period of 16 rows repeated 62 500 times, "
                          "entries 0, 1, 2")
    c.scalar("n_tokens", N, "int"), c.scalar("period", P, "int"), c.scalar("middle_start", mid, "int")
    c.f32("X_period", Xp)
    c.f64("noncausal_period", noncausal)
    for key, value in expected.items():
        c.f64(key, value)
