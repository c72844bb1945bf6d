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
gets a FIFO of one input row in front (ops.row_fifo_beats).  Pipeline latencies (conv_mvu output FIFOs, registers) come on
top and are absorbed by the power-of-two rounding and the modules' own
buffers.
"""
from __future__ import annotations

from squeezefpga.quant.arch import ConvConfig, FireConfig, NetConfig, PoolConfig, ceil_div, layer_shapes

from .ops import (ConvEngine, Fifo, GlobalAvgPool, HwOp, LaneConv, MaxPool, Stream, WindowGen,
                  row_fifo_beats)
from .memory import next_pow2


class _Builder:
    def __init__(self, cfg: NetConfig, fold: dict):
        self.cfg, self.fold, self.ops = cfg, fold, []
        c = cfg.input_shape[0]
        first = next((l for l in cfg.layers if isinstance(l, ConvConfig)), None)
        lanes = fold.get(first.name, {}).get("simd", 1) if first else 1
        self.stream = (c, lanes, cfg.quant.input_bits)  # channels, lanes, bits per lane

    def add(self, op: HwOp) -> HwOp:
        self.ops.append(op)
        return op

    def convert(self, layer: str, name: str, npix: int, stream, lanes: int):
        c, lin, bits = stream
        if lin != lanes:
            beats = npix * max(ceil_div(c, lin), ceil_div(c, lanes))
            self.add(LaneConv(f"{name}.dwc", layer, beats, "axis_lane_conv",
                              {"LANE_W": bits, "C": c, "IN_LANES": lin, "OUT_LANES": lanes}))
        return (c, lanes, bits)

    def conv(self, layer: str, name: str, stream, cout: int, k: int, s: int, p: int,
             hw_in, hw_out, signed_out: bool = False):
        f = self.fold.get(name, {})
        pe, simd = f.get("pe", 1), f.get("simd", 1)
        w_w, act, bias_w = self.cfg.quant.for_layer(name)
        cin, _, in_bits = stream
        npix_in = hw_in[0] * hw_in[1]
        stream = self.convert(layer, name, npix_in, stream, simd)
        row = row_fifo_beats(hw_in[1], ceil_div(cin, simd), ceil_div(cout, pe))
        if row:
            self.add(Fifo(f"{name}.row_fifo", layer, data_w=simd * in_bits, min_beats=row,
                          purpose="input row of a multi-pass conv"))
        if k > 1 or s > 1 or p > 0:
            self.add(WindowGen(f"{name}.wg", layer, h=hw_in[0], w=hw_in[1], c=cin, lanes=simd,
                               data_w=in_bits, k=k, s=s, pads=(p, p, p, p)))
        eng = self.add(ConvEngine(name, layer, cin=cin, cout=cout, k=k, out_hw=hw_out, pe=pe,
                                  simd=simd, in_w=in_bits, w_w=w_w, bias_w=bias_w))
        self.add(Stream(f"{name}.rq", layer, eng.npix * eng.nf, "requant",
                        {"LANES": pe, "IN_W": eng.acc_w, "OUT_W": act,
                         "OUT_SIGNED": int(signed_out), "RELU": int(not signed_out)}))
        return (cout, pe, act)

    def balance(self, layer: str, name: str, pixels: int, pre, post, purpose: str):
        """A FIFO of ``pixels`` pixels on the narrower of two streams."""
        def size(st):
            c, lanes, bits = st
            beats = pixels * ceil_div(c, lanes)
            return (lanes * bits + 1) * next_pow2(beats), beats, lanes * bits
        best = min((size(pre) + ("pre",), size(post) + ("post",)), key=lambda t: t[0])
        self.add(Fifo(f"{name}.fifo", layer, data_w=best[2], min_beats=best[1],
                      purpose=f"{purpose} ({best[3]})"))

    def fire(self, f: FireConfig, hw):
        n, npix = f.name, hw[0] * hw[1]
        fin = self.stream
        cin = fin[0]
        if f.bypass != "none":
            self.add(Stream(f"{n}.bypass_dup", n, npix * ceil_div(cin, fin[1]), "axis_dup"))
        sq = self.conv(n, f"{n}.squeeze", fin, f.s1x1, 1, 1, 0, hw, hw)
        self.add(Stream(f"{n}.dup", n, npix * ceil_div(sq[0], sq[1]), "axis_dup"))
        e1 = self.conv(n, f"{n}.expand1x1", sq, f.e1x1, 1, 1, 0, hw, hw)
        e3 = self.conv(n, f"{n}.expand3x3", sq, f.e3x3, 3, 1, 1, hw, hw)
        skew = (3 - 1) * hw[1]  # (K - P) * W pixels, K = 3, P = 1
        self.balance(n, f"{n}.expand1x1", skew, sq, e1, "branch balance")
        pe = e1[1]
        self.add(Stream(f"{n}.concat", n, npix * (f.e1x1 // pe + ceil_div(f.e3x3, pe)),
                        "axis_concat", {"LANES": pe, "CA": f.e1x1, "CB": f.e3x3}))
        out = (f.out_channels, pe, e1[2])
        if f.bypass == "complex":
            by = self.conv(n, f"{n}.bypass", fin, f.out_channels, 1, 1, 0, hw, hw,
                           signed_out=True)
            self.balance(n, f"{n}.bypass", skew, fin, by, "bypass")
            by = self.convert(n, f"{n}.bypass_add", npix, by, pe)
        elif f.bypass == "simple":
            self.balance(n, f"{n}.bypass", skew, fin, fin, "bypass")
            self.convert(n, f"{n}.bypass_add", npix, fin, pe)
        if f.bypass != "none":
            self.add(Stream(f"{n}.add", n, npix * ceil_div(f.out_channels, pe), "axis_add",
                            {"LANES": pe}))
        self.stream = out

    def build(self) -> list[HwOp]:
        for layer, (_, h, w), (c, oh, ow) in layer_shapes(self.cfg):
            if isinstance(layer, ConvConfig):
                self.stream = self.conv(layer.name, layer.name, self.stream, c, layer.kernel,
                                        layer.stride, layer.padding, (h, w), (oh, ow))
            elif isinstance(layer, PoolConfig):
                lanes = self.fold.get(layer.name, {}).get("lanes", self.stream[1])
                st = self.convert(layer.name, layer.name, h * w, self.stream, lanes)
                self.add(MaxPool(layer.name, layer.name, h=h, w=w, c=c, lanes=lanes,
                                 data_w=st[2], k=layer.kernel, s=layer.stride,
                                 pads=(layer.padding,) * 4, out_hw=(oh, ow),
                                 ceil_mode=layer.ceil_mode))
                self.stream = st
            else:
                self.fire(layer, (h, w))
        c, lanes_in, bits = self.stream
        _, h, w = layer_shapes(self.cfg)[-1][2]
        lanes = self.fold.get("global_avgpool", {}).get("lanes", lanes_in)
        self.convert("global_avgpool", "global_avgpool", h * w, self.stream, lanes)
        self.add(GlobalAvgPool("global_avgpool", "global_avgpool", h=h, w=w, c=c, lanes=lanes,
                               in_w=bits, out_w=self.cfg.quant.out_bits))
        return self.ops


def build_ops(cfg: NetConfig, fold: dict) -> list[HwOp]:
    """The pipeline's ops in stream order; each op's ``layer`` names its report row."""
    return _Builder(cfg, fold).build()
