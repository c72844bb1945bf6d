"""Exact value ranges of every tensor: value = q * 2**exp with lo <= q <= hi.

An analysis (not a pass) over the cleaned graph, NCHW or NHWC.  Integers are
Python ints, so nothing overflows.  Conv ranges are the proven worst case per
output channel over the input range (0 included where the input is padded),
the bias aligned exactly: the same bound the golden model proves.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ModelError
from .graph import QParams, attr, producer, quant_params


@dataclass(frozen=True)
class Range:
    exp: int
    lo: int
    hi: int

    @property
    def signed(self) -> bool:
        return self.lo < 0

    @property
    def width(self) -> int:
        """Fewest bits of a two's complement (signed) or plain (unsigned) integer."""
        if self.signed:
            return max(self.hi.bit_length(), (-self.lo - 1).bit_length()) + 1
        return max(self.hi.bit_length(), 1)

    def at(self, exp: int) -> "Range":
        """The same values at a finer exponent (exact)."""
        sh = self.exp - exp
        assert sh >= 0
        return Range(exp, self.lo << sh, self.hi << sh)


def round_shift(v: int, sh: int, mode: str) -> int:
    """v * 2**-sh rounded (sh > 0) or exactly scaled (sh <= 0)."""
    if sh <= 0:
        return v << -sh
    q, r = divmod(v, 1 << sh)
    if mode == "FLOOR":
        return q
    half = 1 << (sh - 1)
    return q + (1 if r > half or (r == half and q & 1) else 0)


def codes(model, quant_node) -> tuple[np.ndarray, QParams]:
    """Integer codes of a Quant of a constant (weights, biases)."""
    qp = quant_params(model, quant_node)
    w = np.asarray(model.get_initializer(quant_node.input[0]), np.float64) / 2.0 ** qp.exp
    q = np.floor(w) if qp.mode == "FLOOR" else np.round(w)   # np.round: half to even
    return np.clip(q, qp.qmin, qp.qmax).astype(np.int64), qp


def analyze(model) -> dict[str, Range]:
    """Range of every computed tensor, by name (weights and biases excluded)."""
    r: dict[str, Range] = {}
    for n in model.graph.node:
        if n.op_type == "Quant" and model.get_initializer(n.input[0]) is not None:
            continue
        ins = [r.get(t) for t in n.input[:1]]
        r[n.output[0]] = _RULES.get(n.op_type, _unknown)(model, n, ins[0], r)
    return r


def _unknown(model, n, x, r):
    raise ModelError(n, "no range rule for this op")


def _quant(model, n, x, r):
    qp = quant_params(model, n)
    if x is None:                        # the float graph input: the quantizer's range
        return Range(qp.exp, qp.qmin, qp.qmax)
    sh = qp.exp - x.exp
    lo, hi = (min(max(round_shift(v, sh, qp.mode), qp.qmin), qp.qmax) for v in (x.lo, x.hi))
    return Range(qp.exp, lo, hi)


def conv_acc(model, n, x: Range) -> tuple[Range, int, int, np.ndarray, np.ndarray]:
    """(accumulator range, product shift, bias shift, weight codes, bias codes)."""
    wq = producer(model, n.input[1])
    w, wp = codes(model, wq)
    e_prod = x.exp + wp.exp
    if len(n.input) > 2:
        b, bp = codes(model, producer(model, n.input[2]))
        e = min(e_prod, bp.exp)
    else:
        b, bp, e = np.zeros(w.shape[0], np.int64), None, e_prod
    sh, shb = e_prod - e, (bp.exp - e if bp is not None else 0)
    lo, hi = x.lo, x.hi
    if any(attr(n, "pads", [0, 0, 0, 0])):
        lo, hi = min(lo, 0), max(hi, 0)
    flat = w.reshape(w.shape[0], -1)
    pos = [int(v) for v in np.where(flat > 0, flat, 0).sum(axis=1)]
    neg = [int(v) for v in np.where(flat < 0, flat, 0).sum(axis=1)]
    bias = [int(v) << shb for v in b.reshape(-1)]
    mx = max(((p * hi + m * lo) << sh) + bb for p, m, bb in zip(pos, neg, bias))
    mn = min(((p * lo + m * hi) << sh) + bb for p, m, bb in zip(pos, neg, bias))
    return Range(e, mn, mx), sh, shb, w, b


def _conv(model, n, x, r):
    return conv_acc(model, n, x)[0]


def _relu(model, n, x, r):
    return Range(x.exp, max(x.lo, 0), max(x.hi, 0))


def _same(model, n, x, r):
    return x


def _merge(model, n, x, r):
    a, b = (r[t] for t in n.input)
    e = min(a.exp, b.exp)
    a, b = a.at(e), b.at(e)
    if n.op_type == "Add":
        return Range(e, a.lo + b.lo, a.hi + b.hi)
    return Range(e, min(a.lo, b.lo), max(a.hi, b.hi))


def _gap(model, n, x, r):
    return _quant(model, n, x, r)     # the mean lies within [lo, hi]


_RULES = {"Quant": _quant, "Conv": _conv, "Relu": _relu, "MaxPool": _same, "StreamMaxPool": _same,
          "Flatten": _same, "Concat": _merge, "Add": _merge, "QuantGlobalAveragePool": _gap}
