"""Hand-built QONNX graphs: golden == qonnx execute_onnx, ties, bounds, refusals."""
from __future__ import annotations

import numpy as np
import pytest
from qgraph import G, assert_exact, wrap

import squeezefpga.sim.golden as golden


def input_quant(g, exp=0, bits=8, signed=False, mode="ROUND", narrow=False):
    return g.quant(g.input, exp, bits, signed, narrow=narrow, mode=mode, name="inq")


@pytest.mark.parametrize("mode", ["ROUND", "FLOOR", "CEIL"])
@pytest.mark.parametrize("signed,narrow", [(False, False), (True, False), (True, True)])
def test_input_quant_ties_and_saturation(mode, signed, narrow):
    g = G((1, 1, 2, 8))
    out = input_quant(g, exp=-1, bits=4, signed=signed, mode=mode, narrow=narrow)
    x = np.array([-9, -4.25, -1.25, -0.75, -0.25, 0.25, 0.75, 1.25, 1.75, 2.25, 2.75, 3.25, 3.75, 99,
                  -0.5, 0.5], np.float32).reshape(1, 1, 2, 8)
    plan, y = assert_exact(g.model(out), x)
    codes = plan.run_int(plan.input_step.fn(x))
    assert np.array_equal(np.ldexp(codes.astype(float), plan.output.exp), y)
    if mode == "ROUND":  # half-to-even on the code grid (scale 0.5): 0.25 -> 0.5 * round(0.5) = 0
        assert y[0, 0, 0, 5] == 0 and y[0, 0, 0, 6] == 1.0 and y[0, 0, 0, 7] == 1.0


def test_requant_ties_half_to_even_after_conv():
    # 1x1 conv with weight 1 (exp 0) on codes 0..15 at exp 0, requantized to exp 1 / 2:
    # every odd code is a tie at exp 1, codes 2 mod 4 are ties at exp 2.
    for exp, mode in [(1, "ROUND"), (2, "ROUND"), (1, "FLOOR"), (2, "CEIL")]:
        g = G((1, 1, 4, 4))
        c = g.conv(input_quant(g, bits=4), np.ones((1, 1, 1, 1)), 0)
        out = g.quant(g.node("Relu", [c]), exp, 4, False, mode=mode)
        x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
        _, y = assert_exact(g.model(out), x)
        want = {"ROUND": np.round, "FLOOR": np.floor, "CEIL": np.ceil}[mode](np.arange(16) / 2**exp)
        assert np.array_equal(y.ravel(), np.minimum(want, 15) * 2**exp)


@pytest.mark.parametrize("b_exp", [-12, -5, -2, 1])
def test_conv_bias_finer_and_coarser_than_accumulator(b_exp):
    rng = np.random.default_rng(b_exp + 20)
    g = G((1, 2, 7, 5))
    w = rng.integers(-7, 8, size=(3, 2, 3, 3))
    b = rng.integers(-100, 100, size=3)
    c = g.conv(input_quant(g), w, -4, b=b, b_exp=b_exp, b_bits=8, stride=2, pad=(1, 0, 2, 1))
    out = g.quant(g.node("Relu", [c]), 2, 6, False)
    x = rng.integers(0, 256, size=(3, 2, 7, 5)).astype(np.float32)
    plan, _ = assert_exact(g.model(out), x)
    (bound,) = plan.bounds
    assert bound.acc_exp == min(-4, b_exp)
    acc = plan.run(x, keep=True)[c].values
    assert bound.acc_min <= acc.min() and acc.max() <= bound.acc_max


def test_conv_bound_is_exact_and_attained():
    g = G((1, 3, 1, 1))
    w = np.array([[[[3]], [[-2]], [[5]]]])
    c = g.conv(input_quant(g), w, 0, b=[7], b_exp=0)
    plan = golden.load(wrap(g.model(c)))
    (bound,) = plan.bounds
    assert (bound.acc_min, bound.acc_max) == (-2 * 255 + 7, 8 * 255 + 7)
    assert bound.dot_bound == 10 * 255 and bound.engine == "float32"
    hi = plan(np.array([255, 0, 255], np.float32).reshape(1, 3, 1, 1))
    lo = plan(np.array([0, 255, 0], np.float32).reshape(1, 3, 1, 1))
    assert hi.item() == bound.acc_max and lo.item() == bound.acc_min
    assert bound.bits == 12


