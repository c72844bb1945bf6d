"""Exact precisions for every hls4ml layer, derived from the Quant nodes and weights.

Every tensor's type is the narrowest fixed point that holds its proven range
(codegen/qonnx/ranges.py) at its exponent: ``fixed<W, W + exp>`` (or
``ufixed`` when the range is non-negative).  Quant outputs take the
quantizer's own type with its rounding (ROUND -> RND_CONV, FLOOR -> TRN) and
saturation (SAT, SAT_SYM when narrow): the cast into that type *is* the
golden ``requantize``.  Conv accumulators take the proven minimum width; wrap
around is harmless in two's complement because the final sum fits.  The
result is a hls4ml ``LayerName`` config: nothing is left 'auto' or default.
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import ModelError
from ..qonnx.graph import QParams, producer, quant_params
from ..qonnx.ranges import Range, analyze, codes, conv_acc

MAX_WIDTH = 1024            # ap_fixed's limit (AP_INT_MAX_W default)


@dataclass(frozen=True)
class Fixed:
    width: int
    exp: int                 # lsb = 2**exp; integer bits = width + exp
    signed: bool
    rounding: str = "TRN"
    saturation: str = "WRAP"

    def __str__(self) -> str:
        t = "fixed" if self.signed else "ufixed"
        return f"{t}<{self.width},{self.width + self.exp},{self.rounding},{self.saturation}>"


def of_range(r: Range, node=None) -> Fixed:
    if r.width > MAX_WIDTH:
        raise ModelError(node or "?", f"needs a {r.width}-bit type; ap_fixed allows at most {MAX_WIDTH}")
    return Fixed(r.width, r.exp, r.signed)


def of_quant(q: QParams) -> Fixed:
    return Fixed(q.bits, q.exp, q.signed, "TRN" if q.mode == "FLOOR" else "RND_CONV",
                 "SAT_SYM" if q.narrow else "SAT")


def hls_name(node) -> str:
    """The hls4ml layer name an ONNX node becomes."""
    if node.op_type == "Conv":
        return f"Conv2D_{node.name}"
    if node.op_type == "Quant":
        return f"{node.name}_act"
    return node.name


def derive(model) -> tuple[dict[str, dict], dict[str, Fixed]]:
    """(hls4ml LayerName precision config, the type of every ONNX tensor)."""
    ranges = analyze(model)
    types: dict[str, Fixed] = {}
    layers: dict[str, dict] = {}
    g = model.graph
    inp = g.input[0].name
    first = [n for n in g.node if inp in n.input]
    if len(first) != 1 or first[0].op_type != "Quant":
        raise ModelError(inp, "the graph input must feed exactly one Quant")
    types[inp] = of_quant(quant_params(model, first[0]))
    layers[inp] = {"Precision": {"result": str(types[inp])}}
    for n in g.node:
        if n.op_type == "Quant" and model.get_initializer(n.input[0]) is not None:
            continue                                    # weights, biases: folded into the Conv
        out = n.output[0]
        if n.op_type in ("Quant", "QuantGlobalAveragePool"):
            t = of_quant(quant_params(model, n))
        elif n.op_type == "StreamMaxPool":
            t = types[n.input[0]]
        else:
            t = of_range(ranges[out], n)
        types[out] = t
        prec = {"result": str(t)}
        cfg = {"Precision": prec}
        if n.op_type == "Conv":
            prec.update(_conv(model, n, ranges[n.input[0]]))
        elif n.op_type in ("Quant", "Relu"):
            # unused by relu/linear, but never left at hls4ml's default; a layer-level
            # key because hls4ml's attribute default shadows Precision.table
            cfg["table_t"] = str(t)
        layers[hls_name(n)] = cfg
        if n.op_type == "Quant":            # hls4ml's QuantToActivation copies the Quant's config
            layers[n.name] = cfg
    return layers, types


def _conv(model, n, x: Range) -> dict[str, str]:
    acc, _, _, _, _ = conv_acc(model, n, x)
    _, wq = codes(model, producer(model, n.input[1]))
    prec = {"weight": str(Fixed(wq.bits, wq.exp, wq.signed)), "accum": str(of_range(acc, n))}
    if len(n.input) > 2:
        _, bq = codes(model, producer(model, n.input[2]))
        prec["bias"] = str(Fixed(bq.bits, bq.exp, bq.signed))
    else:
        prec["bias"] = str(Fixed(1, acc.exp, False))    # hls4ml adds a zero bias
    return prec
