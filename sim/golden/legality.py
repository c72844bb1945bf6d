"""Which models the toolflow accepts: one check, shared by the ``golden``,
``cosim``, ``build`` and ``budget`` commands (what one refuses, all refuse).

``check(src) -> Plan`` compiles the model with the golden model (which
refuses anything it cannot execute exactly) and then applies the rules of
the firmware path on the user's own graph, so every refusal is one line
naming a node of the user's file (before any clean-up pass renames them):

* ops: Quant, Conv, Relu, MaxPool, Concat, Add, GlobalAveragePool, Flatten
  and Identity (no Reshape or Transpose: the firmware streams NCHW as is);
* bit widths: input 8-16, weights 2-8, activations 2-16, biases 2-32 (the
  ranges of quant/arch.py, which the budget's network description enforces;
  a 1-bit stream has no datapath); no CEIL rounding and no narrow unsigned
  range (no ap_fixed equivalent); input and activations round half to even;
* only the attributes the ONNX schema defines for each standard op;
* Concat and Add of exactly two computed tensors of one shape;
* Flatten (axis 1) only as the last node, of a 1x1 spatial tensor;
* no strided Conv between a fan-out and the join of its branches (the RTL
  sizes branch FIFOs from stride-1 windows, codegen/rtl/fifos.py);
* a GlobalAveragePool's scale step to its Quant (``e_out - e_in``) within
  the SHIFT range of hw/global_avgpool.v, [-24, 24];
* a single 4-D NCHW input of batch 1 (or a symbolic batch), and shapes that
  propagate: Conv weights matching their input's channels, every Conv and
  MaxPool output at least 1x1, non-negative pads, strides >= 1.

``sim.golden.load`` itself stays the general exact executor.
"""
from __future__ import annotations

import numpy as np
import onnx

from .compile import compile_model
from .graph import QONNX_DOMAINS, Graph, UnsupportedModel, attrs, load_model, read_graph, refuse
from .plan import Plan

BITS = {"input": (8, 16), "weight": (2, 8), "activation": (2, 16), "bias": (2, 32)}
GAP_SHIFT = (-24, 24)   # hw/global_avgpool.v: $fatal outside
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
    _gap_shifts(plan, read_graph(model))
    return plan


def _gap_shifts(plan: Plan, g: Graph) -> None:
    lo, hi = GAP_SHIFT
    for s in plan.steps:
        if s.op == "GlobalAveragePool+Quant" and not lo <= s.params["shift"] <= hi:
            node = next(n for n in g.nodes if n.op_type == "GlobalAveragePool"
                        and n.input[0] == s.inputs[0])
            raise refuse(node, f"its Quant {s.node!r} scales the mean by 2^{-s.params['shift']} "
                               f"(a shift of {s.params['shift']}); global_avgpool takes "
                               f"shifts in [{lo}, {hi}]")


def firmware_rules(model: onnx.ModelProto) -> None:
    g = read_graph(model)
    if len(g.input_shape) != 4:
        raise UnsupportedModel(f"input {g.input_name!r} has shape {list(g.input_shape)}; "
                               "the firmware takes one 4-D NCHW tensor")
    if g.input_shape[0] not in (1, None):
        raise UnsupportedModel(f"input {g.input_name!r} has batch {g.input_shape[0]}; the "
                               "firmware streams one frame at a time (batch 1 or symbolic)")
    shapes = _propagate(g)
    _declared(model, shapes)
    roles = {}
    for n in g.nodes:
        if n.op_type == "Conv":
            roles.update(zip(n.input[1:3], ("weight", "bias")))
    for n in g.nodes:
        op = n.op_type
        if op not in FIRMWARE_OPS:
            raise refuse(n, "op is not supported by the firmware (supported: "
                            + ", ".join(FIRMWARE_OPS) + ")")
        if n.domain in ("", "ai.onnx"):
            _schema_attrs(n)
        if op == "Quant" and n.domain in QONNX_DOMAINS:
            role = "input" if n.input[0] == g.input_name else roles.get(n.output[0], "activation")
            _quant(n, g, role)
        elif op in ("Concat", "Add"):
            _pair(n, g, shapes)
        elif op == "Flatten":
            _flatten(n, g, shapes)
    _branches(g)


def _schema_attrs(n: onnx.NodeProto) -> None:
    try:
        known = onnx.defs.get_schema(n.op_type).attributes
    except onnx.defs.SchemaError:
        return
    for a in n.attribute:
        if a.name not in known:
            raise refuse(n, f"attribute {a.name!r} is not defined for {n.op_type}")


def _quant(n: onnx.NodeProto, g: Graph, role: str) -> None:
    a = attrs(n)
    bits = int(g.constants[n.input[3]].item())
    lo, hi = BITS[role]
    if not lo <= bits <= hi:
        raise refuse(n, f"{role} bit width {bits} is out of range [{lo}, {hi}]")
    mode = str(a.get("rounding_mode", "ROUND")).upper()
    if role in ("input", "activation") and mode == "FLOOR":
        raise refuse(n, f"rounding_mode FLOOR on an {role}: the hardware requantizer rounds "
                        "half to even only (ROUND)")
    if mode == "CEIL":
        raise refuse(n, "rounding_mode CEIL has no ap_fixed equivalent (ROUND and FLOOR are "
                       "supported)")
    if a.get("narrow", 0) and not a.get("signed", 1):
        raise refuse(n, "a narrow unsigned range has no firmware equivalent")


