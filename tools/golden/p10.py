"""p10 monotonic_attention: the expected (soft) alignment of hard monotonic attention (Raffel et al., ICML 2017),
the hard test-time alignment, and the contexts c_i = sum_j alpha_ij h_j.

Expected values come from the alignment as a Markov chain over input frames, in torch float64: a walk that starts
at frame k (with probability alpha_{i-1,k}) passes frames k .. j-1 without stopping and stops at j, so
alpha_i = alpha_{i-1} @ M_i with M_i[k, j] = prod_{m=k}^{j-1} (1 - p_im) * p_ij for k <= j (0 below the
diagonal). Products of numbers in [0, 1], no division: exact where the closed form is not.
Cross-checked with TensorFlow's two other formulations written in numpy: the division-free recursion
("recursive" mode) on every case, and the closed form p * cumprod_excl(1-p) * cumsum(alpha_{i-1} / cumprod_excl(1-p))
("parallel" mode, unclipped) only on short inputs, where float64 still holds it (it turns NaN from about input 878
at moderate p and at once where p = 1: problem-set.md p10, "Corrections"). The hard alignment (first j >= t_{i-1}
with p_ij >= threshold, compared in float32 as the C++ side does) is a scan, cross-checked with TensorFlow's "hard"
mode formulation (binarise, mask by cumsum(alpha_{i-1}), exclusive cumprod). The stability cases also assert that
the cumprod-division form in float32 (plain, and TensorFlow's clipped "parallel" mode) really fails them.
"""
import numpy as np
import torch

from common import GoldenFile, assert_agree, f32, rng

T1_RTOL, T1_ATOL = 1.3e-6, 1e-5


# ---- expected alignment: three formulations ----

def markov_alignment(P):
    """alpha_i = alpha_{i-1} @ M_i, alpha_0 = delta_0 (torch, float64). Returns (T_out, T_in)."""
    Pt = torch.tensor(P, dtype=torch.float64)
    T_out, T_in = Pt.shape
    out = torch.zeros((T_out, T_in), dtype=torch.float64)
    if T_in == 0:
        return out.numpy()
    prev = torch.zeros(T_in, dtype=torch.float64)
    prev[0] = 1.0
    upper = torch.triu(torch.ones(T_in, T_in, dtype=torch.bool))  # m >= k
    for i in range(T_out):
        one_minus = (1.0 - Pt[i]).expand(T_in, T_in)  # [k, m] = 1 - p_im
        # C[k, m] = prod_{m'=k}^{m} (1 - p_im') for m >= k
        C = torch.cumprod(torch.where(upper, one_minus, torch.ones_like(one_minus)), dim=1)
        # passing frames k .. j-1: C[k, j-1] for j > k, 1 for j = k, 0 for j < k
        passed = torch.zeros(T_in, T_in, dtype=torch.float64)
        passed[:, 1:] = C[:, :-1]
        passed = torch.where(upper, passed, torch.zeros_like(passed))
        passed.fill_diagonal_(1.0)
        prev = (prev @ passed) * Pt[i]
        out[i] = prev
    return out.numpy()


def recursive_alignment(P):
    """TensorFlow's 'recursive' mode in numpy: q_j = (1 - p_{j-1}) q_{j-1} + alpha_{i-1,j}, alpha_ij = p_ij q_j."""
    T_out, T_in = P.shape
    out = np.zeros((T_out, T_in))
    prev = np.zeros(T_in)
    if T_in:
        prev[0] = 1.0
    for i in range(T_out):
        q = 0.0
        for j in range(T_in):
            q = (1.0 - P[i, j - 1]) * q + prev[j] if j else prev[0]
            out[i, j] = P[i, j] * q
        prev = out[i]
    return out


def closed_form_alignment(P, dtype=np.float64, clip=None, safe_cumprod=False):
    """TensorFlow's 'parallel' mode: p * cumprod_excl(1-p) * cumsum(alpha_{i-1} / cumprod_excl(1-p)).
    dtype=float32 emulates a float32 implementation; clip=(1e-10, 1) and safe_cumprod=True are TF's numeric checks."""
    P = P.astype(dtype)
    T_out, T_in = P.shape
    out = np.zeros((T_out, T_in), dtype)
    prev = np.zeros(T_in, dtype)
    prev[0] = 1
    with np.errstate(all="ignore"):
        for i in range(T_out):
            one_minus = (1 - P[i]).astype(dtype)
            if safe_cumprod:
                tiny = np.finfo(dtype).tiny
                logs = np.log(np.clip(one_minus, tiny, 1)).astype(dtype)
                c = np.exp(np.concatenate([[dtype(0)], np.cumsum(logs, dtype=dtype)[:-1]])).astype(dtype)
            else:
                c = np.concatenate([[dtype(1)], np.cumprod(one_minus, dtype=dtype)[:-1]]).astype(dtype)
            denom = np.clip(c, *clip).astype(dtype) if clip else c
            out[i] = P[i] * c * np.cumsum(prev / denom, dtype=dtype)
            prev = out[i]
    return out