@pytest.mark.parametrize("x_bits,w_bits,engine", [(8, 8, "float32"), (20, 20, "float64"),
                                                   (32, 24, "int64")])
def test_accumulation_engine_by_proven_bound(x_bits, w_bits, engine):
    from squeezefpga.sim.golden import ops
    rng = np.random.default_rng(x_bits)
    g = G((1, 4, 5, 5))
    whi, xhi = 2 ** (w_bits - 1) - 1, 2 ** (x_bits - 1) - 1
    w = rng.integers(-whi, whi + 1, size=(2, 4, 3, 3))  # float32-exact up to 24 bits
    w[0, 0, 0, 0] = whi
    c = g.conv(g.quant(g.input, 0, x_bits, True, name="inq"), w, 0, w_bits=w_bits, pad=1)
    plan = golden.load(wrap(g.model(c)))
    assert plan.bounds[0].engine == engine
    x = rng.integers(-xhi, xhi + 1, size=(2, 4, 5, 5))
    x[0] = xhi * np.sign(w[0, :, 1:2, 1:2])  # push towards the bound
    want = ops.conv2d(x, w, None, (1, 1), (1, 1, 1, 1))
    assert np.array_equal(plan.run_int(x), want)
    b = plan.bounds[0]
    assert b.acc_min <= want.min() and want.max() <= b.acc_max


def test_concat_and_add_unequal_scales():
    g = G((1, 1, 5, 5))
    xq = input_quant(g)
    a = g.quant(g.node("Relu", [g.conv(xq, np.ones((2, 1, 3, 3)), -3, pad=1)]), 1, 4, False)
    b = g.quant(g.node("Relu", [g.conv(xq, -np.ones((2, 1, 1, 1)), -1)]), -2, 3, False)
    cat = g.node("Concat", [a, b], axis=1)
    s = g.node("Add", [cat, g.node("Concat", [b, a], axis=1)])
    m = g.node("MaxPool", [s], kernel_shape=[2, 2], strides=[2, 2], ceil_mode=1)
    out = g.quant(m, 0, 8, True)
    x = np.random.default_rng(3).integers(0, 256, size=(4, 1, 5, 5)).astype(np.float32)
    plan, _ = assert_exact(g.model(out), x)
    assert plan.tensors[cat].exp == -2 and plan.tensors[s].exp == -2


def test_add_output_feeds_conv_and_pool_directly():
    g = G((1, 2, 6, 6))
    xq = input_quant(g, exp=-1, bits=6)
    a = g.quant(g.node("Relu", [g.conv(xq, np.full((2, 2, 1, 1), 3), -2, b=[1, -1], b_exp=-7)]), -1, 4, False)
    s = g.node("Add", [a, xq])
    c = g.conv(s, np.arange(-9, 9).reshape(1, 2, 3, 3), -3, pad=1)
    p = g.node("MaxPool", [c], kernel_shape=[3, 3], strides=[2, 2], pads=[1, 1, 1, 1], ceil_mode=1)
    out = g.quant(p, -2, 8, True)
    x = np.random.default_rng(5).uniform(-3, 40, size=(3, 2, 6, 6)).astype(np.float32)
    assert_exact(g.model(out), x)


@pytest.mark.parametrize("hw", [(3, 3), (2, 3), (5, 7)])
def test_global_avgpool_exact_mean_ties(hw):
    # codes chosen so that every mean lands exactly on a half-code of the output grid
    h, w = hw
    n = h * w
    g = G((1, 4, h, w))
    xq = input_quant(g, bits=8)
    gp = g.node("GlobalAveragePool", [xq])
    out = g.node("Flatten", [g.quant(gp, 1, 8, True)], axis=1)
    sums = np.array([1, 3, 5, 7]) * n  # means 1, 3, 5, 7 -> /2 = 0.5 1.5 2.5 3.5
    x = np.zeros((1, 4, h * w))
    for c, s in enumerate(sums):
        q, r = divmod(int(s), n)
        x[0, c, :] = q
        x[0, c, :r] += 1
    x = x.reshape(1, 4, h, w).astype(np.float32)
    _, y = assert_exact(g.model(out), x)
    assert y.ravel().tolist() == [0.0, 4.0, 4.0, 8.0]  # half to even on the 2-grid