def _pair(n: onnx.NodeProto, g: Graph, shapes: dict) -> None:
    if len(n.input) != 2 or any(i in g.constants for i in n.input):
        raise refuse(n, "only two computed tensors are supported")
    a, b = (shapes.get(i) for i in n.input)


def _flatten(n: onnx.NodeProto, g: Graph, shapes: dict) -> None:
    if n.output[0] != g.output_name:
        raise refuse(n, "only a final Flatten is supported")
    shape = shapes.get(n.input[0])
    if shape is not None and any(d != 1 for d in shape[2:]):
        raise refuse(n, f"Flatten of {list(shape)}: only a 1x1 spatial size is supported")


def _branches(g: Graph) -> None:
    """Refuse a strided Conv inside the branches of a fan-out (before their join)."""
    nodes = list(g.nodes)
    cons: dict[str, list[int]] = {}
    for i, n in enumerate(nodes):
        for t in n.input:
            cons.setdefault(t, []).append(i)

    def reach(i: int) -> set[int]:
        seen, todo = set(), [i]
        while todo:
            j = todo.pop()
            if j not in seen:
                seen.add(j)
                todo += [k for t in nodes[j].output for k in cons.get(t, [])]
        return seen
    for t, cs in cons.items():
        if len(cs) < 2:
            continue
        r = [reach(c) for c in cs]
        common = sorted(j for j in set().union(*r) if sum(j in x for x in r) > 1)
        inside = set().union(*r) - (reach(common[0]) if common else set())
        for j in sorted(inside):
            n = nodes[j]
            if n.op_type == "Conv" and max(attrs(n).get("strides", [1, 1])) > 1:
                raise refuse(n, f"a strided Conv between the fan-out of {t!r} and the join "
                                "of its branches has no RTL mapping (branch FIFOs assume "
                                "stride 1)")


def _declared(model: onnx.ModelProto, shapes: dict) -> None:
    """Shapes the file declares (value_info, output) agree with the computed ones."""
    for vi in [*model.graph.value_info, *model.graph.output]:
        got = shapes.get(vi.name)
        dims = vi.type.tensor_type.shape.dim
        if got is None or not vi.type.tensor_type.HasField("shape"):
            continue
        want = [d.dim_value if d.HasField("dim_value") else None for d in dims]
        flat = (got[0], int(np.prod(got[1:])))
        if all(w is None or w == c for w, c in zip(want, got)) and len(want) == len(got) \
                or len(want) == 2 and all(w is None or w == c for w, c in zip(want, flat)):
            continue
        raise UnsupportedModel(f"tensor {vi.name!r} is declared {want} but computes {list(got)}")


def _window(n, a: dict, hw, k) -> tuple[int, int]:
    pads, strides = a.get("pads", [0, 0, 0, 0]), a.get("strides", [1, 1])
    if len(pads) != 4 or len(strides) != 2 or len(k) != 2 or min(pads) < 0 or min(strides) < 1 \
            or min(k) < 1:
        raise refuse(n, f"kernel {list(k)}, pads {list(pads)}, strides {list(strides)}: "
                        "2-D kernels >= 1, pads >= 0 and strides >= 1 only")
    ceil = bool(a.get("ceil_mode", 0))
    out = []
    for i in range(2):
        span = hw[i] + pads[i] + pads[i + 2] - k[i]
        out.append((-(-span // strides[i]) if ceil else span // strides[i]) + 1)
    if min(out) < 1:
        raise refuse(n, f"input {hw[0]}x{hw[1]} is too small for kernel {list(k)} "
                        f"(output {out[0]}x{out[1]})")
    return out[0], out[1]


def _propagate(g: Graph) -> dict[str, tuple]:
    """NCHW shapes through the firmware ops; refuses what cannot stream."""
    shape = {g.input_name: tuple(g.input_shape)}
    prod = {o: n for n in g.nodes for o in n.output}
    for n in g.nodes:
        ins = [shape.get(i) for i in n.input]
        x, a = ins[0] if ins else None, attrs(n)
        if x is None or len(x) != 4:
            continue            # a constant path (weights) or an unknown shape
        if n.op_type == "Conv":
            q = prod.get(n.input[1])
            w = g.constants.get(q.input[0]) if q is not None else None
            if w is None or w.ndim != 4:
                continue
            if w.shape[1] != x[1]:
                raise refuse(n, f"weights {list(w.shape)} expect {w.shape[1]} input channels, "
                                f"the input has {x[1]}")
            out = (x[0], w.shape[0], *_window(n, a, x[2:], w.shape[2:]))
        elif n.op_type == "MaxPool":
            out = (*x[:2], *_window(n, a, x[2:], a.get("kernel_shape", [])))
        elif n.op_type == "Concat":
            if any(i is None or i[2:] != x[2:] for i in ins):
                raise refuse(n, f"inputs {[list(i or []) for i in ins]} differ in height/width")
            out = (x[0], sum(i[1] for i in ins), *x[2:])
        elif n.op_type == "Add":
            if any(i != x for i in ins):
                raise refuse(n, f"inputs {[list(i or []) for i in ins]} differ in shape")
            out = x
        elif n.op_type == "GlobalAveragePool":
            out = (*x[:2], 1, 1)
        elif n.op_type in ("Quant", "Relu", "Identity"):
            out = x
        else:
            continue
        shape[n.output[0]] = out
    return shape