def within_t1(got, expected):
    return bool(np.all(np.isfinite(got)) and np.all(np.abs(got - expected) <= T1_ATOL + T1_RTOL * np.abs(expected)))


# ---- hard alignment: two formulations ----

def hard_scan(P32, threshold):
    """The test-time decoder: t_0 = 0; row i takes the first j >= t_{i-1} with p_ij >= threshold (float32 compare);
    none: this row and every later row are 0."""
    T_out, T_in = P32.shape
    thr = np.float32(threshold)
    out = np.zeros((T_out, T_in))
    t = 0
    for i in range(T_out):
        chosen = next((j for j in range(t, T_in) if P32[i, j] >= thr), None)
        if chosen is None:
            break
        out[i, chosen] = 1.0
        t = chosen
    return out


def hard_tf(P32, threshold):
    """TensorFlow's 'hard' mode on binarised probabilities: p *= cumsum(alpha_{i-1}); alpha = p * cumprod_excl(1-p)."""
    T_out, T_in = P32.shape
    out = np.zeros((T_out, T_in))
    prev = np.zeros(T_in)
    if T_in:
        prev[0] = 1.0
    for i in range(T_out):
        b = (P32[i] >= np.float32(threshold)).astype(np.float64) * np.cumsum(prev)
        out[i] = b * np.concatenate([[1.0], np.cumprod(1 - b)[:-1]])
        prev = out[i]
    return out


# ---- contexts: two formulations ----

def contexts_loop(A, H):
    """c_i = sum over the frames with nonzero weight of alpha_ij h_j (zero-weight frames are never read)."""
    out = np.zeros((A.shape[0], H.shape[1]))
    for i in range(A.shape[0]):
        for j in np.flatnonzero(A[i]):
            out[i] += A[i, j] * H[j]
    return out


def contexts_torch(A, H):
    return (torch.tensor(A, dtype=torch.float64) @ torch.tensor(H, dtype=torch.float64)).numpy()


# ---- cases ----

def expected_of(name, P, closed_form_ok):
    A = markov_alignment(P)
    assert_agree(A, recursive_alignment(P), f"{name}: Markov chain vs recursion")
    if closed_form_ok:
        assert_agree(A, closed_form_alignment(P), f"{name}: Markov chain vs float64 closed form")
    assert np.all(A >= 0) and np.all(np.diff(A.sum(1)) <= 1e-15) and np.all(A.sum(1) <= 1 + 1e-15), name
    return A


def hard_of(name, P, threshold=0.5):
    P32 = P.astype(np.float32)
    Hd = hard_scan(P32, threshold)
    assert_agree(Hd, hard_tf(P32, threshold), f"{name}: hard scan vs TF hard mode", tol=0.0)
    return Hd


def contexts_of(name, A, H):
    C = contexts_loop(A, H)
    assert_agree(C, contexts_torch(A, H), f"{name}: contexts loop vs torch")
    return C


