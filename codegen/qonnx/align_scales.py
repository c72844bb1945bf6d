"""Make scale alignment explicit: where the two inputs of a Concat or an Add have
different power-of-two scales, the coarser one gets an exact re-scaling Quant
(scale of the finer input, enough bits to hold every value: no rounding, no
saturation).  Values are unchanged; downstream every merge sees one scale, and
hls4ml's merge layers need no alignment of their own."""
from __future__ import annotations

import numpy as np
from onnx import helper, numpy_helper

from .graph import QUANT_DOMAINS, fresh_name
from .ranges import analyze


def apply(model):
    g = model.graph
    changed = False
    for n in [n for n in g.node if n.op_type in ("Concat", "Add")]:
        r = analyze(model)
        ins = [r[t] for t in n.input]
        e = min(x.exp for x in ins)
        for i, x in enumerate(ins):
            if x.exp == e:
                continue
            fine = x.at(e)
            _insert_quant(model, n, i, e, fine.width, fine.signed)
            changed = True
    return model, changed


def _insert_quant(model, node, i, exp, bits, signed):
    g = model.graph
    src = node.input[i]
    name = fresh_name(model, f"{node.name}_align{i}")
    consts = []
    for suffix, v in (("scale", 2.0 ** exp), ("zeropt", 0.0), ("bits", float(bits))):
        cname = fresh_name(model, f"{name}_{suffix}")
        g.initializer.append(numpy_helper.from_array(np.asarray(v, np.float32), cname))
        model.set_tensor_shape(cname, [])     # hls4ml's ONNX reader needs every shape
        consts.append(cname)
    out = fresh_name(model, f"{name}_out")
    q = helper.make_node("Quant", [src, *consts], [out], name=name, domain=QUANT_DOMAINS[0],
                         signed=int(signed), narrow=0, rounding_mode="ROUND")
    g.node.insert(list(g.node).index(node), q)
    node.input[i] = out
    model.set_tensor_shape(out, model.get_tensor_shape(src))
