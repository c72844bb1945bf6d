import numpy as np
from graphs import Net, frames, run

from squeezefpga.codegen.qonnx import channels_last, cleanup, fuse_gap_quant


def _net():
    n = Net((1, 2, 7, 7))
    x = n.input()
    a = n.act(n.conv(x, 2, 3, k=3, pad=1), -1)
    b = n.act(n.conv(x, 2, 2, k=1, seed=1), -1)
    c = n.op("Concat", [a, b], axis=1)
    p = n.op("MaxPool", [c], kernel_shape=[3, 3], strides=[2, 2], pads=[0, 0, 0, 0], ceil_mode=1)
    return n, p


def test_no_transpose_and_same_values():
    n, out = _net()
    m, _ = cleanup.apply(n.model(out))
    x = frames(n.shape, 2)
    want = np.concatenate([run(m, x[i:i + 1]) for i in range(2)])
    m, changed = channels_last.apply(m)
    assert changed
    ops = [v.op_type for v in m.graph.node]
    assert "Transpose" not in ops and "MaxPool" not in ops and "StreamMaxPool" in ops
    assert [v for v in m.graph.node if v.op_type == "Concat"][0].attribute[0].i == 3
    got = np.concatenate([run(m, x[i:i + 1], nhwc=True) for i in range(2)])
    np.testing.assert_array_equal(got, want.transpose(0, 2, 3, 1))


def test_idempotent():
    n, out = _net()
    m, _ = channels_last.apply(cleanup.apply(n.model(out))[0])
    assert channels_last.apply(m)[1] is False


def test_gap_becomes_channels_last():
    n = Net((1, 3, 3, 3))
    g = n.op("GlobalAveragePool", [n.input()])
    out = n.quant(g, -2, 8, signed=True)
    m, _ = fuse_gap_quant.apply(cleanup.apply(n.model(out))[0])
    m, _ = channels_last.apply(m)
    x = frames(n.shape)
    assert run(m, x, nhwc=True).shape == (1, 1, 1, 3)
