"""p28 cbam_channel_spatial: CBAM as in the paper, computed by torch in float64 on an NCHW tensor: adaptive avg
and max pooling, the shared MLP with F.linear (PyTorch weights are (out, in): W0.T, W1.T), torch.cat([mean, max])
over channels and torch.nn.functional.conv2d with zero padding (k-1)/2 and a bias. The (H·W, C) map of the set
(row h·W + w) is converted to NCHW here and back, never by the learner's code. Cross-checked against a numpy
loop written from the definition (pixel p = h·W + w, explicit cross-correlation with bounds checks). The same
loop, with one mistake switched on, confirms that every graded case tells each classic mistake apart from the
truth; those variants are only asserted on, never written.
"""
import numpy as np
import torch
import torch.nn.functional as TF

from common import GoldenFile, assert_agree, f32, rng


def to_nchw(F, H, W):
    """(H·W, C), row h·W + w  ->  (1, C, H, W) float64 tensor."""
    return torch.tensor(F.reshape(H, W, -1).transpose(2, 0, 1)[None].copy(), dtype=torch.float64)


def to_rows(x):
    """(1, C, H, W)  ->  (H·W, C), row h·W + w."""
    return x[0].permute(1, 2, 0).reshape(-1, x.shape[1]).numpy()


def torch_cbam(F, H, W, P, spatial_input=None):
    """Channel then spatial attention, torch float64 on NCHW. spatial_input: run only the spatial gate on it."""
    t = lambda a: torch.tensor(a, dtype=torch.float64)  # noqa: E731
    weight = t(np.stack([P["K_avg"], P["K_max"]])[None])  # (out 1, in 2 = [avg, max], k, k)
    k = weight.shape[-1]

    def spatial_gate(x):
        pooled = torch.cat([x.mean(dim=1, keepdim=True), x.amax(dim=1, keepdim=True)], dim=1)  # [avg; max]
        return torch.sigmoid(TF.conv2d(pooled, weight, t([P["b_s"]]), padding=(k - 1) // 2))  # (1, 1, H, W)

    if spatial_input is not None:
        return spatial_gate(to_nchw(spatial_input, H, W))[0, 0].numpy()
    x = to_nchw(F, H, W)
    mlp = lambda z: TF.linear(torch.relu(TF.linear(z, t(P["W0"]).T, t(P["b0"]))), t(P["W1"]).T, t(P["b1"]))  # noqa
    avg = TF.adaptive_avg_pool2d(x, 1).flatten(1)  # (1, C)
    mx = TF.adaptive_max_pool2d(x, 1).flatten(1)
    m_c = torch.sigmoid(mlp(avg) + mlp(mx))  # (1, C)
    refined = x * m_c[:, :, None, None]
    m_s = spatial_gate(refined)
    return {"channel_att": m_c.numpy(), "spatial_att": m_s[0, 0].numpy(), "output": to_rows(refined * m_s)}


def sigmoid(x):
    return 1 / (1 + np.exp(-x))


def loop_cbam(F, H, W, P, mistake=None, spatial_input=None):
    """The definition in plain loops over pixels p = h·W + w. mistake switches on one classic error."""
    def channel_gate(F):
        avg, mx = F.mean(axis=0), F.max(axis=0)
        hidden = lambda z: np.maximum(z @ P["W0"] + P["b0"], 0)  # noqa: E731
        if mistake == "bias_once":
            return sigmoid((hidden(avg) + hidden(mx)) @ P["W1"] + P["b1"])
        return sigmoid(hidden(avg) @ P["W1"] + P["b1"] + hidden(mx) @ P["W1"] + P["b1"])

    def spatial_gate(G):
        k = P["K_avg"].shape[0]
        r = (k - 1) // 2
        a, m = G.mean(axis=1), G.max(axis=1)  # one value per pixel row
        if mistake == "swapped_pool":
            a, m = m, a
        if mistake == "column_major":  # map(h, w) = vector[h + w·H]: Eigen's default reshaped(H, W)
            maps = [v.reshape(W, H).T for v in (a, m)]
        else:
            maps = [v.reshape(H, W) for v in (a, m)]
        kernels = [P["K_avg"], P["K_max"]]
        if mistake == "flipped_kernel":
            kernels = [K[::-1, ::-1] for K in kernels]
        out = np.zeros((H, W))
        for y in range(H):
            for x in range(W):
                s = P["b_s"]
                for c in range(2):
                    for u in range(k):
                        for v in range(k):
                            sy, sx = y + u - r, x + v - r
                            if mistake == "replicate_pad":
                                sy, sx = min(max(sy, 0), H - 1), min(max(sx, 0), W - 1)
                            elif not (0 <= sy < H and 0 <= sx < W):
                                continue
                            s += kernels[c][u, v] * maps[c][sy, sx]
                out[y, x] = sigmoid(s)
        return out

    if spatial_input is not None:
        return spatial_gate(spatial_input)
    m_c = channel_gate(F)
    refined = F * m_c
    m_s = spatial_gate(F if mistake == "parallel" else refined)
    # the per-pixel gate as a vector in row order; a column-major map is also read back column-major
    gate = m_s.T.reshape(-1) if mistake == "column_major" else m_s.reshape(-1)
    return {"channel_att": m_c[None], "spatial_att": m_s, "output": refined * gate[:, None]}


def far_apart(a, b, margin=1e-3):
    return np.max(np.abs(np.asarray(a) - np.asarray(b))) > margin


def draw_params(r, C, hidden, k, kernel_scale):
    return {"W0": f32(r.standard_normal((C, hidden)) / np.sqrt(C)), "b0": f32(0.1 * r.standard_normal(hidden)),
            "W1": f32(r.standard_normal((hidden, C)) / np.sqrt(hidden)), "b1": f32(0.1 * r.standard_normal(C)),
            "K_avg": f32(kernel_scale * r.standard_normal((k, k))),
            "K_max": f32(kernel_scale * r.standard_normal((k, k))),
            "b_s": float(np.float32(0.1 * r.standard_normal()))}


def write_params(c, P):
    c.f32("W0", P["W0"]), c.f32("b0", P["b0"][None]), c.f32("W1", P["W1"]), c.f32("b1", P["b1"][None])
    c.f32("K_avg", P["K_avg"]), c.f32("K_max", P["K_max"]), c.scalar("b_s", P["b_s"], "float")


def cbam_case(g, r, name, comment, H, W, C, hidden, k, kernel_scale=0.3, detects=()):
    F = f32(r.standard_normal((H * W, C)))
    P = draw_params(r, C, hidden, k, kernel_scale)
    want = torch_cbam(F, H, W, P)
    got = loop_cbam(F, H, W, P)
    for key in want:
        assert_agree(want[key], got[key], f"{name} {key}: torch conv2d vs loops")
    for mistake in detects:  # the case must tell this mistake apart from the truth
        wrong = loop_cbam(F, H, W, P, mistake)
        assert far_apart(wrong["output"], want["output"]), f"{name}: output does not detect {mistake}"
    c = g.case(name, comment)
    c.scalar("H", H, "int"), c.scalar("W", W, "int")
    c.f32("F", F)
    write_params(c, P)
    c.f64("channel_att", want["channel_att"]), c.f64("spatial_att", want["spatial_att"])
    c.f64("output", want["output"])
    return F, P, want


def spatial_case(g, r, name, comment, H, W, C, k, detects=()):
    G = f32(r.standard_normal((H * W, C)))
    P = draw_params(r, C, 1, k, 0.3)
    want = torch_cbam(None, H, W, P, spatial_input=G)
    assert_agree(want, loop_cbam(None, H, W, P, spatial_input=G), f"{name}: torch conv2d vs loops")
    for mistake in detects:
        assert far_apart(loop_cbam(None, H, W, P, mistake, spatial_input=G), want), f"{name}: {mistake}"
    c = g.case(name, comment)
    c.scalar("H", H, "int"), c.scalar("W", W, "int")
    c.f32("G", G), c.f32("K_avg", P["K_avg"]), c.f32("K_max", P["K_max"]), c.scalar("b_s", P["b_s"], "float")
    c.f64("spatial_att", want)


def worked_example():
    """The statement's 2×2×2 example: checked here so its printed numbers come from torch, not from C++."""
    F = np.array([[1, 0], [3, 2], [0, 4], [0, 2]], dtype=np.float64)
    K_avg, K_max = np.zeros((3, 3)), np.zeros((3, 3))
    K_avg[2, 1], K_max[1, 1] = 1, 1
    P = {"W0": np.array([[1.0], [0.0]]), "b0": np.array([-2.0]), "W1": np.array([[1.0, -1.0]]),
         "b1": np.array([0.5, 0.5]), "K_avg": K_avg, "K_max": K_max, "b_s": -2.0}
    want = torch_cbam(F, 2, 2, P)
    for key, value in loop_cbam(F, 2, 2, P).items():
        assert_agree(want[key], value, f"worked example {key}")
    s2 = 1 / (1 + np.exp(-2.0))  # the statement's arithmetic: logits [2, 0] and [[a10+m00-2, ...]]
    assert_agree(want["channel_att"], [[s2, 0.5]], "worked example channel gates")
    a = np.array([[s2 / 2, (3 * s2 + 1) / 2], [1, 0.5]])
    m = np.array([[s2, 3 * s2], [2, 1]])
    logits = np.array([[a[1, 0] + m[0, 0] - 2, a[1, 1] + m[0, 1] - 2], [m[1, 0] - 2, m[1, 1] - 2]])
    assert_agree(want["spatial_att"], sigmoid(logits), "worked example spatial gates")
    return want


def generate():
    g = GoldenFile("p28", __file__, seed=2828)
    r = rng(2828)
    worked = worked_example()
    c = g.case("worked", "the statement's 2×2×2 example, k = 3 (numbers also printed in README.md)")
    c.f64("channel_att", worked["channel_att"]), c.f64("spatial_att", worked["spatial_att"])
    c.f64("output", worked["output"])
    every = ("bias_once", "swapped_pool", "column_major", "flipped_kernel", "replicate_pad", "parallel")
    cbam_case(g, r, "rect", "H = 5, W = 7, C = 6, r = 2 (3 hidden units), k = 7", 5, 7, 6, 3, 7, detects=every)
    spatial_case(g, r, "spatial", "spatial gate alone: H = 6, W = 4, C = 5, k = 5", 6, 4, 5, 5,
                 detects=("swapped_pool", "column_major", "flipped_kernel", "replicate_pad"))
    cbam_case(g, r, "square", "H = W = 6, C = 4, 2 hidden units, k = 7: a square map, so only an asymmetric "
              "kernel shows a transposed map or a flipped kernel", 6, 6, 4, 2, 7, detects=every)
    cbam_case(g, r, "tiny", "H = W = 3, C = 3, 1 hidden unit, k = 7: every window crosses the border", 3, 3, 3, 1,
              7, kernel_scale=0.5, detects=("swapped_pool", "flipped_kernel", "replicate_pad", "column_major"))
    cbam_case(g, r, "large", "H = W = 14, C = 16, r = 4 (4 hidden units), k = 7", 14, 14, 16, 4, 7,
              kernel_scale=0.15)
    return g
