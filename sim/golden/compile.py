"""Compile a QONNX graph into an integer ``Plan`` (see README.md for semantics).

Tensors fall in three kinds while compiling: float constants (initializers),
integer constants (a Quant applied to a float constant: weights, biases), and
dynamic integer tensors (``TensorInfo``), which the plan computes at run time.
The graph input is float and may only feed Quant nodes.
"""
from __future__ import annotations

import numpy as np
import onnx

from . import ops
from .graph import QONNX_DOMAINS, Graph, UnsupportedModel, attrs, load_model, node_name, read_graph, refuse
from .plan import INT64_LIMIT, LayerBound, Plan, Step, TensorInfo
from .quantizer import QuantAttrs, parse_quant

F32_EXACT, F64_EXACT = 1 << 24, 1 << 53


def _shift_range(lo: int, hi: int, shift: int) -> tuple[int, int]:
    """Range of ``x << shift`` (shift >= 0) for x in [lo, hi], as Python ints."""
    return lo << shift, hi << shift


def _fast_requant(q: QuantAttrs, x: TensorInfo, shift: int):
    """``q.requantize`` specialised on the proven input range: the add-then-shift
    rounding ``(v + 2**(s-1) - 1 + ((v >> s) & 1)) >> s`` (ties to even), in
    int32 when the range allows, else int64; equal to ``ops.requantize``."""
    if shift <= 0 or shift > 30:
        return lambda v: q.requantize(v, x.exp)
    mag = max(-x.lo, x.hi) + (1 << shift)
    dt = np.int32 if mag < 1 << 31 else np.int64 if mag < 1 << 62 else None
    if dt is None:
        return lambda v: q.requantize(v, x.exp)
    half, full = (1 << (shift - 1)) - 1, (1 << shift) - 1

    def requant(v):
        v = v.astype(dt)
        if q.mode == "FLOOR":
            r = v >> shift
        elif q.mode == "CEIL":
            v += full
            r = v >> shift
        else:
            r = v >> shift
            r &= 1
            r += v
            r += half
            r >>= shift
        return np.clip(r, q.lo, q.hi, out=r).astype(np.int64)

    return requant


