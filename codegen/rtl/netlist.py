"""Prepared (channels-last) QONNX graph -> a dataflow netlist of hw/ op objects.

Every tensor becomes an AXI stream (``hwops.Stream``); every op one or more
op objects (``codegen/hwops``: one class per hw/ module, which owns its
parameters, cycles, memories and ROM contents):

* Conv [+ Relu] [+ Quant]: [LaneConv to SIMD lanes] -> [row FIFO] -> [frame
  FIFO -> WindowGen if K > 1, stride > 1 or padded] -> ConvMvu -> Requant (or,
  for a Conv feeding the global average pool directly, the raw accumulator
  stream).  The accumulator exponent is min(e_x + e_w, e_b) (sim/golden
  semantics): a bias coarser than the products is pre-shifted in its ROM,
  products coarser than the bias are shifted up by conv_mvu's PROD_SHIFT.
* StreamMaxPool -> MaxPool (+ its output burst FIFO); QuantGlobalAveragePool
  -> GlobalAvgPool.
* Concat / Add -> AxisConcat / AxisAdd; an ``align`` Quant on an input is an
  exact left shift and becomes the module's SHIFT_A / SHIFT_B.
* A tensor with two consumers -> AxisDup, then one AxisFifo per branch whose
  depth ``fifos.size`` computes once the whole netlist exists.

Every width comes from bit widths and exponents (the quantizers), never from
weight values: a graph with any weights of the same widths and scales (or
none) gives the same netlist.  Lane counts come from the fold (ONNX node
names, ``fold.auto_fold`` or a file); unknown names and values an op cannot
take raise ``FoldError``.  The input stream is one pixel per beat (C lanes of
the input Quant's codes); the output is the pooled class scores.
"""
from __future__ import annotations

import numpy as np

from ..errors import ModelError
from ..hwops.base import FoldError, HwOp, Stream, ceil_div, int_range
from ..hwops.conv import ConvMvu, row_fifo_beats
from ..hwops.gap import GlobalAvgPool, gap_shift
from ..hwops.streaming import AxisAdd, AxisConcat, AxisDup, AxisFifo, LaneConv, Requant
from ..hwops.window import MaxPool, WindowGen
from ..qonnx.graph import attr, consumers, producer, quant_params
from ..qonnx.ranges import codes
from .fifos import frame_fifo_beats

FOLDABLE = {"Conv": {"pe", "simd", "mult"}, "StreamMaxPool": {"lanes"}, "Concat": {"lanes"},
            "Add": {"lanes"}, "QuantGlobalAveragePool": {"lanes"}}


