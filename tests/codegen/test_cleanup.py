from graphs import Net, frames, run

from squeezefpga.codegen.qonnx import cleanup


def test_cleanup_names_and_shapes_values_kept():
    n = Net()
    out = n.act(n.conv(n.input(), 1, 2, k=3, pad=1), -1)
    m0 = n.model(out)
    x = frames(n.shape)
    m, _ = cleanup.apply(m0)
    assert all(v.name for v in m.graph.node)
    assert m.get_tensor_shape(m.graph.output[0].name) == [1, 2, 5, 5]
    assert (run(m, x) == run(m0, x)).all()
    assert cleanup.apply(m)[1] is False