class Compiler:
    def __init__(self, graph: Graph):
        self.g = graph
        self.info: dict[str, TensorInfo] = {}
        self.iconst: dict[str, tuple[np.ndarray, int]] = {}
        self.steps: list[Step] = []
        self.bounds: list[LayerBound] = []
        self.fused: set[str] = set()   # Quant nodes folded into the previous step
        self.input_steps: list[Step] = []

    # ---- helpers -------------------------------------------------------
    def dyn(self, node, name: str) -> TensorInfo:
        if name in self.info:
            return self.info[name]
        if name == self.g.input_name:
            raise refuse(node, f"input {name!r} is the float graph input; it must pass through a Quant first")
        if name in self.g.constants or name in self.iconst:
            raise refuse(node, f"input {name!r} is a constant; this op needs a computed tensor")
        raise refuse(node, f"input {name!r} is not an integer tensor the plan computes")

    def add(self, node, op, inputs, output, fn, lo, hi, exp, bits=None, signed=None, **params):
        try:
            self.info[output] = TensorInfo(output, int(exp), int(lo), int(hi), bits, signed)
        except OverflowError as e:
            raise refuse(node, str(e)) from None
        step = Step(node_name(node), op, tuple(inputs), output, fn, params)
        self.steps.append(step)
        return step

    # ---- driver ---------------------------------------------------------
    def compile(self) -> Plan:
        for node in self.g.nodes:
            if node_name(node) in self.fused:
                continue
            op = node.op_type
            if node.domain in QONNX_DOMAINS and op == "Quant":
                self.quant(node)
            elif node.domain not in ("", "ai.onnx"):
                raise refuse(node, f"unsupported op domain {node.domain!r}")
            elif hasattr(self, "op_" + op):
                getattr(self, "op_" + op)(node)
            else:
                raise refuse(node, "unsupported op type")
        out = self.g.output_name
        if out not in self.info:
            raise UnsupportedModel(f"graph output {out!r} is not a computed integer tensor")
        return Plan(steps=self.steps, tensors=self.info, input_name=self.g.input_name,
                    input_shape=self.g.input_shape,
                    input_step=self.input_steps[0] if len(self.input_steps) == 1 else None,
                    output_name=out, bounds=self.bounds)

    # ---- Quant ------------------------------------------------------------
    def quant(self, node):
        q = parse_quant(node, self.g)
        src, out = node.input[0], node.output[0]
        if src in self.g.constants:        # weights / biases: quantized once, here
            self.iconst[out] = (q.quantize_float(self.g.constants[src]), q.exp)
        elif src in self.iconst:
            v, e = self.iconst[src]
            self.iconst[out] = (self._requant_const(node, q, v, e), q.exp)
        elif src == self.g.input_name:
            self.input_steps.append(self.add(node, "Quant(input)", [src], out, q.quantize_float,
                                             q.lo, q.hi, q.exp, q.bits, q.signed, q=q))
        else:
            x = self.dyn(node, src)
            shift = q.exp - x.exp
            self._check_shift(node, x, shift)
            lo, hi = (int(v) for v in q.requantize(np.array([x.lo, x.hi]), x.exp))
            self.add(node, "Quant", [src], out, _fast_requant(q, x, shift),
                     lo, hi, q.exp, q.bits, q.signed, q=q, shift=shift)

    def _requant_const(self, node, q: QuantAttrs, v, e):
        self._check_shift(node, TensorInfo("const", e, int(v.min()), int(v.max())), q.exp - e)
        return q.requantize(v, e)

    @staticmethod
    def _check_shift(node, x: TensorInfo, shift: int):
        if shift < 0 and max(-x.lo, x.hi) << -shift >= INT64_LIMIT:
            raise refuse(node, f"left shift by {-shift} of range [{x.lo}, {x.hi}] overflows int64")

    # ---- arithmetic ---------------------------------------------------------
    def op_Conv(self, node):
        a = attrs(node)
        if a.get("group", 1) != 1:
            raise refuse(node, f"group={a['group']} is not supported (only 1)")
        if any(d != 1 for d in a.get("dilations", [1, 1])):
            raise refuse(node, f"dilations={a['dilations']} are not supported (only 1)")
        if a.get("auto_pad", "NOTSET") != "NOTSET":
            raise refuse(node, f"auto_pad={a['auto_pad']} is not supported, use explicit pads")
        x = self.dyn(node, node.input[0])
        if node.input[1] not in self.iconst:
            raise refuse(node, "the weight is not a quantized constant (Quant of an initializer)")
        w, we = self.iconst[node.input[1]]
        if w.ndim != 4:
            raise refuse(node, f"only 2-D convolution is supported (weight shape {w.shape})")
        m = w.shape[0]
        kshape = tuple(a.get("kernel_shape", w.shape[2:]))
        if kshape != w.shape[2:]:
            raise refuse(node, f"kernel_shape {kshape} does not match the weight {w.shape}")
        stride, pads = tuple(a.get("strides", [1, 1])), tuple(a.get("pads", [0, 0, 0, 0]))
        e_prod, shift = x.exp + we, 0
        bias = None
        if len(node.input) > 2 and node.input[2]:
            if node.input[2] not in self.iconst:
                raise refuse(node, "the bias is not a quantized constant (Quant of an initializer)")
            b, be = self.iconst[node.input[2]]
            if b.shape != (m,):
                raise refuse(node, f"bias shape {b.shape} does not match {m} output channels")
            e_acc = min(e_prod, be)
            shift = e_prod - e_acc
            bias = [int(v) << (be - e_acc) for v in b]
        else:
            e_acc = e_prod
        lo, hi = x.lo, x.hi
        if any(pads):
            lo, hi = min(lo, 0), max(hi, 0)
        wl = w.reshape(m, -1).astype(object)
        pos = [int(r[r > 0].sum()) for r in wl]
        neg = [int(r[r < 0].sum()) for r in wl]
        dot_bound = max((p - n) * max(-lo, hi) for p, n in zip(pos, neg))
        cmax = [((p * hi + n * lo) << shift) + (bias[i] if bias else 0) for i, (p, n) in enumerate(zip(pos, neg))]
        cmin = [((p * lo + n * hi) << shift) + (bias[i] if bias else 0) for i, (p, n) in enumerate(zip(pos, neg))]
        if (dot_bound << shift) >= INT64_LIMIT or max(cmax) >= INT64_LIMIT or min(cmin) < -INT64_LIMIT:
            raise refuse(node, "the worst-case accumulator does not fit int64")
        engine = "float32" if dot_bound <= F32_EXACT else "float64" if dot_bound <= F64_EXACT else "int64"
        ftype = {"float32": np.float32, "float64": np.float64, "int64": None}[engine]
        wc = w.astype(ftype) if ftype is not None else w
        bias_arr = None if bias is None else np.array(bias, dtype=np.int64)

        def conv(v, wc=wc, bias_arr=bias_arr, shift=shift, stride=stride, pads=pads, ftype=ftype):
            acc = ops.conv2d(v, wc, None, stride, pads, exact_float=ftype)
            if shift:
                acc = np.left_shift(acc, shift, out=acc)
            if bias_arr is not None:
                acc += bias_arr.reshape(1, -1, 1, 1)
            return acc

        self.add(node, "Conv", [node.input[0]], node.output[0], conv, min(cmin), max(cmax), e_acc,
                 w=w, bias=bias_arr, shift=shift, stride=stride, pads=pads, dot_bound=dot_bound)
        self.bounds.append(LayerBound(node_name(node), "Conv", e_acc, min(cmin), max(cmax),
                                      tuple(cmin), tuple(cmax), dot_bound, engine))

    def _operand(self, node, name):
        """(range lo, range hi, exp, constant array or None) of an Add/Concat input."""
        if name in self.iconst:
            v, e = self.iconst[name]
            return int(v.min()), int(v.max()), e, v
        x = self.dyn(node, name)
        return x.lo, x.hi, x.exp, None

    def op_Add(self, node):
        (alo, ahi, ae, ac), (blo, bhi, be, bc) = (self._operand(node, n) for n in node.input)
        if ac is not None and bc is not None:
            raise refuse(node, "both inputs are constants")
        e = min(ae, be)
        alo, ahi = _shift_range(alo, ahi, ae - e)
        blo, bhi = _shift_range(blo, bhi, be - e)
        dyn = [n for n, c in zip(node.input, (ac, bc)) if c is None]

        def add(*vals, ae=ae, be=be, ac=ac, bc=bc):
            vals = list(vals)
            a = ac if ac is not None else vals.pop(0)
            b = bc if bc is not None else vals.pop(0)
            return ops.add(a, ae, b, be)[0]

        self.add(node, "Add", dyn, node.output[0], add, alo + blo, ahi + bhi, e,
                 exps=(ae, be), consts=(ac, bc), ranges=((alo, ahi), (blo, bhi)))
        self.bounds.append(LayerBound(node_name(node), "Add", e, alo + blo, ahi + bhi))

    def op_Concat(self, node):
        axis = attrs(node).get("axis")
        if axis != 1:
            raise refuse(node, f"axis={axis} is not supported (only channels, axis=1)")
        xs = [self.dyn(node, n) for n in node.input]
        e = min(x.exp for x in xs)
        rng = [_shift_range(x.lo, x.hi, x.exp - e) for x in xs]
        exps = [x.exp for x in xs]

        def concat(*vals, exps=exps, e=e):
            return np.concatenate([ops.round_shift(v, e - xe) for v, xe in zip(vals, exps)], axis=1)

        self.add(node, "Concat", list(node.input), node.output[0], concat,
                 min(r[0] for r in rng), max(r[1] for r in rng), e, exps=tuple(exps))

    # ---- data movement and pooling -------------------------------------------
    def _same(self, node, op, fn, lo=None, hi=None, **params):
        x = self.dyn(node, node.input[0])
        self.add(node, op, [node.input[0]], node.output[0], fn,
                 x.lo if lo is None else lo(x), x.hi if hi is None else hi(x), x.exp,
                 x.bits, x.signed, **params)

    def op_Relu(self, node):
        self._same(node, "Relu", lambda v: np.maximum(v, 0), lambda x: max(x.lo, 0), lambda x: max(x.hi, 0))

    def op_Identity(self, node):
        self._same(node, "Identity", lambda v: v)

    def op_MaxPool(self, node):
        a = attrs(node)
        if len(node.output) > 1 and node.output[1]:
            raise refuse(node, "the Indices output is not supported")
        if a.get("auto_pad", "NOTSET") != "NOTSET" or a.get("storage_order", 0) != 0:
            raise refuse(node, "auto_pad/storage_order are not supported")
        k = tuple(a["kernel_shape"])
        if len(k) != 2 or any(d != 1 for d in a.get("dilations", [1, 1])):
            raise refuse(node, "only 2-D pooling with dilation 1 is supported")
        stride, pads = tuple(a.get("strides", [1, 1])), tuple(a.get("pads", [0, 0, 0, 0]))
        if any(p >= kk for p, kk in zip(pads, k + k)):
            raise refuse(node, f"pads {pads} must be smaller than the kernel {k}")
        ceil = bool(a.get("ceil_mode", 0))
        self._same(node, "MaxPool", lambda v: ops.maxpool2d(v, k, stride, pads, ceil),
                   kernel=k, stride=stride, pads=pads, ceil=ceil)

    def op_GlobalAveragePool(self, node):
        x = self.dyn(node, node.input[0])
        users = self.g.consumers.get(node.output[0], [])
        q_node = users[0] if len(users) == 1 else None
        if (q_node is None or q_node.op_type != "Quant" or q_node.domain not in QONNX_DOMAINS
                or q_node.input[0] != node.output[0] or node.output[0] == self.g.output_name):
            raise refuse(node, "must feed exactly one Quant, which rounds the exact mean")
        q = parse_quant(q_node, self.g)
        shift = q.exp - x.exp
        lo, hi = (int(v) for v in q.requantize(np.array([x.lo, x.hi]), x.exp))
        mag = max(-x.lo, x.hi)

        def gap(v, q=q, shift=shift, mag=mag):
            if (v.shape[2] * v.shape[3] * mag) << max(-shift, 0) >= 1 << 62:
                raise OverflowError(f"{node_name(node)}: sum may overflow int64")
            return ops.global_avgpool(v, shift, q.bits, q.signed, q.mode, q.narrow)

        self.fused.add(node_name(q_node))
        self.add(q_node, "GlobalAveragePool+Quant", [node.input[0]], q_node.output[0], gap,
                 lo, hi, q.exp, q.bits, q.signed, q=q, shift=shift, mag=mag)

    def op_Flatten(self, node):
        if attrs(node).get("axis", 1) != 1:
            raise refuse(node, "only axis=1 is supported (the batch stays first)")
        self._same(node, "Flatten", lambda v: v.reshape(v.shape[0], -1))

    def op_Reshape(self, node):
        if node.input[1] not in self.g.constants:
            raise refuse(node, "the shape is not a constant")
        shape = [int(s) for s in self.g.constants[node.input[1]].ravel()]
        batch = self.g.input_shape[0] if self.g.input_shape else None
        if not shape or shape[0] not in (0, batch) or (attrs(node).get("allowzero", 0) and 0 in shape):
            raise refuse(node, f"shape {shape} must keep the batch dimension first")

        def reshape(v, shape=shape):
            return v.reshape([v.shape[i] if (s == 0 or i == 0) else s for i, s in enumerate(shape)])

        self._same(node, "Reshape", reshape)

    def op_Transpose(self, node):
        perm = attrs(node).get("perm")
        if not perm or perm[0] != 0:
            raise refuse(node, f"perm {perm} must keep the batch dimension first")
        self._same(node, "Transpose", lambda v, perm=tuple(perm): v.transpose(perm))


def compile_model(model: onnx.ModelProto) -> Plan:
    return Compiler(read_graph(model)).compile()


def load(src) -> Plan:
    """Compile a QONNX model (path, ModelProto or ModelWrapper) into a ``Plan``."""
    return compile_model(load_model(src))
