"""Small helpers over a qonnx ModelWrapper shared by the passes."""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from onnx import helper

from ..errors import ModelError

QUANT_DOMAINS = ("qonnx.custom_op.general", "onnx.brevitas")
# Our own ops (exact semantics, executable by qonnx: see ops.py).
DOMAIN = "squeezefpga.codegen.qonnx.ops"
CL_DOMAIN = "qonnx.custom_op.channels_last"


@dataclass(frozen=True)
class QParams:
    """A per-tensor power-of-two quantizer: value = q * 2**exp."""

    exp: int
    bits: int
    signed: bool
    narrow: bool
    mode: str

    @property
    def qmin(self) -> int:
        return -(1 << (self.bits - 1)) + int(self.narrow) if self.signed else 0

    @property
    def qmax(self) -> int:
        return (1 << (self.bits - 1)) - 1 if self.signed else (1 << self.bits) - 1 - int(self.narrow)


def attr(node, name, default=None):
    for a in node.attribute:
        if a.name == name:
            v = helper.get_attribute_value(a)
            return v.decode() if isinstance(v, bytes) else v
    return default


def set_attr(node, name, value) -> None:
    for i, a in enumerate(node.attribute):
        if a.name == name:
            del node.attribute[i]
            break
    node.attribute.append(helper.make_attribute(name, value))


def is_quant(node) -> bool:
    return node is not None and node.op_type in ("Quant", "QuantGlobalAveragePool")


def const(model, node, i, what: str) -> np.ndarray:
    v = model.get_initializer(node.input[i]) if i < len(node.input) else None
    if v is None:
        raise ModelError(node, f"{what} must be a constant")
    return np.asarray(v)


def quant_params(model, node) -> QParams:
    """The quantizer of a Quant-like node; refuses anything not power-of-two per-tensor."""
    if node.op_type == "QuantGlobalAveragePool":
        return QParams(int(attr(node, "exp")), int(attr(node, "bits")), bool(attr(node, "signed")),
                       bool(attr(node, "narrow", 0)), str(attr(node, "rounding_mode", "ROUND")))
    scale = const(model, node, 1, "the scale")
    zeropt = const(model, node, 2, "the zero point")
    bits = const(model, node, 3, "the bit width")
    if scale.size != 1:
        raise ModelError(node, f"per-channel scale (shape {list(scale.shape)}); only per-tensor "
                               "scales are supported")
    s = float(scale.reshape(-1)[0])
    m, e = math.frexp(s) if s > 0 else (0.0, 0)
    if m != 0.5:
        raise ModelError(node, f"scale {s!r} is not a power of two")
    if np.any(zeropt != 0):
        raise ModelError(node, f"zero point {zeropt.reshape(-1)[0]!r} is not 0")
    b = float(bits.reshape(-1)[0])
    if bits.size != 1 or b != int(b) or not 1 <= b <= 64:
        raise ModelError(node, f"bit width {b!r} is not an integer in [1, 64]")
    mode = str(attr(node, "rounding_mode", "ROUND")).upper()
    if mode == "HALF_EVEN":
        mode = "ROUND"
    if mode not in ("ROUND", "FLOOR"):
        raise ModelError(node, f"rounding_mode {mode} has no ap_fixed equivalent "
                               "(ROUND and FLOOR are supported)")
    signed = bool(attr(node, "signed", 1))
    narrow = bool(attr(node, "narrow", 0))
    if narrow and not signed:
        raise ModelError(node, "narrow range on an unsigned quantizer has no ap_fixed equivalent")
    return QParams(e - 1, int(b), signed, narrow, mode)


def producer(model, tensor):
    return model.find_producer(tensor)


def consumers(model, tensor) -> list:
    return list(model.find_consumers(tensor) or [])


def fresh_name(model, base: str) -> str:
    used = {n.name for n in model.graph.node}
    used |= {t for n in model.graph.node for t in list(n.input) + list(n.output)}
    used |= {i.name for i in model.graph.initializer}
    name, k = base, 0
    while name in used:
        k += 1
        name = f"{base}_{k}"
    return name
