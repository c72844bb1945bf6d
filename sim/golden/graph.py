"""Reading a QONNX graph: nodes in topological order, constants, attributes.

Only reading happens here (onnx protobufs and numpy); nothing is executed.
Every refusal is an ``UnsupportedModel`` whose message is one line naming
the node, its op type and the reason.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import helper, numpy_helper

QONNX_DOMAINS = ("qonnx.custom_op.general", "finn.custom_op.general")


class UnsupportedModel(ValueError):
    """The model uses something the golden model cannot execute exactly."""


def refuse(node: onnx.NodeProto | None, why: str) -> UnsupportedModel:
    if node is None:
        return UnsupportedModel(why)
    name = node.name or (node.output[0] if node.output else "?")
    return UnsupportedModel(f"node '{name}' ({node.op_type}): {why}")


def node_name(node: onnx.NodeProto) -> str:
    return node.name or (node.output[0] if node.output else node.op_type)


def attrs(node: onnx.NodeProto) -> dict:
    out = {}
    for a in node.attribute:
        v = helper.get_attribute_value(a)
        out[a.name] = v.decode() if isinstance(v, bytes) else v
    return out


@dataclass
class Graph:
    """The parts of an ONNX model the compiler needs."""

    nodes: list[onnx.NodeProto]          # topological order, Constant nodes removed
    constants: dict[str, np.ndarray]     # initializers and Constant node outputs
    input_name: str
    input_shape: tuple[int | None, ...]
    output_name: str
    consumers: dict[str, list[onnx.NodeProto]] = field(default_factory=dict)


def load_model(src) -> onnx.ModelProto:
    """An ``onnx.ModelProto`` from a path, a ModelProto or a qonnx ModelWrapper."""
    if isinstance(src, (str, os.PathLike)):
        if not os.path.isfile(src):
            raise UnsupportedModel(f"no such model file: {src}")
        try:
            return onnx.load(os.fspath(src))
        except Exception as e:  # protobuf decode errors have many types
            raise UnsupportedModel(f"cannot read ONNX model {src}: {e}") from None
    if isinstance(src, onnx.ModelProto):
        return src
    if hasattr(src, "model") and isinstance(src.model, onnx.ModelProto):
        return src.model
    raise TypeError(f"expected a path, ModelProto or ModelWrapper, got {type(src).__name__}")


def _dims(vi: onnx.ValueInfoProto) -> tuple[int | None, ...]:
    return tuple(d.dim_value if d.HasField("dim_value") else None
                 for d in vi.type.tensor_type.shape.dim)


def read_graph(model: onnx.ModelProto) -> Graph:
    g = model.graph
    constants = {t.name: numpy_helper.to_array(t) for t in g.initializer}
    inputs = [i for i in g.input if i.name not in constants]
    if len(inputs) != 1:
        raise UnsupportedModel(f"the graph must have exactly one input, it has {len(inputs)}")
    if len(g.output) != 1:
        raise UnsupportedModel(f"the graph must have exactly one output, it has {len(g.output)}")
    nodes = []
    for n in g.node:
        if n.op_type == "Constant" and n.domain in ("", "ai.onnx"):
            a = attrs(n)
            if "value" not in a:
                raise refuse(n, "only tensor-valued Constant nodes are supported")
            constants[n.output[0]] = numpy_helper.to_array(a["value"])
        else:
            nodes.append(n)
    graph = Graph(_toposort(nodes, set(constants) | {inputs[0].name}), constants,
                  inputs[0].name, _dims(inputs[0]), g.output[0].name)
    for n in graph.nodes:
        for i in n.input:
            graph.consumers.setdefault(i, []).append(n)
    return graph


def _toposort(nodes: list[onnx.NodeProto], available: set[str]) -> list[onnx.NodeProto]:
    done, order, pending = set(available), [], list(nodes)
    while pending:
        ready = [n for n in pending if all(i == "" or i in done for i in n.input)]
        if not ready:
            n = pending[0]
            missing = [i for i in n.input if i and i not in done]
            raise refuse(n, f"input {missing[0]!r} is never produced (cycle or dangling edge)")
        for n in ready:
            order.append(n)
            done.update(n.output)
        ready_ids = {id(n) for n in ready}
        pending = [n for n in pending if id(n) not in ready_ids]
    return order
