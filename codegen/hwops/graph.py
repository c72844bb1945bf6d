"""NetConfig + fold -> the dataflow pipeline as a list of hardware ops.

Structure (every arrow an AXI stream, channels-last):

* conv: [width converter] -> [window_gen if K > 1, S > 1 or padded] ->
  conv_mvu -> requant;  max-pool: [width converter] -> maxpool;
* Fire: [dup for the bypass] -> squeeze conv -> requant -> dup ->
  (A) expand1x1 conv -> requant and (B) window_gen 3x3 -> expand3x3 conv ->
  requant -> concat(A, B) -> [add(bypass)];  complex bypass: a 1x1 conv on
  the bypass path;
* the classifier conv -> requant -> global_avgpool.

A width converter (axis_lane_conv) appears wherever the producer's lanes
differ from what the consumer takes (PE of one conv vs SIMD of the next).

Balancing FIFOs (``axis_fifo``, depth rounded up to a power of two):
window_gen starts output row y only once input row y + K - 1 - P is complete,
so a K x K, pad-P branch emits output pixel (y, 0) only after (y + K - P) * W
input pixels went in.  Meanwhile the 1x1 branch has produced all of them: the
concat's first input must hold ``(K - P) * W`` pixels (= 2 W for 3x3 pad 1),
or the shared dup stalls both branches and the Fire deadlocks.  The bypass
holds the Fire input for the same ``(K - P) * W`` pixels until the Fire's
output pixel arrives.  Each FIFO sits where it is narrowest: before the
expand1x1 conv (squeeze output) or after it; before or after a complex
bypass conv.  A conv whose engine makes several passes per pixel (NF > 1)
gets a FIFO of one input row in front (conv.row_fifo_beats).  Pipeline latencies (conv_mvu output FIFOs, registers) come on
top and are absorbed by the power-of-two rounding and the modules' own
buffers.
"""
from __future__ import annotations

from squeezefpga.quant.arch import ConvConfig, FireConfig, NetConfig, PoolConfig, ceil_div, layer_shapes

from .base import HwOp, Stream
from .conv import ConvMvu, row_fifo_beats
from .gap import GlobalAvgPool
from .memory import next_pow2
from .streaming import AxisAdd, AxisConcat, AxisDup, AxisFifo, LaneConv, Requant
from .window import MaxPool, WindowGen


