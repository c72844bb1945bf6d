"""GlobalAveragePool + the Quant it feeds -> one exact QuantGlobalAveragePool.

The pooled mean is generally not representable (division by H*W); the fused op
rounds sum / (H*W) once, exactly, with the Quant's rounding mode.
"""
from __future__ import annotations

from onnx import helper

from . import ops  # noqa: F401  (registers the op with qonnx)
from .graph import DOMAIN, consumers, quant_params


def apply(model):
    g = model.graph
    changed = False
    for gap in [n for n in g.node if n.op_type == "GlobalAveragePool"]:
        cs = consumers(model, gap.output[0])
        if len(cs) != 1 or cs[0].op_type != "Quant":
            continue
        q = cs[0]
        qp = quant_params(model, q)
        fused = helper.make_node(
            "QuantGlobalAveragePool", [gap.input[0]], [q.output[0]], name=q.name, domain=DOMAIN,
            exp=qp.exp, bits=qp.bits, signed=int(qp.signed), narrow=int(qp.narrow),
            rounding_mode=qp.mode, data_layout="NCHW")
        idx = list(g.node).index(gap)
        g.node.remove(gap)
        g.node.remove(q)
        g.node.insert(idx, fused)
        for t in q.input[1:]:
            init = [i for i in g.initializer if i.name == t]
            if init and not consumers(model, t):
                g.initializer.remove(init[0])
        vi = model.get_tensor_valueinfo(gap.output[0])
        if vi is not None and vi in g.value_info:
            g.value_info.remove(vi)
        changed = True
    return model, changed
