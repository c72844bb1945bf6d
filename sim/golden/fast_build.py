"""Compiling a ``Plan`` into a fast ``Program`` (see fast.py for why it is exact).

Each handler returns the step's fast function, or None to run the reference
int64 step; a handler that fuses later steps marks them absorbed only once
it has decided to run fast.
"""
from __future__ import annotations

import numpy as np

from . import ops
from .fast import MAX_EXP, Program, _mag, epilogue, exact_dtype, fallback, im2col, maxpool, nhwc_array, plain


def _clip0(lo: int, hi: int) -> int:
    """clip(0, lo, hi): Relu before a monotone quantizer raises its floor to this."""
    return min(max(0, lo), hi)


class Builder:
    def __init__(self, plan, skip_input: bool):
        self.plan, self.t = plan, plan.tensors
        self.steps = [s for s in plan.steps if not (skip_input and s is plan.input_step)]
        self.users: dict[str, list[int]] = {}
        for i, s in enumerate(self.steps):
            for n in s.inputs:
                self.users.setdefault(n, []).append(i)
        self.absorbed: set[int] = set()
        self.relu_into: dict[int, str] = {}   # Quant step -> the input of its fused Relu

    def only_user(self, name: str, op_names) -> int | None:
        """The step that alone reads ``name`` (not the graph output) if its op is one of these."""
        u = self.users.get(name, [])
        if name == self.plan.output_name or len(u) != 1 or self.steps[u[0]].op not in op_names:
            return None
        return u[0]

    def build(self) -> Program:
        prog = []
        for i, s in enumerate(self.steps):
            if i in self.absorbed:
                continue
            handler = getattr(self, "f_" + s.op.split("(")[0].replace("+", "_"), None)
            res = handler(i, s) if handler else None
            if i in self.absorbed:
                continue
            if res is None:
                src = self.relu_into.get(i)
                ins = (src,) + s.inputs[1:] if src else s.inputs
                res = ins, s.output, fallback(s, relu_first=src is not None)
            elif not isinstance(res, tuple):
                res = s.inputs, s.output, res
            prog.append(res)
        return Program(prog, self.plan.output_name)

    # ---- handlers --------------------------------------------------------------
    def f_Quant(self, i, s):
        q = s.params["q"]
        if "shift" not in s.params:                     # the float graph input
            dt = exact_dtype(_mag((q.lo, q.hi)))

            def quant_in(v):
                codes = s.fn(v[0])
                if codes.ndim == 4:
                    return nhwc_array((codes, False), dt), True
                return codes.astype(dt), False
            return quant_in
        src = self.relu_into.get(i, s.inputs[0])
        x, shift = self.t[src], s.params["shift"]
        dt = exact_dtype(_mag((x.lo, x.hi), (q.lo, q.hi)))
        if dt is None or abs(shift) > MAX_EXP:
            return None
        lo = _clip0(q.lo, q.hi) if i in self.relu_into else q.lo
        scale = dt(2.0 ** -shift)

        def requant(v):
            a, layout = v
            y = np.multiply(a, scale, dtype=dt)
            return epilogue(y, None, q.mode, lo, q.hi), layout
        return (src,), s.output, requant

    def f_Relu(self, i, s):
        j = self.only_user(s.output, ("Quant",))
        if j is not None and j not in self.relu_into:
            self.relu_into[j] = s.inputs[0]
            self.absorbed.add(i)
            return None
        return lambda v: (np.maximum(v[0], 0), v[1])

    def f_Conv(self, i, s):
        p, acc = s.params, self.t[s.output]
        w, bias, shift = p["w"], p["bias"], p["shift"]
        chain, out, relu, q, pool = [], s.output, False, None, None
        j = self.only_user(out, ("Relu",))
        if j is not None:
            relu, out = True, self.steps[j].output
            chain.append(j)
        j = self.only_user(out, ("Quant",))
        if j is not None:
            q, out = self.steps[j].params["q"], self.steps[j].output
            chain.append(j)
        j = self.only_user(out, ("MaxPool",))
        if j is not None:
            pool, out = self.steps[j].params, self.steps[j].output
            chain.append(j)
        s_q = q.exp - acc.exp if q else 0          # requantize right shift
        k = shift - s_q                           # weights pre-scaled by 2**k
        bias_mag = int(np.abs(bias).max()) if bias is not None and bias.size else 0
        dt = exact_dtype(max(p["dot_bound"], _mag((acc.lo, acc.hi)), bias_mag))
        if dt is None or abs(k) > MAX_EXP or abs(s_q) > MAX_EXP:
            return None
        self.absorbed.update(chain)
        m, c, kh, kw = w.shape
        wm = np.ascontiguousarray(w.transpose(2, 3, 1, 0).reshape(-1, m).astype(dt) * dt(2.0 ** k))
        bf = None if bias is None else (bias.astype(np.float64) * 2.0 ** -s_q).astype(dt)
        lo = (_clip0(q.lo, q.hi) if relu else q.lo) if q else (0 if relu else None)
        hi = q.hi if q else None
        mode = q.mode if q else None
        odt = exact_dtype(_mag((self.t[out].lo, self.t[out].hi)))
        stride, pads = p["stride"], p["pads"]

        def conv(v):
            a = nhwc_array(v, dt)
            if a.shape[3] != c:
                raise ValueError(f"input shape {plain(v).shape} does not match weights {w.shape}")
            cols, oh, ow = im2col(a, kh, kw, stride, pads)
            y = (cols @ wm).reshape(a.shape[0], oh, ow, m)
            if pool is not None:
                y = maxpool(y, pool["kernel"], pool["stride"], pool["pads"], pool["ceil"])
            y = epilogue(y, bf, mode, lo, hi)
            return (y if y.dtype == odt else y.astype(odt)), True
        return s.inputs, out, conv

    def f_MaxPool(self, i, s):
        x, p = self.t[s.inputs[0]], s.params
        dt = exact_dtype(_mag((x.lo, x.hi)))
        if dt is None:
            return None
        return lambda v: (maxpool(nhwc_array(v, dt), p["kernel"], p["stride"], p["pads"], p["ceil"]), True)

    def f_Concat(self, i, s):
        out = self.t[s.output]
        dt = exact_dtype(_mag((out.lo, out.hi)))
        if dt is None:
            return None
        scales = [dt(2.0 ** (xe - out.exp)) for xe in s.params["exps"]]

        def concat(*vals):
            nhwc = all(v[1] for v in vals)
            parts = []
            for (a, layout), sc in zip(vals, scales):
                a = a if nhwc else plain((a, layout))
                parts.append(a * sc if sc != 1 else a.astype(dt, copy=False))
            return np.concatenate(parts, axis=-1 if nhwc else 1), nhwc
        return concat

    def f_Add(self, i, s):
        p, out = s.params, self.t[s.output]
        if any(c is not None for c in p["consts"]):
            return None
        dt = exact_dtype(_mag((out.lo, out.hi), *p["ranges"]))
        if dt is None:
            return None
        sa, sb = (dt(2.0 ** (xe - out.exp)) for xe in p["exps"])

        def add(va, vb):
            nhwc = va[1] and vb[1]
            a, b = (v[0] if nhwc else plain(v) for v in (va, vb))
            a = a * sa if sa != 1 else a.astype(dt, copy=False)
            b = b * sb if sb != 1 else b.astype(dt, copy=False)
            return np.add(a, b, dtype=dt), nhwc
        return add

    def f_GlobalAveragePool_Quant(self, i, s):
        p = s.params
        q, shift, mag = p["q"], p["shift"], p["mag"]

        def gap(v):
            a, nhwc = v
            if a.ndim != 4:
                return fallback(s)(v)
            h, w = a.shape[1:3] if nhwc else a.shape[2:]
            if (h * w * mag) << max(-shift, 0) >= 1 << 62 or h * w * mag > 1 << 53:
                return fallback(s)(v)
            sums = a.sum(axis=(1, 2) if nhwc else (2, 3), dtype=np.float64).astype(np.int64)
            r = ops.avgpool_from_sum(sums, h * w, shift, q.bits, q.signed, q.mode, q.narrow)
            return r.reshape(a.shape[0], -1, 1, 1), False
        return gap

    def f_Identity(self, i, s):
        return lambda v: v

    def _move(self, i, s):
        return lambda v: (s.fn(plain(v)), False)

    f_Flatten = f_Reshape = f_Transpose = _move
