"""p26 tacotron2_location_sensitive: location-sensitive attention with cumulative weights (Chorowski et al. 2015,
Tacotron 2). Per decoder step i: F = Conv1d(2 -> n_f, r, padding (r-1)/2, no bias) over [α_prev; α_cum],
e_j = v . tanh(q_i W_query + m_j W_memory + F_j W_location) over the valid positions, α_i = softmax, c_i = α_i H,
then α_prev = α_i and α_cum += α_i. Formulation 1: torch.nn.Conv1d on the whole (2, T_in) state with -inf masking,
as NVIDIA's tacotron2 does. Formulation 2: numpy, the cross-correlation sum written out for the valid positions
only. Content-only attention (W_location = 0), the delta-kernel case (F = α_cum) and the closed-loop decoder each
have a third, direct formulation. All are cross-checked to 1e-12 before anything is written.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng


# ---- formulation 1: torch.nn.Conv1d on the full state, -inf masking (NVIDIA tacotron2 model.py) ----

def torch_step(H, processed, q, valid_len, P, prev, cum):
    t = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
    K = P["conv"]  # (n_f, 2, r)
    conv = torch.nn.Conv1d(2, K.shape[0], K.shape[2], padding=(K.shape[2] - 1) // 2, bias=False).double()
    with torch.no_grad():
        conv.weight.copy_(t(K))
        F = conv(torch.stack([t(prev), t(cum)])[None])[0].T  # (T_in, n_f)
        E = torch.tanh(t(q) @ t(P["W_query"]) + t(processed) + F @ t(P["W_location"])) @ t(P["v"])
        keep = torch.arange(H.shape[0]) < valid_len
        a = torch.nan_to_num(torch.softmax(E.masked_fill(~keep, float("-inf")), dim=0), nan=0.0)
        c = a[keep] @ t(H[:valid_len])
    return a.numpy(), c.numpy()


# ---- formulation 2: numpy, F(j, f) = Σ_c Σ_u K[f, c, u] α_c[j + u - (r-1)/2] for the valid j only ----

def numpy_step(H, processed, q, valid_len, P, prev, cum):
    K = P["conv"]
    n_f, _, r = K.shape
    T_in, half = H.shape[0], (r - 1) // 2
    a = np.zeros(T_in)
    if valid_len == 0:
        return a, np.zeros(H.shape[1])
    F = np.zeros((valid_len, n_f))
    for j in range(valid_len):
        for f in range(n_f):
            for c, alpha in enumerate([prev, cum]):
                for u in range(r):
                    if 0 <= j + u - half < T_in:
                        F[j, f] += K[f, c, u] * alpha[j + u - half]
    e = np.array([P["v"] @ np.tanh(q @ P["W_query"] + processed[j] + F[j] @ P["W_location"])
                  for j in range(valid_len)])
    z = np.exp(e - e.max())
    a[:valid_len] = z / z.sum()
    return a, a[:valid_len] @ H[:valid_len]


def run(step, H, Q, valid_len, P, feedback=None):
    """T_out steps from a zero state. With feedback = (X, W_fb) query i is tanh(X_i + c_{i-1} W_fb), c_{-1} = 0."""
    T_in, T_out = H.shape[0], Q.shape[0]
    processed = np.nan_to_num(H) @ P["W_memory"]
    prev, cum = np.zeros(T_in), np.zeros(T_in)
    A, C, cums = np.zeros((T_out, T_in)), np.zeros((T_out, H.shape[1])), np.zeros((T_out, T_in))
    context = np.zeros(H.shape[1])
    for i in range(T_out):
        q = Q[i] if feedback is None else np.tanh(feedback[0][i] + context @ feedback[1])
        a, context = step(H, processed, q, valid_len, P, prev, cum)
        prev, cum = a, cum + a
        A[i], C[i], cums[i] = a, context, cum
    return A, C, cums


def both(H, Q, valid_len, P, what, feedback=None):
    one, two = run(torch_step, H, Q, valid_len, P, feedback), run(numpy_step, H, Q, valid_len, P, feedback)
    for k, (x, y) in enumerate(zip(one, two)):
        assert_agree(x, y, f"{what}: {['alignments', 'contexts', 'cumulative'][k]} torch Conv1d vs numpy loop")
    return one


def content_only(H, Q, valid_len, P):
    """Bahdanau additive attention with the same W_query, W_memory, v and no location term (p18's definition)."""
    A = np.zeros((Q.shape[0], H.shape[0]))
    for i in range(Q.shape[0]):
        e = np.array([P["v"] @ np.tanh(Q[i] @ P["W_query"] + H[j] @ P["W_memory"]) for j in range(valid_len)])
        if valid_len:
            z = np.exp(e - e.max())
            A[i, :valid_len] = z / z.sum()
    return A, A[:, :valid_len] @ H[:valid_len]


# ---- inputs ----

def params(r_, d_q, d_e, d_a, n_f, r, v_scale=1.0, proj_scale=None, loc_scale=2.0):
    n = r_.standard_normal
    P = dict(W_query=n((d_q, d_a)) * (proj_scale or 1 / np.sqrt(d_q)),
             W_memory=n((d_e, d_a)) * (proj_scale or 1 / np.sqrt(d_e)),
             conv=n((n_f, 2, r)) / np.sqrt(r),
             W_location=n((n_f, d_a)) * loc_scale / np.sqrt(n_f),
             v=n(d_a) * v_scale)
    return {k: f32(x) for k, x in P.items()}


def emit_inputs(c, H, Q, valid_len, P):
    c.f32("memory", H), c.f32("queries", Q), c.scalar("valid_len", valid_len, "int")
    c.f32("W_query", P["W_query"]), c.f32("W_memory", P["W_memory"])
    emit_conv(c, "conv", P["conv"])
    c.f32("W_location", P["W_location"]), c.f32("v", P["v"])  # v is (d_a, 1): a column, converts to attn::Vec


def emit_conv(c, name, K):
    """(n_f, 2, r) as (2 n_f, r): rows 2f and 2f+1 are filter f's α_prev and α_cum rows."""
    c.f32(name, K.reshape(-1, K.shape[2]))


def location_matters(A, A_content, what, at_least=0.05):
    gap = np.abs(A[1:] - A_content[1:]).max(initial=0.0)
    assert gap > at_least, f"{what}: the location term moves the weights by only {gap:g}"


def discriminates(H, Q, valid_len, P, A, what):
    """The golden values tell the classic mistakes apart from the definition."""
    wrong = {"flipped kernel (true convolution)": dict(P, conv=P["conv"][:, :, ::-1].copy()),
             "swapped channels": dict(P, conv=P["conv"][:, ::-1, :].copy())}
    for name, Pw in wrong.items():
        gap = np.abs(run(numpy_step, H, Q, valid_len, Pw)[0] - A).max()
        assert gap > 1e-3, f"{what}: {name} is only {gap:g} away"


def lsa_case(g, r_, name, comment, T_in, valid_len, T_out, d_e, d_q, d_a, n_f, r, **kw):
    P = params(r_, d_q, d_e, d_a, n_f, r, **kw)
    H, Q = f32(r_.standard_normal((T_in, d_e))), f32(r_.standard_normal((T_out, d_q)))
    A, C, cums = both(H, Q, valid_len, P, name)
    assert np.all(A[:, valid_len:] == 0) and np.allclose(A.sum(1), 1.0 if valid_len else 0.0, atol=1e-12)
    A_content, C_content = content_only(H, Q, valid_len, P)
    # step 0 sees a zero state: F = 0, so it is content-only attention whatever the kernels
    assert_agree(A[:1], A_content[:1], f"{name}: step 0 vs content-only")
    location_matters(A, A_content, name)
    discriminates(H, Q, valid_len, P, A, name)
    c = g.case(name, comment)
    emit_inputs(c, H, Q, valid_len, P)
    c.f64("alignments", A), c.f64("contexts", C)
    return c, H, Q, P, dict(A=A, C=C, cums=cums, A_content=A_content, C_content=C_content)


def generate():
    g = GoldenFile("p26", __file__, seed=2626)
    r_ = rng(2626)

    lsa_case(g, r_, "random", "T_in = valid_len = 7, T_out = 5, d_e = 4, d_q = 5, d_a = 6, n_f = 3, r = 5",
             7, 7, 5, 4, 5, 6, 3, 5)

    c, H, Q, P, got = lsa_case(g, r_, "padded",
                               "T_in = 10, valid_len = 7 (rows 7..9 padding), T_out = 8, d_e = 5, d_q = 6, d_a = 8, "
                               "n_f = 4, r = 3", 10, 7, 8, 5, 6, 8, 4, 3)
    valid_len = 7
    # W_location = 0 (and, equally, zero kernels): every step is content-only additive attention
    for Pz, what in [(dict(P, W_location=np.zeros_like(P["W_location"])), "W_location = 0"),
                     (dict(P, conv=np.zeros_like(P["conv"])), "zero kernels")]:
        A0, C0, _ = both(H, Q, valid_len, Pz, f"padded, {what}")
        assert_agree(A0, got["A_content"], f"padded, {what} vs content-only")
        assert_agree(C0, got["C_content"], f"padded, {what} contexts vs content-only")
    c.f64("content_alignments", got["A_content"]), c.f64("content_contexts", got["C_content"])
    c.f64("cumulative", got["cums"])  # row i: α_cum after step i (the state step i+1 reads)

    # resuming at step 4 from a float32 copy of the state after step 3
    k = 4
    prev, cum = f32(got["A"][k - 1]), f32(got["cums"][k - 1])
    processed = H @ P["W_memory"]
    a1, c1 = torch_step(H, processed, Q[k], valid_len, P, prev, cum)
    a2, c2 = numpy_step(H, processed, Q[k], valid_len, P, prev, cum)
    assert_agree(a1, a2, "resume alignment")
    assert_agree(c1, c2, "resume context")
    c = g.case("resume", "the padded case at step 4, given the state after step 3 rounded to float32")
    c.scalar("step", k, "int")
    c.f32("alpha_prev", prev), c.f32("alpha_cum", cum)
    c.f64("alignment", a1), c.f64("context", c1.reshape(1, -1)), c.f64("next_cum", cum + a1)

    # delta kernel: one filter, 1 at the centre of the α_cum row, so F = α_cum exactly
    K = np.zeros((1, 2, 5))
    K[0, 1, 2] = 1.0
    Pd = dict(P, conv=K, W_location=f32(3 * r_.standard_normal((1, 8))))
    A, C, cums = both(H, Q, valid_len, Pd, "delta")
    direct = run(delta_step, H, Q, valid_len, Pd)
    assert_agree(A, direct[0], "delta: Conv1d vs F = α_cum")
    assert_agree(C, direct[1], "delta: contexts, Conv1d vs F = α_cum")
    location_matters(A, got["A_content"], "delta")
    Ps = dict(Pd, conv=K[:, ::-1, :].copy())  # the same delta on the α_prev row: differs from step 2 on
    assert np.abs(run(numpy_step, H, Q, valid_len, Ps)[0] - A).max() > 1e-3
    c = g.case("delta", "the padded inputs with one filter, 1 at the centre of its α_cum row: F = α_cum")
    emit_conv(c, "conv", K), c.f32("W_location", Pd["W_location"])
    c.f64("alignments", A), c.f64("contexts", C)

    # a decoder whose query depends on the previous context, as Tacotron 2's attention RNN does
    X, W_fb = f32(r_.standard_normal((8, 6))), f32(r_.standard_normal((5, 6)) / np.sqrt(5))
    A, C, _ = both(H, Q, valid_len, P, "closed loop", feedback=(X, W_fb))
    direct = closed_loop_direct(H, X, W_fb, valid_len, P)
    assert_agree(A, direct[0], "closed loop: alignments vs functional conv1d")
    assert_agree(C, direct[1], "closed loop: contexts vs functional conv1d")
    c = g.case("closed_loop", "the padded inputs; query i = tanh(x_i + c_{i-1} W_fb), c_{-1} = 0")
    c.f32("x", X), c.f32("W_fb", W_fb)
    c.f64("alignments", A), c.f64("contexts", C)

    lsa_case(g, r_, "long_kernel", "r = 9 wider than T_in = 5 (valid_len = 4): zero padding, no throw; T_out = 6",
             5, 4, 6, 3, 4, 5, 2, 9)
    c, H, Q, P, got = lsa_case(g, r_, "large", "v ~ N(0, 40²), saturated tanh: |energies| beyond 88; T_out = 6",
                               9, 8, 6, 4, 4, 6, 3, 5, v_scale=40.0, proj_scale=1.5)
    top = max(np.abs(np.tanh(Q[i] @ P["W_query"] + H[:8] @ P["W_memory"]) @ P["v"]).max() for i in range(6))
    assert top > 88, f"large: |energy| only {top:g}"
    lsa_case(g, r_, "tacotron", "Tacotron 2's n_f = 32, r = 31; T_in = 48, valid_len = 41, T_out = 24, d_e = 16, "
             "d_q = 24, d_a = 32", 48, 41, 24, 16, 24, 32, 32, 31)
    return g


def delta_step(H, processed, q, valid_len, P, prev, cum):
    """F = α_cum: the location term of position j is α_cum[j] W_location, nothing convolved (prev is unused)."""
    a = np.zeros(H.shape[0])
    e = np.tanh(q @ P["W_query"] + processed[:valid_len] + np.outer(cum[:valid_len], P["W_location"][0])) @ P["v"]
    z = np.exp(e - e.max())
    a[:valid_len] = z / z.sum()
    return a, a[:valid_len] @ H[:valid_len]


def closed_loop_direct(H, X, W_fb, valid_len, P):
    """The feedback loop written out with torch's Conv1d functional form, state kept as a (1, 2, T_in) tensor."""
    t = lambda a: torch.tensor(np.asarray(a), dtype=torch.float64)  # noqa: E731
    K, T_in = t(P["conv"]), H.shape[0]
    state, context = torch.zeros(1, 2, T_in, dtype=torch.float64), torch.zeros(H.shape[1], dtype=torch.float64)
    Hv = t(H[:valid_len])
    A, C = [], []
    for i in range(X.shape[0]):
        q = torch.tanh(t(X[i]) + context @ t(W_fb))
        F = torch.nn.functional.conv1d(state, K, padding=(K.shape[2] - 1) // 2)[0, :, :valid_len].T
        e = torch.tanh(q @ t(P["W_query"]) + Hv @ t(P["W_memory"]) + F @ t(P["W_location"])) @ t(P["v"])
        a = torch.zeros(T_in, dtype=torch.float64)
        a[:valid_len] = torch.softmax(e, 0)
        context = a[:valid_len] @ Hv
        state = torch.stack([a, state[0, 1] + a])[None]
        A.append(a.numpy()), C.append(context.numpy())
    return np.array(A), np.array(C)