class Builder:
    def __init__(self, model, fold: dict):
        self.m, self.fold = model, fold
        self.ops: list[HwOp] = []
        self.streams: dict[str, Stream] = {}       # ONNX tensor -> stream
        self.pending: dict[str, list[Stream]] = {}  # duplicated streams left to hand out
        self.names: set[str] = set()
        self.check_fold()

    def check_fold(self) -> None:
        kinds = {n.name: n.op_type for n in self.m.graph.node if n.op_type in FOLDABLE}
        for name, e in self.fold.items():
            if name not in kinds:
                raise FoldError(f"fold: no foldable node named '{name}' (known: "
                                f"{', '.join(kinds)})")
            if not set(e) <= FOLDABLE[kinds[name]]:
                raise FoldError(f"fold: {name} ({kinds[name]}) takes "
                                f"{'/'.join(sorted(FOLDABLE[kinds[name]]))}, got "
                                f"{', '.join(sorted(e))}")

    def lanes(self, n, default: int, c: int) -> int:
        lanes = int(self.fold.get(n.name, {}).get("lanes", default))
        if not 1 <= lanes <= c:
            raise FoldError(f"fold: {n.name}: lanes = {lanes} must be in 1..{c} (its channels)")
        return lanes

    # ------------------------------------------------------------- helpers
    def uniq(self, base: str) -> str:
        base = "".join(ch if ch.isalnum() else "_" for ch in base)
        name, k = base, 0
        while name in self.names:
            k += 1
            name = f"{base}_{k}"
        self.names.add(name)
        return name

    def new(self, like: Stream, name: str, **kw) -> Stream:
        d = dict(c=like.c, h=like.h, w=like.w, lanes=like.lanes, bits=like.bits,
                 signed=like.signed, exp=like.exp)
        d.update(kw)
        return Stream(self.uniq(name), **d)

    def add(self, op: HwOp) -> HwOp:
        self.ops.append(op)
        return op

    def one(self, cls, base: str, layer: str, x: Stream, y: Stream, **kw) -> Stream:
        """An op of ``cls`` named after ``base`` from ``x`` to ``y``."""
        self.add(cls(self.uniq(base), layer, [("s_axis", x)], [("m_axis", y)], **kw))
        return y

    def fifo(self, base: str, layer: str, x: Stream, beats: int, purpose: str) -> Stream:
        y = self.new(x, f"{x.name}_{base[:2]}")
        self.add(AxisFifo.holding(self.uniq(base), layer, x, y, beats, purpose))
        return y

    def take(self, tensor: str, layer: str) -> Stream:
        """The stream of ``tensor`` for one consumer: N consumers get a chain of
        N - 1 axis_dups, each output behind a branch FIFO (fifos.size)."""
        if tensor in self.pending:
            return self.pending[tensor].pop(0)
        s = self.streams[tensor]
        n = len(consumers(self.m, tensor))
        if n == 1:
            return s
        outs = []
        for j in range(n - 1):
            d = [self.new(s, f"{s.name}_d{j}{k}") for k in range(2)]
            f = [self.new(s, f"{s.name}_b{j}{k}") for k in range(2)]
            self.add(AxisDup(self.uniq(f"dup_{s.name}"), layer, [("s_axis", s)],
                             [("m0_axis", d[0]), ("m1_axis", d[1])], {"dup_of": tensor}))
            for k in range(2):   # depth filled in by fifos.size (0: a wire)
                self.add(AxisFifo(self.uniq(f"fifo_{f[k].name}"), layer, [("s_axis", d[k])],
                                  [("m_axis", f[k])], {"branch": k}))
            outs.append(f[0])
            s = f[1]
        self.pending[tensor] = outs[1:] + [s]
        return outs[0]

    def relane(self, s: Stream, lanes: int, layer: str) -> Stream:
        if s.lanes == lanes:
            return s
        return self.one(LaneConv, f"lc_{s.name}_l{lanes}", layer, s,
                        self.new(s, f"{s.name}_l{lanes}", lanes=lanes))

    def widen(self, s: Stream, bits: int, signed: bool, layer: str) -> Stream:
        """Exact re-typing through requant: wider lanes (never saturates)."""
        if (s.bits, s.signed) == (bits, signed):
            return s
        return self.one(Requant, f"rq_{s.name}_w{bits}", layer, s,
                        self.new(s, f"{s.name}_w{bits}", bits=bits, signed=signed))

    def frame_fifo(self, x: Stream, k: int, s: int, pad_t: int, oh: int, layer: str) -> Stream:
        """The FIFO in front of a window op (fifos.frame_fifo_beats)."""
        beats = frame_fifo_beats(x.h, x.w, x.cf, k, s, pad_t, oh)
        return self.fifo(f"ff_{layer}", layer, x, beats,
                         "frame overlap of the window op") if beats else x

    def next_node(self, tensor: str, op: str):
        cs = consumers(self.m, tensor)
        return cs[0] if len(cs) == 1 and cs[0].op_type == op else None

    # ------------------------------------------------------------- ops
    def build(self) -> tuple[list[HwOp], Stream, Stream]:
        g = self.m.graph
        inp = g.input[0].name
        q0 = consumers(self.m, inp)[0]
        qp = quant_params(self.m, q0)
        _, h, w, c = self.m.get_tensor_shape(inp)
        src = Stream(self.uniq("in"), c, h, w, c, qp.bits, qp.signed, qp.exp)
        self.streams[q0.output[0]] = src
        done = {q0.name}
        for n in g.node:
            if n.name in done or (n.op_type == "Quant" and self.is_const(n)):
                continue
            if n.op_type == "Conv":
                done |= self.conv(n)
            elif n.op_type == "StreamMaxPool":
                self.maxpool(n)
            elif n.op_type in ("Concat", "Add"):
                self.merge(n)
            elif n.op_type == "QuantGlobalAveragePool":
                self.gap(n)
            elif n.op_type == "Quant" and self.is_align(n):
                continue                    # folded into the Concat / Add shifts (aligned)
            elif n.op_type in ("Quant", "Relu"):
                done |= self.requant(n)
            else:
                raise ModelError(n, "no RTL mapping for this op here")
        for t, st in self.streams.items():
            st.tensor = t
        return self.ops, src, self.streams[g.output[0].name]

    @staticmethod
    def is_align(q) -> bool:
        return q.name.endswith(tuple(f"_align{i}" for i in range(2)))

    def is_const(self, q) -> bool:
        """A Quant of a constant (weights, bias), present or not (weightless graph)."""
        return producer(self.m, q.input[0]) is None and q.input[0] not in (
            i.name for i in self.m.graph.input)

    def conv(self, n) -> set[str]:
        name = n.name
        if int(attr(n, "group", 1)) != 1 or any(d != 1 for d in attr(n, "dilations", [1, 1])):
            raise ModelError(n, "grouped or dilated convolutions have no RTL engine")
        k = int(attr(n, "kernel_shape")[0])
        s = int(attr(n, "strides", [1, 1])[0])
        pads = [int(p) for p in attr(n, "pads", [0, 0, 0, 0])]   # t, l, b, r
        _, oh, ow, cout = self.m.get_tensor_shape(n.output[0])
        wq = producer(self.m, n.input[1])
        wp = quant_params(self.m, wq)
        bq = producer(self.m, n.input[2]) if len(n.input) > 2 else None
        bp = quant_params(self.m, bq) if bq is not None else None
        w_bits = wp.bits + int(not wp.signed)   # unsigned codes as signed, one bit wider
        x = self.take(n.input[0], name)
        e_prod = x.exp + wp.exp
        e = min(e_prod, bp.exp) if bp else e_prod
        f = self.fold.get(name, {})
        pe, simd = int(f.get("pe", 1)), int(f.get("simd", 1))
        ConvMvu.check_fold(name, x.c, cout, pe, simd)   # before the lane converter uses it
        x = self.relane(x, simd, name)
        row = row_fifo_beats(x.w, x.cf, ceil_div(cout, pe))
        if row:     # a multi-pass engine takes input in bursts: decouple its producer
            x = self.fifo(f"rf_{name}", name, x, row, "input row of a multi-pass conv")
        if k > 1 or s > 1 or any(pads):
            x = self.frame_fifo(x, k, s, pads[0], oh, name)
            x = self.one(WindowGen, f"wg_{name}", name, x, self.new(x, f"{name}_win"),
                         k=k, s=s, pads=tuple(pads))
        kw = dict(k=k, pe=pe, simd=simd, w_w=w_bits, prod_shift=e_prod - e,
                  mult=f.get("mult") or ConvMvu.default_mult(x.bits, w_bits))
        if bp:
            kw.update(bias_w=bp.bits, bias_signed=bp.signed, bias_shift=bp.exp - e)
        if self.m.get_initializer(wq.input[0]) is not None:   # OHWI codes -> OIHW
            kw["weights"] = codes(self.m, wq)[0].transpose(0, 3, 1, 2)
            if bp:
                kw["bias"] = codes(self.m, bq)[0].reshape(-1)
        acc_w = ConvMvu.acc_width(x.bits, x.signed, w_bits, x.c * k * k, kw["prod_shift"],
                                  kw.get("bias_w", 0), kw.get("bias_signed", True),
                                  kw.get("bias_shift", 0))
        a = Stream(self.uniq(f"{name}_acc"), cout, oh, ow, pe, acc_w, True, e)
        self.add(ConvMvu(self.uniq(f"mvu_{name}"), name, [("s_axis", x)], [("m_axis", a)],
                         **kw))
        return self.activation(n, a)

    def activation(self, n, a: Stream) -> set[str]:
        """The conv's Relu -> Quant as requant (or the raw accumulator stream)."""
        used = set()
        out_t = n.output[0]
        relu = self.next_node(out_t, "Relu")
        if relu is not None:
            used.add(relu.name)
            out_t = relu.output[0]
        q = self.next_node(out_t, "Quant")
        if q is None:
            self.streams[n.output[0]] = a   # the raw accumulator (a Relu maps on its own)
            return set()
        used.add(q.name)
        self.streams[q.output[0]] = self.quantize(q, a, n.name, relu is not None)
        return used

    def quantize(self, q, a: Stream, layer: str, relu: bool) -> Stream:
        """[Relu ->] Quant ``q`` of stream ``a`` as requant (round, saturate)."""
        qp = quant_params(self.m, q)
        shift = qp.exp - a.exp
        if qp.mode != "ROUND" and shift > 0:
            raise ModelError(q, f"rounding_mode {qp.mode}: requant rounds half to even only")
        o = Stream(self.uniq(f"{layer}_q"), a.c, a.h, a.w, a.lanes, qp.bits, qp.signed, qp.exp)
        return self.one(Requant, f"rq_{layer}", layer, a, o, shift=shift, relu=relu,
                        narrow=qp.narrow)

    def requant(self, n) -> set[str]:
        """A standalone Quant (any stream, any scale and type) or Relu [-> Quant]."""
        x = self.take(n.input[0], n.name)
        if n.op_type == "Quant":
            self.streams[n.output[0]] = self.quantize(n, x, n.name, False)
            return set()
        q = self.next_node(n.output[0], "Quant")
        if q is not None and not self.is_align(q):
            self.streams[q.output[0]] = self.quantize(q, x, n.name, True)
            return {q.name}
        self.streams[n.output[0]] = self.one(Requant, f"relu_{n.name}", n.name, x,
                                             self.new(x, f"{n.name}_out"), relu=True)
        return set()

    def maxpool(self, n):
        x = self.take(n.input[0], n.name)
        k = int(attr(n, "kernel_shape")[0])
        s = int(attr(n, "strides", [k, k])[0])
        pads = [int(p) for p in attr(n, "pads", [0, 0, 0, 0])]
        _, oh, ow, _ = self.m.get_tensor_shape(n.output[0])
        x = self.relane(x, self.lanes(n, x.lanes, x.c), n.name)
        x = self.frame_fifo(x, k, s, pads[0], oh, n.name)
        o = self.one(MaxPool, f"mp_{n.name}", n.name, x, self.new(x, f"{n.name}_out", h=oh, w=ow),
                     k=k, s=s, pads=tuple(pads), ceil_mode=bool(attr(n, "ceil_mode", 0)))
        # maxpool emits a pixel's CF beats back to back at the end of its window and
        # stalls until they leave: a FIFO of two pixels lets it go on with the next
        # window while a narrower consumer drains them
        self.streams[n.output[0]] = self.fifo(f"bf_{n.name}", n.name, o, 2 * o.cf + 2,
                                              "maxpool output burst")

    def aligned(self, t: str, layer: str) -> Stream:
        """The stream before any align Quant (an exact left shift by its bits)."""
        p = producer(self.m, t)
        if p is None or p.op_type != "Quant" or "_align" not in p.name:
            return self.take(t, layer)
        s = self.take(p.input[0], layer)
        qp = quant_params(self.m, p)
        shift = s.exp - qp.exp
        lo, hi = int_range(s.bits, s.signed)
        if shift < 0 or (not qp.qmin <= lo << shift <= hi << shift <= qp.qmax
                         and not self.exact_by_values(p, shift)):
            return self.quantize(p, s, p.name, False)   # exact by its ranges: a requant
        return s

    def exact_by_values(self, q, shift: int) -> bool:
        """An align Quant narrower than its input's type is still exact when the
        proven value range fits (qonnx/ranges.py; a check only, no width)."""
        from ..qonnx.ranges import analyze

        r = analyze(self.m)
        r_in, r_out = r[q.input[0]], r[q.output[0]]
        return (r_in.lo << shift, r_in.hi << shift) == (r_out.lo, r_out.hi)

    def merge(self, n):
        a, b = (self.aligned(t, n.name) for t in n.input)
        e = min(a.exp, b.exp)
        in_w = max(a.bits + int(b.signed and not a.signed), b.bits + int(a.signed and not b.signed))
        signed = a.signed or b.signed
        a, b = self.widen(a, in_w, signed, n.name), self.widen(b, in_w, signed, n.name)
        add = n.op_type == "Add"
        out_w = AxisConcat.out_width(in_w, max(a.exp, b.exp) - e, add)
        lanes = self.lanes(n, a.lanes, min(a.c, b.c))
        if add and a.c != b.c:
            raise ModelError(n, "Add of tensors with different channel counts")
        if not add and a.c % lanes:
            raise FoldError(f"fold: {n.name}: lanes = {lanes} must divide the first input's "
                            f"{a.c} channels")
        a, b = self.relane(a, lanes, n.name), self.relane(b, lanes, n.name)
        o = self.new(a, f"{n.name}_out", c=a.c + (0 if add else b.c), bits=out_w, exp=e,
                     signed=signed)
        cls = AxisAdd if add else AxisConcat
        self.add(cls(self.uniq(f"{'add' if add else 'cat'}_{n.name}"), n.name,
                     [("s_axis_a", a), ("s_axis_b", b)], [("m_axis", o)], {"join": True}))
        self.streams[n.output[0]] = o

    def gap(self, n):
        x = self.take(n.input[0], n.name)
        qp = quant_params(self.m, n)
        if qp.mode != "ROUND":
            raise ModelError(n, f"rounding_mode {qp.mode}: global_avgpool rounds half to even")
        x = self.relane(x, self.lanes(n, x.lanes, x.c), n.name)
        o = Stream(self.uniq("out"), x.c, 1, 1, x.lanes, qp.bits, qp.signed, qp.exp)
        self.streams[n.output[0]] = self.one(GlobalAvgPool, f"gap_{n.name}", n.name, x, o,
                                             shift=gap_shift(qp.exp - x.exp, x.bits, qp.bits,
                                                             x.h * x.w),
                                             narrow=qp.narrow)


def build_netlist(model, fold: dict) -> tuple[list[HwOp], Stream, Stream]:
    """(ops in stream order, input stream, output stream)."""
    return Builder(model, fold).build()
