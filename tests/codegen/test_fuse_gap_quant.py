from fractions import Fraction

import numpy as np
import pytest
from graphs import Net, frames, run

from squeezefpga.codegen.qonnx import cleanup, fuse_gap_quant


def _gap(shape, exp, mode="ROUND"):
    n = Net(shape)
    out = n.quant(n.op("GlobalAveragePool", [n.input()]), exp, 8, signed=True, mode=mode)
    return n, cleanup.apply(n.model(out))[0]


def test_fused_is_one_node_and_matches_qonnx_on_power_of_two_area():
    n, m = _gap((1, 2, 4, 4), -1)          # 16 pixels: float mean is exact
    x = frames(n.shape, seed=3) / 2
    want = run(m, x)
    m, changed = fuse_gap_quant.apply(m)
    assert changed and [v.op_type for v in m.graph.node] == ["Quant", "QuantGlobalAveragePool"]
    np.testing.assert_array_equal(run(m, x), want)


@pytest.mark.parametrize("mode,want", [("ROUND", [0, 2, 2, 1]), ("FLOOR", [0, 1, 2, 0])])
def test_exact_ties_on_odd_area(mode, want):
    """9 pixels, output scale 2: sums 9, 27, 45 give means of 0.5, 1.5, 2.5 quanta
    (ties: half to even), 10 gives 0.555... ."""
    n, m = _gap((1, 4, 3, 3), 1, mode)
    m, _ = fuse_gap_quant.apply(m)
    x = np.zeros(n.shape, np.float32)
    x[0, :, 0, 0] = [9, 27, 45, 10]
    y = run(m, x).reshape(-1)
    assert list(y / 2) == want
    for c, s in enumerate([9, 27, 45, 10]):      # the exact rational reference
        r = Fraction(s, 9) / 2
        assert want[c] == (r.numerator // r.denominator if mode == "FLOOR" else round(r))


def test_gap_without_quant_is_left():
    n = Net((1, 1, 2, 2))
    out = n.op("GlobalAveragePool", [n.input()])
    m = cleanup.apply(n.model(out))[0]
    assert fuse_gap_quant.apply(m)[1] is False
