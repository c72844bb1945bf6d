"""Mutated copies of the shipped fmnist QONNX model for the CLI tests."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from onnx import helper, numpy_helper

MODEL = Path(__file__).resolve().parents[2] / "models" / "fmnist" / "fmnist.onnx"


def load() -> onnx.ModelProto:
    return onnx.load(str(MODEL))


def save(m: onnx.ModelProto, path: Path) -> Path:
    onnx.save(m, str(path))
    return path


def init(m: onnx.ModelProto, name: str) -> onnx.TensorProto:
    return next(t for t in m.graph.initializer if t.name == name)


def set_init(m: onnx.ModelProto, name: str, value) -> None:
    t = init(m, name)
    t.CopyFrom(numpy_helper.from_array(np.asarray(value, numpy_helper.to_array(t).dtype), name))


def node(m: onnx.ModelProto, name: str) -> onnx.NodeProto:
    return next(n for n in m.graph.node if n.name == name)


def conv_quants(m: onnx.ModelProto):
    """(weight Quant, bias Quant) of the first Conv."""
    conv = next(n for n in m.graph.node if n.op_type == "Conv")
    prod = {o: n for n in m.graph.node for o in n.output}
    return prod[conv.input[1]], prod[conv.input[2]]


def act_quant(m: onnx.ModelProto) -> onnx.NodeProto:
    """The Quant after the first Relu (an activation quantizer)."""
    relu = next(n for n in m.graph.node if n.op_type == "Relu")
    return next(n for n in m.graph.node if n.op_type == "Quant" and n.input[0] == relu.output[0])


def bits(m: onnx.ModelProto, q: onnx.NodeProto, b: int, signed: int | None = None) -> None:
    set_init(m, q.input[3], float(b))
    if signed is not None:
        for a in q.attribute:
            if a.name == "signed":
                a.i = signed


def dynamic_batch(m: onnx.ModelProto) -> None:
    for vi in (m.graph.input[0], m.graph.output[0]):
        d = vi.type.tensor_type.shape.dim[0]
        d.Clear()
        d.dim_param = "N"
    del m.graph.value_info[:]


def named(m: onnx.ModelProto, prefix: str = "user_") -> None:
    """Give every node a user-chosen name."""
    for k, n in enumerate(m.graph.node):
        n.name = f"{prefix}{n.op_type.lower()}{k}"


def sigmoid_at_end(m: onnx.ModelProto, name: str = "my_sigmoid") -> None:
    out = m.graph.output[0].name
    last = next(n for n in m.graph.node if out in n.output)
    last.output[list(last.output).index(out)] = out + "_pre"
    m.graph.node.append(helper.make_node("Sigmoid", [out + "_pre"], [out], name=name))
