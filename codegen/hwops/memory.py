"""Mapping of one memory array onto FPGA primitives, the way yosys chooses.

A ``Memory`` is one ``reg [W-1:0] mem[0:D-1]`` of an hw/ module: a ROM
(``$readmemh``/``initial`` contents, no write port) or a simple dual-port RAM
(one synchronous write port, one synchronous read port).  ``map_memory``
returns how many primitives of each kind it takes on a device family.

The choice follows yosys ``memory_libmap`` (the pass ``synth_xilinx`` and
``synth_ecp5`` run), with its cost model:

* every candidate geometry (primitive x aspect ratio) costs
  ``cost * cells + 0.5 * (banks - 1) * W`` (read mux) ``+ 0.5 * banks``
  (write demux, only when banks > 1), where ``banks = ceil(D / depth)`` and
  ``cells = ceil(banks * W / width)`` (yosys packs the address banks into the
  width of one cell when they fit);
* block RAM: RAMB18 (16Kx1, 8Kx2, 4Kx4, 2Kx9, 1Kx18, 512x36) cost 129,
  RAMB36 (32Kx1 ... 1Kx36, 512x72) cost 257 (``brams_xc4v.txt``);
  ECP5 DP16KD (16Kx1 ... 1Kx18, 512x36 as PDPW16KD) cost 128;
* LUT RAM (RAMs only: ``prune_rom`` keeps ROMs out of LUT RAM): Xilinx
  RAM32M (32x6) / RAM64M (64x3) simple dual port, cost 1 per cell + 7 per
  used width unit; ECP5 DPR16X4 (16x4) cost 4 per cell;
* soft logic (flip-flops, or LUTs for a ROM): ``W * D * logic_cost`` with
  logic_cost 1 for a RAM and 1/64 for a ROM on Xilinx (``-logic-cost-rom
  0.015625``), 1/16 on ECP5 (the pass default).

The cheapest wins.  So the LUT-RAM / block-RAM threshold is not a fixed bit
count: on Xilinx a 16-deep RAM stays in LUT RAM up to about 120 bits of width,
and a ROM goes to block RAM only above roughly 129 * 64 = 8256 bits.
``style`` forces a kind the way the ``ram_style``/``rom_style`` attributes do
(RAM_STYLE/WROM_STYLE parameters of the hw/ modules).  URAM (UltraScale+,
4Kx72, ``synth_xilinx -uram`` only) is used when ``uram=True`` and the memory
takes at least one full URAM's worth of bits.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from quant.arch import ceil_div

FAMILIES = ("xilinx", "ecp5")


@dataclass(frozen=True)
class Memory:
    """One memory array: ``width`` x ``depth`` bits, ``kind`` for reports."""

    name: str
    kind: str  # "weight", "bias", "buffer", "fifo"
    width: int
    depth: int
    rom: bool = False
    style: str = "auto"  # "auto", "block", "lut", "logic"
    content_bits: int | None = None  # information stored (default width*depth)

    @property
    def bits(self) -> int:
        return self.width * self.depth

    @property
    def stored_bits(self) -> int:
        return self.bits if self.content_bits is None else self.content_bits


@dataclass(frozen=True)
class Geometry:
    prim: str  # "RAMB18", "RAMB36", "URAM288", "DP16KD", "RAM32M", "RAM64M", "DPR16X4"
    kind: str  # "block", "uram", "lut"
    width: int
    depth: int
    cost: float
    scale: float = 0.0  # LUT RAM: per-width-unit part of the cost (yosys widthscale)
    luts: int = 0  # LUTs per cell (LUT RAM)


_BRAM_XILINX = ([Geometry("RAMB18", "block", w, d, 129) for w, d in
                 ((1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024), (36, 512))]
                + [Geometry("RAMB36", "block", w, d, 257) for w, d in
                   ((1, 32768), (2, 16384), (4, 8192), (9, 4096), (18, 2048), (36, 1024),
                    (72, 512))])
_LUT_XILINX = [Geometry("RAM32M", "lut", 6, 32, 8, 7, 4), Geometry("RAM64M", "lut", 3, 64, 8, 7, 4)]
_URAM = Geometry("URAM288", "uram", 72, 4096, 0)
_BRAM_ECP5 = [Geometry("DP16KD", "block", w, d, 128) for w, d in
              ((1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024), (36, 512))]
_LUT_ECP5 = [Geometry("DPR16X4", "lut", 4, 16, 4, 0, 1)]
_LOGIC_COST_ROM = {"xilinx": 1 / 64, "ecp5": 1 / 16}


@dataclass
class Mapping:
    """Primitives one memory (or a sum of memories) takes."""

    bram18: int = 0
    bram36: int = 0
    uram: int = 0
    dp16kd: int = 0
    lutram_bits: int = 0  # stored bits that live in LUT RAM
    lutram_luts: int = 0  # LUTs used as memory
    logic_bits: int = 0  # bits left to flip-flops / LUT logic
    stored_bits: int = 0
    primitive_bits: int = 0  # capacity of the block/ultra/LUT RAM primitives used
    prims: dict[str, int] = field(default_factory=dict)

    @property
    def bram18_equiv(self) -> int:
        """RAMB36 counts as two RAMB18; a DP16KD as one."""
        return self.bram18 + 2 * self.bram36 + self.dp16kd

    @property
    def efficiency(self) -> float | None:
        """Bits stored / bits of the RAM primitives used (None: no RAM primitive)."""
        mapped = self.stored_bits - self.logic_bits
        return mapped / self.primitive_bits if self.primitive_bits else None

    def __iadd__(self, o: "Mapping") -> "Mapping":
        for f in ("bram18", "bram36", "uram", "dp16kd", "lutram_bits", "lutram_luts",
                  "logic_bits", "stored_bits", "primitive_bits"):
            setattr(self, f, getattr(self, f) + getattr(o, f))
        for k, v in o.prims.items():
            self.prims[k] = self.prims.get(k, 0) + v
        return self


def _cost(g: Geometry, width: int, depth: int) -> tuple[float, int, int]:
    """(yosys cost, cells, banks) of ``width x depth`` on geometry ``g``."""
    banks = ceil_div(depth, g.depth)
    cells = ceil_div(banks * width, g.width)
    cost = (g.cost - g.scale) * cells + g.scale * banks * width / g.width
    cost += 0.5 * (banks - 1) * width + (0.5 * banks if banks > 1 else 0.0)
    return cost, cells, banks


def _best(cands: list[Geometry], m: Memory) -> tuple[float, Geometry, int]:
    best = None
    for g in cands:
        c, cells, _ = _cost(g, m.width, m.depth)
        if best is None or c < best[0]:
            best = (c, g, cells)
    assert best is not None
    return best


def map_memory(m: Memory, family: str, uram: bool = False) -> Mapping:
    """Primitives for one memory on ``family`` ("xilinx" or "ecp5")."""
    if family not in FAMILIES:
        raise ValueError(f"unknown device family {family!r}")
    out = Mapping(stored_bits=m.stored_bits)
    if m.depth <= 0 or m.width <= 0:
        return out
    if uram and family == "xilinx" and m.style in ("auto", "block") and m.bits >= 72 * 4096:
        n = ceil_div(m.width, 72) * ceil_div(m.depth, 4096)
        out.uram, out.primitive_bits, out.prims = n, n * 72 * 4096, {"URAM288": n}
        return out
    brams = _BRAM_XILINX if family == "xilinx" else _BRAM_ECP5
    luts = [] if m.rom else (_LUT_XILINX if family == "xilinx" else _LUT_ECP5)
    logic = m.bits * (_LOGIC_COST_ROM[family] if m.rom else 1.0)
    if m.style == "logic":
        choice = None
    elif m.style == "block":
        choice = _best(brams, m)
    elif m.style == "lut":
        choice = _best(luts or brams, m)
    else:
        choice = min([_best(brams, m)] + ([_best(luts, m)] if luts else []), key=lambda t: t[0])
        if logic < choice[0]:
            choice = None
    if choice is None:
        out.logic_bits = m.stored_bits
        return out
    _, g, cells = choice
    out.prims = {g.prim: cells}
    out.primitive_bits = cells * g.width * g.depth
    if g.kind == "lut":
        out.lutram_bits = m.stored_bits
        out.lutram_luts = cells * g.luts
    elif g.prim == "RAMB18":
        out.bram18 = cells
    elif g.prim == "RAMB36":
        out.bram36 = cells
    else:
        out.dp16kd = cells
    return out


def dsp_per_multiplier(a_width: int, b_width: int, y_width: int, family: str) -> int:
    """DSP blocks yosys uses for one ``a x b -> y`` signed multiplier.

    yosys ``mul2dsp``: Xilinx (synth_xilinx) needs A, B >= 2 bits and Y >= 9
    bits ("UG901: small multiplies are 4x4 and smaller"), one DSP48 takes
    25x18 (7-series) / 27x18 (UltraScale); ECP5 (synth_ecp5) needs A, B >= 2,
    no Y minimum, one MULT18X18D takes 18x18.  Wider products are split into
    ceil(A/amax) * ceil(B/bmax) blocks (the estimate ignores cascade tricks).
    """
    a, b = max(a_width, b_width), min(a_width, b_width)
    if a < 2 or b < 2:
        return 0
    if family == "xilinx":
        if y_width < 9:
            return 0
        return ceil_div(a, 25) * ceil_div(b, 18) if a > 25 or b > 18 else 1
    return ceil_div(a, 18) * ceil_div(b, 18)


def next_pow2(n: int) -> int:
    return 1 << max(1, math.ceil(math.log2(max(n, 2))))