def assert_cumprod_fails(name, P, A, clipped_too):
    """The case must stress the cumprod-division form: in float32 it leaves T1 (NaN, inf or lost mass)."""
    plain = closed_form_alignment(P, np.float32)
    assert not within_t1(plain, A), f"{name}: the float32 cumprod-division form passes; the case is too easy"
    if clipped_too:
        tf = closed_form_alignment(P, np.float32, clip=(1e-10, 1.0), safe_cumprod=True)
        assert not within_t1(tf, A), f"{name}: TF's clipped float32 'parallel' form passes"


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def generate():
    g = GoldenFile("p10", __file__, seed=1010)
    r = rng(1010)

    # the statement's hand table (p = 0.5 everywhere, 3 x 4) must hold in every formulation
    half = np.full((3, 4), 0.5)
    table = np.array([[0.5, 0.25, 0.125, 0.0625], [0.25, 0.25, 0.1875, 0.125], [0.125, 0.1875, 0.1875, 0.15625]])
    assert_agree(expected_of("half", half, True), table, "the statement's p = 0.5 table", tol=0.0)
    assert_agree(contexts_of("half", table, np.arange(1.0, 5.0)[:, None]), [[1.625], [1.8125], [1.6875]],
                 "the statement's contexts with h_j = j + 1", tol=0.0)

    # random: the spec's graded case, p in [0.05, 0.95], short enough for the closed form
    P = f32(r.uniform(0.05, 0.95, (5, 8)))
    H = f32(r.standard_normal((8, 3)))
    A, Hd = expected_of("random", P, True), hard_of("random", P)
    assert within_t1(closed_form_alignment(P, np.float32), A), "random: short inputs are the closed form's home"
    c = g.case("random", "5 output steps x 8 frames, p ~ U[0.05, 0.95]; H is 8 x 3")
    c.f32("P", P), c.f32("H", H)
    c.f64("expected", A), c.f64("hard", Hd)
    c.f64("contexts_expected", contexts_of("random", A, H)), c.f64("contexts_hard", contexts_of("random", Hd, H))

    # speech: a diagonal alignment, energies peaking near frame tau_i, as a trained ASR decoder produces
    T_out, T_in = 10, 240
    tau = 22 * np.arange(1, T_out + 1) + r.integers(-4, 5, T_out)
    frames = np.arange(T_in)
    bump = np.exp(-((frames[None, :] - tau[:, None]) ** 2) / (2 * 3.0 ** 2))
    E = 9 * bump - 5 + 0.7 * r.standard_normal((T_out, T_in))
    P = f32(sigmoid(E))
    H = f32(r.standard_normal((T_in, 4)))
    A, Hd = expected_of("speech", P, True), hard_of("speech", P)
    assert Hd.sum() == T_out, "speech: the hard decoder must choose a frame at every step"
    c = g.case("speech", "10 output steps x 240 frames, energies peaking near frame 22 i; H is 240 x 4")
    c.f32("P", P), c.f32("H", H)
    c.f64("expected", A), c.f64("hard", Hd)
    c.f64("contexts_expected", contexts_of("speech", A, H)), c.f64("contexts_hard", contexts_of("speech", Hd, H))

    # hard: ties at exactly 0.5 and at exactly 0.8f; row 3 finds nothing at or after t_2 (so rows 3.. are 0, though
    # row 4 has p = 0.99 at frame 9); also graded with threshold 0.8
    P = f32(r.uniform(0.0, 0.45, (6, 10)))
    P[0, 2], P[0, 3] = 0.5, 0.8   # ties: threshold 0.5 chooses frame 2, threshold 0.8 frame 3
    P[1, 1] = 0.97                # before t_1: never looked at
    P[1, 2], P[1, 3] = 0.7, 0.8   # threshold 0.5 stays on frame 2; threshold 0.8 stays on frame 3 (a tie)
    P[2, 4], P[2, 6] = 0.6, 0.85  # threshold 0.5 -> 4; threshold 0.8 -> 6
    P[3, 1] = 0.99                # before t_3: never looked at; nothing else in row 3 reaches 0.5
    P[4, 9] = 0.99                # would be chosen if the scan went on after an empty row
    P[5, 9] = 0.99
    P = f32(P)
    H = f32(r.standard_normal((10, 2)))
    Hd, Hd8 = hard_of("hard", P, 0.5), hard_of("hard", P, 0.8)
    assert [np.argmax(row) for row in Hd[:3]] == [2, 2, 4] and not Hd[3:].any()
    assert [np.argmax(row) for row in Hd8[:3]] == [3, 3, 6] and not Hd8[3:].any()
    c = g.case("hard", "6 x 10: p exactly 0.5 and 0.8 (ties choose), row 3 chooses nothing; H is 10 x 2")
    c.f32("P", P), c.f32("H", H)
    c.f64("hard", Hd), c.f64("hard_08", Hd8), c.f64("expected", expected_of("hard", P, True))
    c.f64("contexts_hard", contexts_of("hard", Hd, H))

    # binary: p in {0, 1}; the expected alignment is then the hard one exactly
    P = f32((r.uniform(size=(7, 12)) < 0.3).astype(float))
    P[0, 3] = 1.0
    P[1, 3:] = 0.0
    P[1, 6] = 1.0
    P[4, 6:] = 0.0  # row 4 chooses nothing after t_3: rows 4.. are 0
    Hd = hard_of("binary", P)
    assert_agree(expected_of("binary", P, False), Hd, "binary: expected alignment vs hard alignment", tol=0.0)
    assert Hd[:4].sum() == 4 and not Hd[4:].any()
    c = g.case("binary", "7 x 12, p in {0, 1}: expected alignment = hard alignment; rows 4.. choose nothing")
    c.f32("P", P)
    c.f64("hard", Hd)

    # stop: p = 1 at frame 6 of every row, so no walk ever passes frame 6: frames 7..11 get weight exactly 0 in
    # every row of both alignments (the streaming encoder has not produced them yet)
    P = f32(r.uniform(0.05, 0.6, (4, 12)))
    P[:, 6] = 1.0
    H = f32(r.standard_normal((12, 3)))
    A, Hd = expected_of("stop", P, False), hard_of("stop", P)
    assert not A[:, 7:].any() and not Hd[:, 7:].any()
    c = g.case("stop", "4 x 12, p = 1 at frame 6 of every row: frames 7..11 are never reached; H is 12 x 3")
    c.f32("P", P), c.f32("H", H)
    c.f64("expected", A), c.f64("hard", Hd)
    c.f64("contexts_expected", contexts_of("stop", A, H)), c.f64("contexts_hard", contexts_of("stop", Hd, H))

    # near_one: a confident decoder. Row i stops at frame tau_i = 10 (i + 1) with p = 1 exactly; frames it already
    # passed have p = 1 - 2^-20 (they would stop a walk, but no mass is left there), frames between have p = 2^-20.
    # cumprod_excl(1 - p) at tau_{i-1} is 2^-(20 tau_{i-1}): 0 in float32 from frame 8 on, and 0 after a p = 1.
    T_out, T_in = 6, 64
    P = np.full((T_out, T_in), 2.0 ** -20)
    for i in range(T_out):
        start, stop = 10 * i, 10 * (i + 1)
        P[i, :start] = 1 - 2.0 ** -20
        P[i, stop] = 1.0
        P[i, stop + 1:] = 1 - 2.0 ** -20
    P = f32(P)
    A = expected_of("near_one", P, False)
    assert_cumprod_fails("near_one", P, A, clipped_too=True)
    c = g.case("near_one",
               "6 x 64, step i: p = 1 - 2^-20 on passed frames, exactly 1 at frame 10 (i + 1), 2^-20 between")
    c.f32("P", P)
    c.f64("expected", A)

    # behind: the mass of step 0 sits at frame 100, behind a run of p = 0.9 in steps 1 and 2 (0.1^100 underflows
    # float32; float64 still holds the closed form here)
    P = np.zeros((3, 120))
    P[0, :100], P[0, 100], P[0, 101:] = 0.01, 0.9, 0.3
    P[1, :100], P[1, 100:] = 0.9, 0.5
    P[2, :104], P[2, 104:] = 0.9, 0.6
    P = f32(P)
    A = expected_of("behind", P, True)
    assert A[1, 100] > 0.1, "behind: step 2 must carry real mass at frame 100"
    assert_cumprod_fails("behind", P, A, clipped_too=True)
    c = g.case("behind", "3 x 120: step 0 ends near frame 100; steps 1 and 2 have p = 0.9 on frames 0..99")
    c.f32("P", P)
    c.f64("expected", A)

    # long: 2000 frames. Step i (0-based) stops near tau_i = 300 (i + 1): p ~ U[0.0002, 0.001] from tau_{i-1} to
    # tau_i, 0.97 at tau_i, and long runs of p ~ U[0.3, 0.7] before tau_{i-1} and after tau_i. The closed form's
    # cumprod reaches about e^-220 by frame 300 (float32 underflow) and e^-870 by frame 1200 (float64 underflow).
    T_out, T_in = 5, 2000
    P = r.uniform(0.3, 0.7, (T_out, T_in))
    for i in range(T_out):
        prev_tau, t = 300 * i, 300 * (i + 1)
        P[i, prev_tau:t] = r.uniform(0.0002, 0.001, t - prev_tau)
        P[i, t] = 0.97
    P = f32(P)
    A = expected_of("long", P, False)
    assert not np.all(np.isfinite(closed_form_alignment(P))), "long: the float64 closed form should fail here"
    assert A[-1, 1500] > 0.1, "long: the last step must carry real mass at frame 1500"
    assert_cumprod_fails("long", P, A, clipped_too=True)
    c = g.case("long_runs", "5 x 2000: step i stops near frame 300 (i + 1), behind long runs of p ~ U[0.3, 0.7]")
    c.f32("P", P)
    c.f64("expected", A)
    return g
