"""Which models the toolflow accepts: one check, shared by the ``golden``,
``cosim``, ``build`` and ``budget`` commands (what one refuses, all refuse).

``check(src) -> Plan`` compiles the model with the golden model (which
refuses anything it cannot execute exactly) and then applies the rules of
the firmware path on the user's own graph, so every refusal is one line
naming a node of the user's file (before any clean-up pass renames them):

* ops: Quant, Conv, Relu, MaxPool, Concat, Add, GlobalAveragePool, Flatten
  and Identity (no Reshape or Transpose: the firmware streams NCHW as is);
* every quantizer has at least 2 bits (a 1-bit stream has no datapath), no
  CEIL rounding and no narrow unsigned range (no ap_fixed equivalent);
* Concat and Add of exactly two computed tensors of one shape;
* Flatten (axis 1) only as the last node, of a 1x1 spatial tensor;
* a single 4-D NCHW input.

``sim.golden.load`` itself stays the general exact executor.
"""
from __future__ import annotations

import onnx

from .compile import compile_model
from .graph import QONNX_DOMAINS, Graph, UnsupportedModel, attrs, load_model, read_graph, refuse
from .plan import Plan

FIRMWARE_OPS = ("Quant", "Conv", "Relu", "MaxPool", "Concat", "Add", "GlobalAveragePool",
                "Flatten", "Identity")


def check(src) -> Plan:
    """The golden plan of a model the whole toolflow accepts; else UnsupportedModel."""
    model = load_model(src)
    if not model.graph.node:
        raise UnsupportedModel("not a model: the file has no graph nodes (empty or not ONNX)")
    try:
        plan = compile_model(model)
    except (ValueError, TypeError, IndexError, KeyError, AttributeError) as e:
        if isinstance(e, UnsupportedModel):
            raise
        raise UnsupportedModel(f"malformed model: {type(e).__name__}: {e}") from None
    firmware_rules(model)
    return plan


def _shapes(model: onnx.ModelProto) -> dict[str, tuple]:
    try:
        inferred = onnx.shape_inference.infer_shapes(model)
    except Exception:   # noqa: BLE001  (a graph onnx cannot type: no shape facts)
        return {}
    out = {}
    for vi in [*inferred.graph.value_info, *inferred.graph.input, *inferred.graph.output]:
        dims = vi.type.tensor_type.shape.dim
        if vi.type.tensor_type.HasField("shape"):
            out[vi.name] = tuple(d.dim_value if d.HasField("dim_value") else None for d in dims)
    return out


def firmware_rules(model: onnx.ModelProto) -> None:
    g = read_graph(model)
    if len(g.input_shape) != 4:
        raise UnsupportedModel(f"input {g.input_name!r} has shape {list(g.input_shape)}; "
                               "the firmware takes one 4-D NCHW tensor")
    shapes = _shapes(model)
    for n in g.nodes:
        op = n.op_type
        if op not in FIRMWARE_OPS:
            raise refuse(n, "op is not supported by the firmware (supported: "
                            + ", ".join(FIRMWARE_OPS) + ")")
        if op == "Quant" and n.domain in QONNX_DOMAINS:
            _quant(n, g)
        elif op in ("Concat", "Add"):
            _pair(n, g, shapes)
        elif op == "Flatten":
            _flatten(n, g, shapes)


def _quant(n: onnx.NodeProto, g: Graph) -> None:
    a = attrs(n)
    bits = int(g.constants[n.input[3]].item())
    if bits < 2:
        raise refuse(n, f"bit width {bits}: the firmware needs at least 2 bits")
    if str(a.get("rounding_mode", "ROUND")).upper() == "CEIL":
        raise refuse(n, "rounding_mode CEIL has no ap_fixed equivalent (ROUND and FLOOR are "
                       "supported)")
    if a.get("narrow", 0) and not a.get("signed", 1):
        raise refuse(n, "a narrow unsigned range has no firmware equivalent")


def _pair(n: onnx.NodeProto, g: Graph, shapes: dict) -> None:
    if len(n.input) != 2 or any(i in g.constants for i in n.input):
        raise refuse(n, "only two computed tensors are supported")
    a, b = (shapes.get(i) for i in n.input)
    if n.op_type == "Add" and a is not None and b is not None and a != b:
        raise refuse(n, f"broadcasting Add ({list(a)} + {list(b)}) is not supported")


def _flatten(n: onnx.NodeProto, g: Graph, shapes: dict) -> None:
    if n.output[0] != g.output_name:
        raise refuse(n, "only a final Flatten is supported")
    shape = shapes.get(n.input[0])
    if shape is not None and any(d != 1 for d in shape[2:]):
        raise refuse(n, f"Flatten of {list(shape)}: only a 1x1 spatial size is supported")
