"""The modules hw/conv_mvu.v instantiates, as op classes of their own: each
names its Verilog file and its submodules, so ``ConvMvu.files()`` lists them.
Their parameters, cycles, memories and resources are ``ConvMvu``'s (hwops/conv.py),
which alone decides them."""
from __future__ import annotations

from dataclasses import dataclass

from .base import HwOp


@dataclass(eq=False)
class MulLut(HwOp):
    """hw/mul_lut.v: the soft multiplier conv_mvu instantiates (MULT_STYLE 1)."""

    module = "mul_lut"


@dataclass(eq=False)
class MvuDot(HwOp):
    """hw/mvu_dot.v: one conv_mvu PE, its SIMD products and adder tree (their
    resources are ConvMvu's)."""

    module = "mvu_dot"
    submodules = (MulLut,)


@dataclass(eq=False)
class MvuPack(HwOp):
    """hw/mvu_pack.v: the packed DSP products conv_mvu instantiates (MULT_STYLE 2)."""

    module = "mvu_pack"


@dataclass(eq=False)
class MvuWrom(HwOp):
    """hw/mvu_wrom.v: conv_mvu's weight ROM (its memory is ConvMvu's ``wrom``)."""

    module = "mvu_wrom"
