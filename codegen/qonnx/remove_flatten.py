"""Remove the final Flatten: after channels-last the pooled output is N x 1 x 1 x C,
already flat in memory, and hls4ml's Reshape of it trips over the tensor name
in io_stream.  The graph output keeps its name (now N x 1 x 1 x C)."""
from __future__ import annotations

from .graph import producer


def apply(model):
    g = model.graph
    out = g.output[0].name
    n = producer(model, out)
    if n is None or n.op_type != "Flatten":
        return model, False
    src = n.input[0]
    prev = producer(model, src)
    shape = model.get_tensor_shape(src)
    g.node.remove(n)
    for p in ([prev] if prev is not None else []):
        p.output[:] = [out if o == src else o for o in p.output]
    for c in g.node:
        c.input[:] = [out if t == src else t for t in c.input]
    vi = model.get_tensor_valueinfo(src)
    if vi is not None and vi in g.value_info:
        g.value_info.remove(vi)
    model.set_tensor_shape(out, shape)
    return model, True
