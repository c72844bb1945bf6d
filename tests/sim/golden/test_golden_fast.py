"""The fast engine (floats holding exact integers) == the int64 reference, bit for bit.

Random graphs reach all three float regimes: float32 (bounds <= 2**24),
float64 (<= 2**53) and the int64 fallback (wide inputs and weights), plus
fused Conv-Relu-Quant-MaxPool chains, Relu-Quant, unfused Relu, raw
accumulator outputs, Concat/Add of unequal exponents, padded ceil-mode pools
and batches that straddle the chunk size.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from qgraph import G

import squeezefpga.sim.golden as golden
from squeezefpga.sim.golden import fast, ops


def assert_same(plan, x):
    want = plan.run(x, engine="int64")[plan.output_name].values
    got = plan.run(x)[plan.output_name].values
    assert got.dtype == np.int64 and got.shape == want.shape
    bad = np.argwhere(got != want)
    assert bad.size == 0, f"fast vs int64 at {bad[0].tolist()}: {got[tuple(bad[0])]} vs {want[tuple(bad[0])]}"
    return got


@st.composite
def graphs(draw):
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    c, h, w = draw(st.integers(1, 3)), draw(st.integers(4, 9)), draw(st.integers(4, 9))
    g = G((1, c, h, w))
    in_bits = draw(st.sampled_from([2, 4, 8, 12, 20, 32]))
    in_signed = draw(st.booleans())
    x = g.quant(g.input, draw(st.integers(-3, 2)), in_bits, in_signed, name="inq")
    e = 0

    def conv(src, cin, cout):
        k = draw(st.sampled_from([1, 2, 3]))
        wb = draw(st.sampled_from([2, 4, 8, 16, 24]))
        lim = 2 ** (wb - 1) - 1
        wt = rng.integers(-lim, lim + 1, size=(cout, cin, k, k))
        pads = [draw(st.integers(0, k - 1)) for _ in range(4)]
        b, b_exp, b_bits = None, None, None
        if draw(st.booleans()):
            b_bits = draw(st.sampled_from([8, 16, 32]))
            b = rng.integers(-(2 ** (b_bits - 1)) + 1, 2 ** (b_bits - 1), size=cout)
            b_exp = draw(st.integers(-12, 2))
        return g.conv(src, wt, draw(st.integers(-6, 0)), w_bits=wb, b=b, b_exp=b_exp,
                      b_bits=b_bits or 16, stride=draw(st.sampled_from([1, 1, 2])), pad=pads)

    def act(y):
        if draw(st.booleans()):
            y = g.node("Relu", [y])
        if draw(st.integers(0, 3)):
            mode = draw(st.sampled_from(["ROUND", "FLOOR", "CEIL"]))
            y = g.quant(y, draw(st.integers(-4, 3)), draw(st.sampled_from([2, 4, 8, 24])),
                        draw(st.booleans()), mode=mode)
        if draw(st.booleans()):
            k = draw(st.sampled_from([1, 2, 3]))
            y = g.node("MaxPool", [y], kernel_shape=[k, k], strides=[draw(st.sampled_from([1, 2]))] * 2,
                       pads=[draw(st.integers(0, k - 1)) for _ in range(4)],
                       ceil_mode=int(draw(st.booleans())))
        return y

    cin = draw(st.integers(1, 4))
    x = act(conv(x, c, cin))
    kind = draw(st.sampled_from(["plain", "concat", "add", "relu-quant"]))
    if kind in ("concat", "add"):
        # two 1x1 branches keep the spatial size; exponents differ
        def branch():
            y = g.conv(x, rng.integers(-7, 8, size=(cin, cin, 1, 1)), draw(st.integers(-4, 0)))
            return g.quant(g.node("Relu", [y]), draw(st.integers(-3, 2)), 4, False)
        a, b = branch(), branch()
        x = g.node("Concat" if kind == "concat" else "Add", [a, b], **({"axis": 1} if kind == "concat" else {}))
        cin = 2 * cin if kind == "concat" else cin
        post = draw(st.sampled_from(["none", "quant", "relu-quant", "relu", "pool"]))
        if post in ("relu", "relu-quant"):
            x = g.node("Relu", [x])
        if post in ("quant", "relu-quant"):
            x = g.quant(x, draw(st.integers(-3, 2)), draw(st.sampled_from([3, 8])), draw(st.booleans()),
                        mode=draw(st.sampled_from(["ROUND", "FLOOR", "CEIL"])))
        if post == "pool":
            x = g.node("MaxPool", [x], kernel_shape=[2, 2], strides=[1, 1], pads=[1, 0, 1, 0])
    elif kind == "relu-quant":
        x = g.quant(g.node("Relu", [conv(x, cin, cin)]), draw(st.integers(-3, 2)), 6, True)
    end = draw(st.sampled_from(["gap", "flatten", "raw"]))
    if end == "gap":
        x = g.node("Flatten", [g.quant(g.node("GlobalAveragePool", [x]), e - 2, 8, True)], axis=1)
    elif end == "flatten":
        x = g.node("Flatten", [x], axis=1)
    n = draw(st.sampled_from([1, 5, 16, 19]))
    frames = rng.uniform(-(2.0 ** min(in_bits, 30)), 2.0 ** min(in_bits, 30), size=(n, c, h, w))
    frames[::2] = np.round(frames[::2] * 2) / 2        # ties
    return g.model(x), frames.astype(np.float32)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(graphs())
def test_fast_equals_int64_random_graphs(net):
    model, x = net
    try:
        plan = golden.load(model)
        want = plan.run(x, engine="int64")
    except (golden.UnsupportedModel, ValueError, OverflowError):
        assume(False)  # refused, or a pool/kernel larger than the input
    assert np.array_equal(plan.run(x)[plan.output_name].values, want[plan.output_name].values)
    codes = plan.run(x, keep=True)[plan.input_step.output].values
    assert np.array_equal(plan.run_int(codes), plan.run_int(codes, engine="int64"))


def test_engines_reach_all_three_regimes():
    """Hand-made bounds: 2**24 < dot <= 2**53 runs float64, beyond that int64."""
    for in_bits, w, want in ((8, 7, np.float32), (16, 2**10, np.float64), (32, 2**22, None)):
        g = G((1, 2, 5, 5))
        x = g.quant(g.input, 0, in_bits, False, name="inq")
        y = g.conv(x, np.full((3, 2, 3, 3), w), 0, w_bits=24, pad=1)
        plan = golden.load(g.model(y))
        bound = plan.bounds[0].dot_bound
        assert fast.exact_dtype(bound) is want
        frames = np.random.default_rng(in_bits).uniform(0, 2.0 ** in_bits, (17, 2, 5, 5))
        assert_same(plan, frames.astype(np.float32))


@pytest.mark.parametrize("seed", range(12))
def test_maxpool_matches_reference(seed):
    rng = np.random.default_rng(seed)
    k = tuple(rng.integers(1, 4, 2))
    stride = tuple(rng.integers(1, 3, 2))
    pads = tuple(int(rng.integers(0, kk)) for kk in k + k)
    x = rng.integers(-50, 50, size=(3, 4, rng.integers(k[0] + 1, 10), rng.integers(k[1] + 1, 10)))
    for ceil in (False, True):
        want = ops.maxpool2d(x, k, stride, pads, ceil)
        got = fast.maxpool(x.transpose(0, 2, 3, 1).astype(np.float32), k, stride, pads, ceil)
        assert np.array_equal(got.transpose(0, 3, 1, 2), want)


def test_exact_dtype_bounds():
    assert fast.exact_dtype(2**24) is np.float32
    assert fast.exact_dtype(2**24 + 1) is np.float64
    assert fast.exact_dtype(2**53) is np.float64
    assert fast.exact_dtype(2**53 + 1) is None


def test_engine_name_checked():
    g = G((1, 1, 3, 3))
    plan = golden.load(g.model(g.quant(g.input, 0, 8, False)))
    with pytest.raises(ValueError, match="engine"):
        plan.run(np.zeros((1, 1, 3, 3)), engine="gpu")


PRESETS = ["fmnist", "squeezenet1_0", "squeezenet1_0_complex", "squeezenet1_0_simple",
           "squeezenet1_1", "squeezenet1_1_complex", "squeezenet1_1_simple"]


@pytest.mark.parametrize("name", [n if n == "fmnist" else pytest.param(n, marks=pytest.mark.slow)
                                  for n in PRESETS])
def test_fast_equals_int64_presets(name, tmp_path):
    """Every preset with random weights (fmnist at full size, the rest 47x47)."""
    import dataclasses

    pytest.importorskip("torch")
    qexport = pytest.importorskip("squeezefpga.quant.export")
    from squeezefpga.quant import presets
    from qgraph import export_brevitas

    cfg = presets.load(name)
    if name != "fmnist":
        cfg = dataclasses.replace(cfg, input_shape=(cfg.input_shape[0], 47, 47))
    mw = export_brevitas(qexport.random_model(cfg, seed=11), cfg.input_shape, tmp_path / "m.onnx")
    plan = golden.load(mw)
    rng = np.random.default_rng(5)
    x = rng.integers(0, 256, size=(37, *cfg.input_shape)).astype(np.float32)
    x[3] = rng.integers(-100, 400, size=cfg.input_shape) + rng.choice([0.0, 0.5], size=cfg.input_shape)
    assert_same(plan, x)


def test_fast_equals_int64_shipped_fmnist():
    from test_golden_fmnist import images, shipped_model

    assert_same(golden.load(shipped_model()), images())