class _Builder:
    def __init__(self, cfg: NetConfig, fold: dict):
        self.cfg, self.fold, self.ops = cfg, fold, []
        c, h, w = cfg.input_shape
        first = next((l for l in cfg.layers if isinstance(l, ConvConfig)), None)
        lanes = fold.get(first.name, {}).get("simd", 1) if first else 1
        self.stream = Stream("in", c, h, w, lanes, cfg.quant.input_bits, False, 0)

    def add(self, op: HwOp) -> HwOp:
        self.ops.append(op)
        return op

    def one(self, cls, name: str, layer: str, x: Stream, **kw) -> Stream:
        """An op of ``cls`` from ``x`` to a stream like it (``kw``: what differs)."""
        params = {k: kw.pop(k) for k in list(kw) if k not in Stream.__dataclass_fields__}
        d = {f: getattr(x, f) for f in ("c", "h", "w", "lanes", "bits", "signed", "exp")}
        y = Stream(name, **{**d, **kw})
        self.add(cls(name, layer, [("s_axis", x)], [("m_axis", y)], **params))
        return y

    def convert(self, layer: str, name: str, stream: Stream, lanes: int) -> Stream:
        if stream.lanes == lanes:
            return stream
        return self.one(LaneConv, f"{name}.dwc", layer, stream, lanes=lanes)

    def conv(self, layer: str, name: str, x: Stream, cout: int, k: int, s: int, p: int,
             hw_out, signed_out: bool = False) -> Stream:
        f = self.fold.get(name, {})
        pe, simd = f.get("pe", 1), f.get("simd", 1)
        w_w, act, bias_w = self.cfg.quant.for_layer(name)
        x = self.convert(layer, name, x, simd)
        row = row_fifo_beats(x.w, x.cf, ceil_div(cout, pe))
        if row:
            x = self.one(AxisFifo, f"{name}.row_fifo", layer, x, depth=next_pow2(row))
        if k > 1 or s > 1 or p > 0:
            x = self.one(WindowGen, f"{name}.wg", layer, x, k=k, s=s, pads=(p, p, p, p))
        acc_w = ConvMvu.acc_width(x.bits, x.signed, w_w, x.c * k * k, 0, bias_w)
        a = self.one(ConvMvu, name, layer, x, c=cout, h=hw_out[0], w=hw_out[1], lanes=pe,
                     bits=acc_w, signed=True, k=k, pe=pe, simd=simd, w_w=w_w, bias_w=bias_w)
        return self.one(Requant, f"{name}.rq", layer, a, bits=act, signed=signed_out,
                        relu=not signed_out)

    def balance(self, layer: str, name: str, pixels: int, pre: Stream, post: Stream,
                purpose: str):
        """A FIFO of ``pixels`` pixels on the narrower of two streams."""
        def size(st):
            beats = pixels * st.cf
            return (st.width + 1) * next_pow2(beats), beats, st
        best = min((size(pre) + ("pre",), size(post) + ("post",)), key=lambda t: t[0])
        self.add(AxisFifo.holding(f"{name}.fifo", layer, best[2], best[2], best[1],
                                  f"{purpose} ({best[3]})"))

    def fire(self, f: FireConfig, hw):
        n = f.name
        fin = self.stream
        if f.bypass != "none":
            self.add(AxisDup(f"{n}.bypass_dup", n, [("s_axis", fin)]))
        sq = self.conv(n, f"{n}.squeeze", fin, f.s1x1, 1, 1, 0, hw)
        self.add(AxisDup(f"{n}.dup", n, [("s_axis", sq)]))
        e1 = self.conv(n, f"{n}.expand1x1", sq, f.e1x1, 1, 1, 0, hw)
        e3 = self.conv(n, f"{n}.expand3x3", sq, f.e3x3, 3, 1, 1, hw)
        skew = (3 - 1) * hw[1]  # (K - P) * W pixels, K = 3, P = 1
        self.balance(n, f"{n}.expand1x1", skew, sq, e1, "branch balance")
        out = Stream(f"{n}.concat", f.out_channels, hw[0], hw[1], e1.lanes, e1.bits, False,
                     0)
        self.add(AxisConcat(f"{n}.concat", n, [("s_axis_a", e1), ("s_axis_b", e3)],
                            [("m_axis", out)]))
        by = None
        if f.bypass == "complex":
            by = self.conv(n, f"{n}.bypass", fin, f.out_channels, 1, 1, 0, hw, signed_out=True)
            self.balance(n, f"{n}.bypass", skew, fin, by, "bypass")
        elif f.bypass == "simple":
            self.balance(n, f"{n}.bypass", skew, fin, fin, "bypass")
            by = fin
        if by is not None:
            by = self.convert(n, f"{n}.bypass_add", by, out.lanes)
            self.add(AxisAdd(f"{n}.add", n, [("s_axis_a", out), ("s_axis_b", by)],
                             [("m_axis", out)]))
        self.stream = out

    def build(self) -> list[HwOp]:
        for layer, _, (c, oh, ow) in layer_shapes(self.cfg):
            if isinstance(layer, ConvConfig):
                self.stream = self.conv(layer.name, layer.name, self.stream, c, layer.kernel,
                                        layer.stride, layer.padding, (oh, ow))
            elif isinstance(layer, PoolConfig):
                lanes = self.fold.get(layer.name, {}).get("lanes", self.stream.lanes)
                x = self.convert(layer.name, layer.name, self.stream, lanes)
                self.stream = self.one(MaxPool, layer.name, layer.name, x, h=oh, w=ow,
                                       k=layer.kernel, s=layer.stride,
                                       pads=(layer.padding,) * 4, ceil_mode=layer.ceil_mode)
            else:
                self.fire(layer, (oh, ow))
        lanes = self.fold.get("global_avgpool", {}).get("lanes", self.stream.lanes)
        x = self.convert("global_avgpool", "global_avgpool", self.stream, lanes)
        self.one(GlobalAvgPool, "global_avgpool", "global_avgpool", x, h=1, w=1,
                 bits=self.cfg.quant.out_bits)
        return self.ops


def build_ops(cfg: NetConfig, fold: dict) -> list[HwOp]:
    """The pipeline's ops in stream order; each op's ``layer`` names its report row."""
    return _Builder(cfg, fold).build()