def test_keep_first_divergence_and_run_int():
    g = G((1, 1, 4, 4))
    c = g.conv(input_quant(g), np.ones((1, 1, 3, 3)), -2, pad=1, name="convA")
    r = g.node("Relu", [c])
    out = g.quant(r, 0, 4, False)
    plan = golden.load(wrap(g.model(out)))
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4)
    a = plan.run(x, keep=True)
    assert list(a) == plan.order and set(a) >= {c, r, out}
    assert np.array_equal(plan.run_int(np.arange(16).reshape(1, 1, 4, 4)), a[out].values)
    b = {k: golden.QTensor(v.values.copy(), v.exp) for k, v in a.items()}
    b[r].values[0, 0, 2, 1] += 1
    b[out].values[0, 0, 0, 0] += 1
    d = golden.first_divergence(a, b, plan.order)
    assert d.tensor == r and d.index == (0, 0, 2, 1) and d.b == d.a + 0.25
    assert r in str(d) and "[0, 0, 2, 1]" in str(d)
    assert golden.first_divergence(a, a) is None


def refused(model, *fragments):
    with pytest.raises(golden.UnsupportedModel) as e:
        golden.load(model)
    msg = str(e.value)
    assert "\n" not in msg
    for f in fragments:
        assert f in msg, msg
    return msg


def test_refusals_name_the_node_and_op():
    g = G((1, 1, 4, 4))
    out = g.quant(g.input, 0, 8, False, scale=0.3, name="badscale")
    refused(g.model(out), "'badscale'", "(Quant)", "power of two")

    g = G((1, 1, 4, 4))
    out = g.quant(g.input, 0, 8, False, zeropt=3.0, name="zp")
    refused(g.model(out), "'zp'", "zero point")

    g = G((1, 1, 4, 4))
    out = g.node("Sigmoid", [input_quant(g)], name="sig")
    refused(g.model(out), "'sig'", "(Sigmoid)", "unsupported op")

    g = G((1, 1, 4, 4))
    xq = input_quant(g)
    out = g.node("Quant", [xq, g.node("Relu", [xq]), g.const(0.0), g.const(4.0)],
                 "qonnx.custom_op.general", name="dynq", signed=0, narrow=0, rounding_mode="ROUND")
    refused(g.model(out), "'dynq'", "scale is not a constant")

    g = G((1, 1, 4, 4))
    out = g.node("Conv", [input_quant(g), g.const(np.ones((1, 1, 1, 1)))], name="floatw",
                 kernel_shape=[1, 1])
    refused(g.model(out), "'floatw'", "(Conv)", "weight")

    g = G((1, 2, 4, 4))
    w = g.quant(np.ones((2, 1, 1, 1)), 0, 4, True)
    out = g.node("Conv", [input_quant(g), w], name="grp", kernel_shape=[1, 1], group=2)
    refused(g.model(out), "'grp'", "group=2")

    g = G((1, 1, 4, 4))
    out = g.node("GlobalAveragePool", [input_quant(g)], name="gapq")
    refused(g.model(out), "'gapq'", "GlobalAveragePool", "Quant")

    g = G((1, 1, 4, 4))
    out = g.node("Relu", [g.input], name="rawrelu")
    refused(g.model(out), "'rawrelu'", "Quant first")

    g = G((1, 1, 4, 4))
    out = g.quant(g.input, 0, 8, False, mode="HALF_UP", name="hu")
    refused(g.model(out), "'hu'", "HALF_UP")


def test_refuses_per_channel_scale_and_missing_file(tmp_path):
    g = G((1, 1, 4, 4))
    out = g.quant(g.input, 0, 8, False, scale=np.array([1.0, 2.0], np.float32), name="pc")
    refused(g.model(out), "'pc'", "per-channel")
    refused(str(tmp_path / "nope.onnx"), "no such model file")
