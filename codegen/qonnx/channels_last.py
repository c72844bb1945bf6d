"""NCHW -> NHWC for the whole graph, leaving no Transpose inside it.

Unlike qonnx's ConvertToChannelsLast (which wraps Concat, Add and
GlobalAveragePool in Transposes), every op of our set is converted in place:
Conv -> the channels_last domain, MaxPool -> StreamMaxPool (NHWC),
QuantGlobalAveragePool -> NHWC, Concat axis 1 -> 3; Quant, Relu, Add and
Flatten of a 1x1 map are layout-free.  The graph input becomes NHWC: the
caller feeds ``x.transpose(0, 2, 3, 1)``.
"""
from __future__ import annotations

from onnx import helper

from ..errors import ModelError
from . import ops  # noqa: F401  (registers StreamMaxPool with qonnx)
from .graph import CL_DOMAIN, DOMAIN, attr, producer, set_attr

LAYOUT_FREE = ("Quant", "Relu", "Add", "Flatten")


def apply(model):
    g = model.graph
    if any(n.domain == CL_DOMAIN or attr(n, "data_layout") == "NHWC" for n in g.node):
        return model, False
    shapes = {}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        shapes[vi.name] = model.get_tensor_shape(vi.name)
    done: set[str] = set()
    for i, n in enumerate(list(g.node)):
        if n.op_type == "Conv":
            n.domain = CL_DOMAIN
            _weights_ohwi(model, n, done)
        elif n.op_type == "MaxPool":
            new = helper.make_node(
                "StreamMaxPool", [n.input[0]], [n.output[0]], name=n.name, domain=DOMAIN,
                kernel_shape=list(attr(n, "kernel_shape")), strides=list(attr(n, "strides", [1, 1])),
                pads=list(attr(n, "pads", [0, 0, 0, 0])), ceil_mode=int(attr(n, "ceil_mode", 0)),
                data_layout="NHWC")
            g.node.remove(n)
            g.node.insert(i, new)
        elif n.op_type in ("StreamMaxPool", "QuantGlobalAveragePool"):
            set_attr(n, "data_layout", "NHWC")
        elif n.op_type == "Concat":
            set_attr(n, "axis", 3)
        elif n.op_type not in LAYOUT_FREE:
            raise ModelError(n, "no channels-last form for this op")
    for name, shape in shapes.items():
        if shape is not None and len(shape) == 4:
            model.set_tensor_shape(name, [shape[0], shape[2], shape[3], shape[1]])
    return model, True


def _weights_ohwi(model, conv, done: set[str]) -> None:
    """OIHW -> OHWI (the channels_last Conv's weight layout) on the Quant's constant."""
    q = producer(model, conv.input[1])
    if q is None or q.name in done:
        return
    w = model.get_initializer(q.input[0])
    if w is None or w.ndim != 4:
        raise ModelError(conv, "weights must be a Quant of a 4D constant")
    model.set_initializer(q.input[0], w.transpose(0, 2, 3, 1).copy())
    done.add(q.name)
