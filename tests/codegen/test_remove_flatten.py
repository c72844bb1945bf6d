from graphs import Net, frames, run

from squeezefpga.codegen.qonnx import cleanup, remove_flatten


def test_final_flatten_removed_output_name_kept():
    n = Net((1, 3, 1, 1))
    out = n.op("Flatten", [n.input()], axis=1)
    m = cleanup.apply(n.model(out))[0]
    x = frames(n.shape)
    want = run(m, x)
    name = m.graph.output[0].name
    m, changed = remove_flatten.apply(m)
    assert changed and "Flatten" not in [v.op_type for v in m.graph.node]
    assert m.graph.output[0].name == name
    assert (run(m, x).reshape(want.shape) == want).all()
    assert remove_flatten.apply(m)[1] is False
