import numpy as np
import pytest
from graphs import Net, frames, run

from squeezefpga.codegen.qonnx import align_scales, cleanup
from squeezefpga.codegen.qonnx.ranges import analyze


@pytest.mark.parametrize("op", ["Concat", "Add"])
def test_unequal_scales_get_exact_alignment(op):
    n = Net((1, 2, 3, 3))
    x = n.input()
    a = n.act(n.conv(x, 2, 2, seed=1), 0)        # coarse
    b = n.act(n.conv(x, 2, 2, seed=2), -3)       # fine
    out = n.op(op, [a, b], **({"axis": 1} if op == "Concat" else {}))
    m = cleanup.apply(n.model(out))[0]
    xs = frames(n.shape, seed=5)
    want = run(m, xs)
    m, changed = align_scales.apply(m)
    assert changed
    r = analyze(m)
    merge = [v for v in m.graph.node if v.op_type == op][0]
    assert {r[t].exp for t in merge.input} == {-3}
    np.testing.assert_array_equal(run(m, xs), want)
    assert align_scales.apply(m)[1] is False


def test_equal_scales_untouched():
    n = Net((1, 1, 2, 2))
    x = n.input()
    out = n.op("Add", [n.act(n.conv(x, 1, 1), -1), n.act(n.conv(x, 1, 1, seed=3), -1)])
    m = cleanup.apply(n.model(out))[0]
    assert align_scales.apply(m)[1] is False
