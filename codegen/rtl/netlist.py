"""Prepared (channels-last) QONNX graph -> a dataflow netlist of hw/ modules.

Every tensor becomes an AXI stream (``Stream``: channels, image size, lanes
per beat, lane width, signedness, exponent); every op one or more ``Inst``s:

* Conv [+ Relu] [+ Quant]: [axis_lane_conv to SIMD lanes] -> [window_gen if
  K > 1, stride > 1 or padded] -> conv_mvu -> requant (or, for a Conv feeding
  the global average pool directly, the raw accumulator stream).  The
  accumulator exponent is min(e_x + e_w, e_b) (sim/golden semantics): a bias
  coarser than the products is pre-shifted in its ROM, products coarser than
  the bias are scaled up by pre-shifting the weights (W_W grows by the shift).
* StreamMaxPool -> maxpool; QuantGlobalAveragePool -> global_avgpool.
* Concat / Add -> axis_concat / axis_add; an ``align`` Quant on an input is an
  exact left shift and becomes the module's SHIFT_A / SHIFT_B.
* A tensor with two consumers -> axis_dup, then one ``axis_fifo`` per branch
  whose depth ``fifos.size`` computes once the whole netlist exists.

Lane counts come from the fold (``fold.auto_fold`` or a file); where a
producer's lanes differ from what a consumer takes an axis_lane_conv is
inserted.  The input stream is one pixel per beat (C lanes of the input
Quant's codes); the output is the pooled class scores, ``lanes`` per beat.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from squeezefpga.quant.arch import ceil_div

from ..errors import ModelError
from ..hwops.memory import next_pow2
from ..hwops.ops import gap_cycles, row_fifo_beats
from ..qonnx.graph import attr, consumers, producer, quant_params
from ..qonnx.ranges import analyze, conv_acc
from .fifos import frame_fifo_beats


@dataclass
class Stream:
    name: str
    c: int
    h: int
    w: int
    lanes: int
    bits: int
    signed: bool
    exp: int
    tensor: str | None = None   # the ONNX tensor it carries whole (a per-layer tap)

    cf = property(lambda s: ceil_div(s.c, s.lanes))
    width = property(lambda s: s.lanes * s.bits)
    beats = property(lambda s: s.h * s.w * s.cf)

    def to_dict(self) -> dict:
        return {"shape_hwc": [self.h, self.w, self.c], "lanes": self.lanes, "bits": self.bits,
                "signed": self.signed, "exp": self.exp, "tdata_bits": self.width}


@dataclass
class Inst:
    name: str
    module: str
    layer: str                      # the ONNX node (manifest row)
    params: dict
    ins: list                       # [(port prefix, Stream)]
    outs: list
    roms: dict = field(default_factory=dict)   # param -> (file name, words, width)
    info: dict = field(default_factory=dict)   # cycles, memories, multipliers, ...


def lanes_of(fold: dict, name: str, key: str, default: int) -> int:
    return int(fold.get(name, {}).get(key, default))


class Builder:
    def __init__(self, model, fold: dict):
        self.m, self.fold = model, fold
        self.ranges = analyze(model)
        self.insts: list[Inst] = []
        self.streams: dict[str, Stream] = {}       # ONNX tensor -> stream
        self.pending: dict[str, list[Stream]] = {}  # duplicated streams left to hand out
        self.names: set[str] = set()

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

    def add(self, inst: Inst) -> Inst:
        self.insts.append(inst)
        return inst

    def take(self, tensor: str, layer: str) -> Stream:
        """The stream of ``tensor`` for one consumer (a dup for two)."""
        if tensor in self.pending:
            return self.pending[tensor].pop(0)
        s = self.streams[tensor]
        n = len(consumers(self.m, tensor))
        if n == 1:
            return s
        if n != 2:
            raise ModelError(layer, f"tensor {tensor} has {n} consumers (at most 2 supported)")
        outs = []
        for k in range(2):
            d = self.new(s, f"{s.name}_d{k}")
            f = self.new(s, f"{s.name}_b{k}")
            outs.append((d, f))
        self.add(Inst(self.uniq(f"dup_{s.name}"), "axis_dup", layer, {"DATA_W": s.width},
                      [("s_axis", s)], [("m0_axis", outs[0][0]), ("m1_axis", outs[1][0])],
                      info={"cycles": s.beats, "dup_of": tensor}))
        for k, (d, f) in enumerate(outs):   # DEPTH filled in by fifos.size (0: a wire)
            self.add(Inst(self.uniq(f"fifo_{f.name}"), "axis_fifo", layer,
                          {"DATA_W": s.width, "DEPTH": 0}, [("s_axis", d)], [("m_axis", f)],
                          info={"cycles": s.beats, "branch": k}))
        self.pending[tensor] = [outs[1][1]]
        return outs[0][1]

    def relane(self, s: Stream, lanes: int, layer: str) -> Stream:
        if s.lanes == lanes:
            return s
        o = self.new(s, f"{s.name}_l{lanes}", lanes=lanes)
        self.add(Inst(self.uniq(f"lc_{o.name}"), "axis_lane_conv", layer,
                      {"LANE_W": s.bits, "C": s.c, "IN_LANES": s.lanes, "OUT_LANES": lanes},
                      [("s_axis", s)], [("m_axis", o)],
                      info={"cycles": s.h * s.w * max(s.cf, o.cf)}))
        return o

    def widen(self, s: Stream, bits: int, signed: bool, shift: int, layer: str) -> Stream:
        """Exact re-typing through requant: left shift, wider lanes (never saturates)."""
        if (s.bits, s.signed) == (bits, signed) and shift == 0:
            return s
        o = self.new(s, f"{s.name}_w{bits}", bits=bits, signed=signed, exp=s.exp - shift)
        self.add(Inst(self.uniq(f"rq_{o.name}"), "requant", layer,
                      {"LANES": s.lanes, "IN_W": s.bits, "IN_SIGNED": int(s.signed),
                       "OUT_W": bits, "OUT_SIGNED": int(signed), "NARROW": 0,
                       "SHIFT": -shift, "RELU": 0},
                      [("s_axis", s)], [("m_axis", o)], info={"cycles": s.beats}))
        return o

    def frame_fifo(self, x: Stream, k: int, s: int, pad_t: int, oh: int, layer: str) -> Stream:
        """The FIFO in front of a window op (fifos.frame_fifo_beats)."""
        beats = frame_fifo_beats(x.h, x.w, x.cf, k, s, pad_t, oh)
        if not beats:
            return x
        o = self.new(x, f"{x.name}_ff")
        self.add(Inst(self.uniq(f"ff_{layer}"), "axis_fifo", layer,
                      {"DATA_W": x.width, "DEPTH": next_pow2(beats)}, [("s_axis", x)],
                      [("m_axis", o)], info={"cycles": x.beats, "min_beats": beats,
                                             "purpose": "frame overlap of the window op"}))
        return o

    def next_node(self, tensor: str, op: str):
        cs = consumers(self.m, tensor)
        return cs[0] if len(cs) == 1 and cs[0].op_type == op else None

    # ------------------------------------------------------------- ops
    def build(self) -> tuple[list[Inst], Stream, Stream]:
        g = self.m.graph
        inp = g.input[0].name
        q0 = consumers(self.m, inp)[0]
        qp = quant_params(self.m, q0)
        _, h, w, c = self.m.get_tensor_shape(inp)
        src = Stream(self.uniq("in"), c, h, w, c, qp.bits, qp.signed, qp.exp)
        self.streams[q0.output[0]] = src
        done = {q0.name}
        for n in g.node:
            if n.name in done or (n.op_type == "Quant" and self.m.get_initializer(n.input[0]) is not None):
                continue
            if n.op_type == "Conv":
                done |= self.conv(n)
            elif n.op_type == "StreamMaxPool":
                self.maxpool(n)
            elif n.op_type in ("Concat", "Add"):
                self.merge(n)
            elif n.op_type == "QuantGlobalAveragePool":
                self.gap(n)
            elif n.op_type == "Quant" and n.name.endswith(tuple(f"_align{i}" for i in range(2))):
                continue                    # folded into the Concat / Add shifts
            else:
                raise ModelError(n, "no RTL mapping for this op here")
        for t, st in self.streams.items():
            st.tensor = t
        return self.insts, src, self.streams[g.output[0].name]

    def conv(self, n) -> set[str]:
        name = n.name
        x_t = n.input[0]
        xr = self.ranges[x_t]
        acc, sh, shb, w, b = conv_acc(self.m, n, xr)
        if int(attr(n, "group", 1)) != 1 or any(d != 1 for d in attr(n, "dilations", [1, 1])):
            raise ModelError(n, "grouped or dilated convolutions have no RTL engine")
        k = int(attr(n, "kernel_shape")[0])
        s = int(attr(n, "strides", [1, 1])[0])
        pads = [int(p) for p in attr(n, "pads", [0, 0, 0, 0])]   # t, l, b, r
        cout = int(w.shape[0])
        w = np.asarray(w, np.int64).transpose(0, 3, 1, 2)          # OHWI -> OIHW
        x = self.take(x_t, name)
        cin = x.c
        _, oh, ow, _ = self.m.get_tensor_shape(n.output[0])
        pe = lanes_of(self.fold, name, "pe", 1)
        simd = lanes_of(self.fold, name, "simd", 1)
        x = self.relane(x, simd, name)
        row = row_fifo_beats(x.w, x.cf, ceil_div(cout, pe))
        if row:     # a multi-pass engine takes input in bursts: decouple its producer
            o = self.new(x, f"{x.name}_rf")
            self.add(Inst(self.uniq(f"rf_{name}"), "axis_fifo", name,
                          {"DATA_W": x.width, "DEPTH": next_pow2(row)}, [("s_axis", x)],
                          [("m_axis", o)], info={"cycles": x.beats, "min_beats": row,
                                                 "purpose": "input row of a multi-pass conv"}))
            x = o
        if k > 1 or s > 1 or any(pads):
            x = self.frame_fifo(x, k, s, pads[0], oh, name)
            o = self.new(x, f"{name}_win")
            self.add(Inst(self.uniq(f"wg_{name}"), "window_gen", name,
                          {"H": x.h, "W": x.w, "C": cin, "LANES": simd, "DATA_W": x.bits, "K": k,
                           "S": s, "PAD_T": pads[0], "PAD_L": pads[1], "PAD_B": pads[2],
                           "PAD_R": pads[3]}, [("s_axis", x)], [("m_axis", o)],
                          info={"cycles": oh * ow * k * k * x.cf, "window": (k, s, pads[0], x.w)}))
            x = o
        # weights scaled up by the product shift; bias aligned to the accumulator
        w_w = quant_params(self.m, producer(self.m, n.input[1])).bits + sh
        ws = w << sh
        bias = np.asarray(b, np.int64).reshape(-1) << shb
        use_bias = len(n.input) > 2
        acc_w = max(max(acc.hi.bit_length(), (-acc.lo - 1).bit_length()) + 1, x.bits + 1 + w_w)
        nf, cf = ceil_div(cout, pe), ceil_div(cin, simd)
        a = Stream(self.uniq(f"{name}_acc"), cout, oh, ow, pe, acc_w, True, acc.exp)
        params = {"CIN": cin, "COUT": cout, "K": k, "SIMD": simd, "PE": pe, "IN_W": x.bits,
                  "IN_SIGNED": int(x.signed), "W_W": w_w, "ACC_W": acc_w, "NPIX": oh * ow,
                  "USE_BIAS": int(use_bias)}
        inst = self.add(Inst(self.uniq(f"mvu_{name}"), "conv_mvu", name, params,
                             [("s_axis", x)], [("m_axis", a)],
                             info={"cycles": oh * ow * nf * k * k * cf, "mults": pe * simd,
                                   "macs": oh * ow * cout * cin * k * k,
                                   "mult_bits": (x.bits + 1, w_w), "acc_range": [acc.lo, acc.hi]}))
        inst.roms["WEIGHT_FILE"] = ("w", ws, w_w, pe, simd)
        if use_bias:
            inst.roms["BIAS_FILE"] = ("b", bias, acc_w, pe, None)
        used = set()
        out_t, cur = n.output[0], a
        relu = self.next_node(out_t, "Relu")
        if relu is not None:
            used.add(relu.name)
            out_t = relu.output[0]
        q = self.next_node(out_t, "Quant")
        if q is None:
            if relu is not None:
                raise ModelError(relu, "a Relu must be followed by a Quant in hardware")
            self.streams[n.output[0]] = cur
            return used
        used.add(q.name)
        qp = quant_params(self.m, q)
        shift = qp.exp - acc.exp
        if qp.mode != "ROUND" and shift > 0:
            raise ModelError(q, f"rounding_mode {qp.mode}: requant rounds half to even only")
        o = Stream(self.uniq(f"{name}_q"), cout, oh, ow, pe, qp.bits, qp.signed, qp.exp)
        self.add(Inst(self.uniq(f"rq_{name}"), "requant", name,
                      {"LANES": pe, "IN_W": acc_w, "IN_SIGNED": 1, "OUT_W": qp.bits,
                       "OUT_SIGNED": int(qp.signed), "NARROW": int(qp.narrow), "SHIFT": shift,
                       "RELU": int(relu is not None)}, [("s_axis", cur)], [("m_axis", o)],
                      info={"cycles": oh * ow * nf}))
        self.streams[q.output[0]] = o
        return used

    def maxpool(self, n):
        x = self.take(n.input[0], n.name)
        k = int(attr(n, "kernel_shape")[0])
        s = int(attr(n, "strides", [k, k])[0])
        pads = [int(p) for p in attr(n, "pads", [0, 0, 0, 0])]
        _, oh, ow, _ = self.m.get_tensor_shape(n.output[0])
        x = self.relane(x, lanes_of(self.fold, n.name, "lanes", x.lanes), n.name)
        x = self.frame_fifo(x, k, s, pads[0], oh, n.name)
        o = self.new(x, f"{n.name}_out", h=oh, w=ow)
        self.add(Inst(self.uniq(f"mp_{n.name}"), "maxpool", n.name,
                      {"H": x.h, "W": x.w, "C": x.c, "LANES": x.lanes, "DATA_W": x.bits,
                       "SIGNED": int(x.signed), "K": k, "S": s, "PAD_T": pads[0], "PAD_L": pads[1],
                       "PAD_B": pads[2], "PAD_R": pads[3], "CEIL_MODE": int(attr(n, "ceil_mode", 0))},
                      [("s_axis", x)], [("m_axis", o)],
                      info={"cycles": max(oh * ow * k * k * x.cf, x.beats),
                            "window": (k, s, pads[0], x.w)}))
        # maxpool emits a pixel's CF beats back to back at the end of its window and
        # stalls until they leave: a FIFO of two pixels lets it go on with the next
        # window while a narrower consumer drains them
        b = self.new(o, f"{o.name}_burst")
        self.add(Inst(self.uniq(f"bf_{n.name}"), "axis_fifo", n.name,
                      {"DATA_W": o.width, "DEPTH": next_pow2(2 * o.cf + 2)}, [("s_axis", o)],
                      [("m_axis", b)], info={"cycles": o.beats, "min_beats": 2 * o.cf + 2,
                                             "purpose": "maxpool output burst"}))
        self.streams[n.output[0]] = b

    def _aligned(self, t: str, layer: str) -> tuple[Stream, int]:
        """(stream before any align Quant, its exponent)."""
        p = producer(self.m, t)
        if p is not None and p.op_type == "Quant" and "_align" in p.name:
            qp = quant_params(self.m, p)
            r_in, r_out = self.ranges[p.input[0]], self.ranges[t]
            shift = r_in.exp - qp.exp
            if shift < 0 or (r_in.lo << shift, r_in.hi << shift) != (r_out.lo, r_out.hi):
                raise ModelError(p, "an align Quant must be an exact left shift")
            t = p.input[0]
        return self.take(t, layer), self.ranges[t].exp

    def merge(self, n):
        (a, ea), (b, eb) = (self._aligned(t, n.name) for t in n.input)
        r = self.ranges[n.output[0]]
        e = min(ea, eb)
        if r.exp != e:
            raise ModelError(n, f"output exponent {r.exp}, inputs align to {e}")
        in_w = max(a.bits + int(b.signed and not a.signed), b.bits + int(a.signed and not b.signed))
        signed = a.signed or b.signed
        a = self.widen(a, in_w, signed, 0, n.name)
        b = self.widen(b, in_w, signed, 0, n.name)
        # axis_concat: OUT_W >= IN_W + shift; axis_add: OUT_W > IN_W + shift (exact sum)
        out_w = max(r.width, in_w + max(ea - e, eb - e) + int(n.op_type == "Add"))
        lanes = lanes_of(self.fold, n.name, "lanes", a.lanes)
        if n.op_type == "Concat":
            if a.c % lanes:
                raise ModelError(n, f"lanes {lanes} must divide the first input's {a.c} channels")
            a, b = self.relane(a, lanes, n.name), self.relane(b, lanes, n.name)
            o = self.new(a, f"{n.name}_out", c=a.c + b.c, bits=out_w, exp=e, signed=signed)
            params = {"LANES": lanes, "IN_W": in_w, "OUT_W": out_w, "SIGNED": int(signed),
                      "CA": a.c, "CB": b.c, "SHIFT_A": ea - e, "SHIFT_B": eb - e}
            mod, cyc = "axis_concat", a.h * a.w * (a.cf + b.cf)
        else:
            if a.c != b.c:
                raise ModelError(n, "Add of tensors with different channel counts")
            a, b = self.relane(a, lanes, n.name), self.relane(b, lanes, n.name)
            o = self.new(a, f"{n.name}_out", bits=out_w, exp=e, signed=signed)
            params = {"LANES": lanes, "IN_W": in_w, "OUT_W": out_w, "SIGNED": int(signed),
                      "SHIFT_A": ea - e, "SHIFT_B": eb - e}
            mod, cyc = "axis_add", a.beats
        self.add(Inst(self.uniq(f"{'cat' if mod == 'axis_concat' else 'add'}_{n.name}"), mod,
                      n.name, params, [("s_axis_a", a), ("s_axis_b", b)], [("m_axis", o)],
                      info={"cycles": cyc, "join": True}))
        self.streams[n.output[0]] = o

    def gap(self, n):
        x = self.take(n.input[0], n.name)
        qp = quant_params(self.m, n)
        if qp.mode != "ROUND":
            raise ModelError(n, f"rounding_mode {qp.mode}: global_avgpool rounds half to even")
        x = self.relane(x, lanes_of(self.fold, n.name, "lanes", x.lanes), n.name)
        o = Stream(self.uniq("out"), x.c, 1, 1, x.lanes, qp.bits, qp.signed, qp.exp)
        shift = qp.exp - x.exp
        self.add(Inst(self.uniq(f"gap_{n.name}"), "global_avgpool", n.name,
                      {"H": x.h, "W": x.w, "C": x.c, "LANES": x.lanes, "IN_W": x.bits,
                       "IN_SIGNED": int(x.signed), "OUT_W": qp.bits, "OUT_SIGNED": int(qp.signed),
                       "NARROW": int(qp.narrow), "SHIFT": shift}, [("s_axis", x)], [("m_axis", o)],
                      info={"cycles": gap_cycles(x.h, x.w, x.cf, x.bits, shift)}))
        self.streams[n.output[0]] = o


def build_netlist(model, fold: dict) -> tuple[list[Inst], Stream, Stream]:
    """(instances in stream order, input stream, output stream)."""
    return Builder(model, fold).build()
