"""The QONNX ``Quant`` node, restricted to what is exact in integers.

``Quant(x, scale, zero_point, bit_width)`` with attributes ``signed``,
``narrow`` and ``rounding_mode`` computes
``scale * clip(round(x / scale + zero_point), min_int, max_int)``.
Accepted here: a constant scalar scale that is an exact power of two
``2**e``, zero point 0, a constant integer bit width, and the rounding modes
ROUND (= HALF_EVEN), FLOOR and CEIL.  Everything else is refused.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import onnx

from . import ops
from .graph import Graph, attrs, refuse

_MODES = {"ROUND": "ROUND", "HALF_EVEN": "ROUND", "FLOOR": "FLOOR", "CEIL": "CEIL"}


@dataclass(frozen=True)
class QuantAttrs:
    """An integer quantizer: values ``q * 2**exp`` with ``q`` in [lo, hi]."""

    exp: int
    bits: int
    signed: bool
    narrow: bool
    mode: str

    @property
    def lo(self) -> int:
        return ops.int_range(self.bits, self.signed, self.narrow)[0]

    @property
    def hi(self) -> int:
        return ops.int_range(self.bits, self.signed, self.narrow)[1]

    def quantize_float(self, x: np.ndarray) -> np.ndarray:
        """Exact QONNX Quant of float values to integer codes.

        ``x * 2**-exp`` is exact in float64 (power-of-two scaling of a float),
        clipping to integer bounds and then rounding a float to an integer
        are exact, so no rounding error enters.
        """
        x = np.asarray(x, dtype=np.float64)
        if not np.all(np.isfinite(x)):
            raise ValueError("the input contains NaN or infinity")
        y = np.clip(np.ldexp(x, -self.exp), self.lo, self.hi)
        y = {"ROUND": np.round, "FLOOR": np.floor, "CEIL": np.ceil}[self.mode](y)
        return y.astype(np.int64)

    def requantize(self, v: np.ndarray, exp_in: int, relu: bool = False) -> np.ndarray:
        """Integer codes at ``exp_in`` re-expressed by this quantizer."""
        return ops.requantize(v, self.exp - exp_in, self.bits, self.signed, self.narrow,
                              self.mode, relu)


def power_of_two_exponent(value: float) -> int | None:
    """``e`` if ``value == 2**e`` exactly, else None."""
    if not (np.isfinite(value) and value > 0):
        return None
    m, e = math.frexp(float(value))
    return e - 1 if m == 0.5 else None


def parse_quant(node: onnx.NodeProto, graph: Graph) -> QuantAttrs:
    """Validate a Quant node and return its integer quantizer (or refuse)."""
    if len(node.input) != 4:
        raise refuse(node, f"expected 4 inputs (x, scale, zero_point, bit_width), got {len(node.input)}")
    params = []
    for role, name in zip(("scale", "zero point", "bit width"), node.input[1:]):
        if name not in graph.constants:
            raise refuse(node, f"the {role} is not a constant initializer")
        params.append(np.asarray(graph.constants[name], dtype=np.float64))
    scale, zeropt, bitwidth = params
    if scale.size != 1:
        raise refuse(node, f"per-channel scale (shape {scale.shape}) is not supported, only per-tensor")
    exp = power_of_two_exponent(scale.item())
    if exp is None:
        raise refuse(node, f"scale {scale.item()!r} is not a power of two")
    if np.any(zeropt != 0):
        raise refuse(node, "non-zero zero point")
    if bitwidth.size != 1 or bitwidth.item() != int(bitwidth.item()):
        raise refuse(node, f"bit width {bitwidth.ravel().tolist()} is not a single integer")
    a = attrs(node)
    bits, signed, narrow = int(bitwidth.item()), bool(a.get("signed", 1)), bool(a.get("narrow", 0))
    mode = str(a.get("rounding_mode", "ROUND")).upper()
    if mode not in _MODES:
        raise refuse(node, f"rounding_mode {mode} is not supported (ROUND, FLOOR, CEIL)")
    if bits < (2 if signed else 1) or bits > 32:
        raise refuse(node, f"bit width {bits} (signed={int(signed)}) is not supported")
    if narrow and not signed and bits < 2:
        raise refuse(node, "narrow unsigned 1-bit quantizer is empty")
    return QuantAttrs(exp, bits, signed, narrow, _MODES[mode])
