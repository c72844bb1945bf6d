"""Mapping of one memory array onto FPGA primitives, the way yosys chooses.

A ``Memory`` is one ``reg [W-1:0] mem[0:D-1]`` of an hw/ module: a ROM
(``$readmemh``/``initial`` contents, no write port) or a RAM with one
synchronous write port and one read port (registered, or combinational with
``async_read``; ``single_port`` when both use the same address).
``map_memory`` returns how many primitives of each kind it takes.

The choice follows yosys ``memory_libmap`` (run by ``synth_xilinx`` and
``synth_ecp5``; ``handle_geom`` / ``score_emu_ports`` in memory_libmap.cc)
with the libraries' numbers (``brams_xc4v.txt``, ``lutrams_xc5v.txt``,
``lattice/brams_16kd.txt``, ``lattice/lutrams_trellis.txt``).  For each
primitive geometry of ``unit`` data bits x ``depth`` words:

* the word is padded to the write-enable granularity: ``eb`` = 1 for a ROM,
  else the primitive's byte (9 for block RAM) or, when that is wider than the
  unit (or 0, LUT RAM), the unit itself; ``swz = ceil(W / eb) * eb``;
* ``banks = ceil(D / depth)``, ``cells = ceil(banks * swz / unit)`` (banks
  share a cell's columns when they fit);
* cost = ``(cost - ws) * cells + ws * banks * W / unit`` (``ws``: the
  library's widthscale) ``+ 0.5 * (banks - 1) * W`` (read mux) ``+ 0.5 *
  banks`` (write demux, RAMs with banks > 1) ``+ 2`` when the read port does
  not share the write port (the "non-shared read port" emulation point, also
  counted for a ROM's only port);
* block RAM: RAMB18 (16Kx1 .. 1Kx18, 512x36) cost 129, RAMB36 (32Kx1 ..
  512x72) 257, two cascaded RAMB36 (64Kx1 .. 8Kx9) 513; ECP5 DP16KD (16Kx1 ..
  512x36) 128;
* LUT RAM (RAMs only, ``prune_rom``): Xilinx simple dual port RAM32M (32x6)
  / RAM64M (64x3), cost 8, widthscale 7; single port (same address) 32x8,
  64x4, 128x2, 256x1, cost 8, widthscale 8; ECP5 DPR16X4 (16x4) cost 4;
* soft logic: ``W * D`` for a RAM, ``W * D / 64`` for a ROM on Xilinx
  (``-logic-cost-rom 0.015625``), ``/ 16`` on ECP5 (the pass default).

The cheapest wins.  So the LUT-RAM / block-RAM threshold is not a fixed bit
count: a 5 x 512 FIFO takes one RAMB18 (131) rather than 16 RAM64M (132.8),
and a ROM goes to block RAM only above roughly 131 * 64 = 8384 bits.
``style`` forces a kind the way the ``ram_style``/``rom_style`` attributes do
(RAM_STYLE/WROM_STYLE parameters of the hw/ modules).  ``width`` is the
number of bit columns yosys keeps: ``opt_mem`` drops ROM columns that are
constant in every word (pre-shifted weights have constant low bits), so
callers pass the live width.  URAM (UltraScale+, 4Kx72, ``synth_xilinx
-uram`` only) is used when ``uram=True`` and the memory takes at least one
full URAM's worth of bits.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

from squeezefpga.quant.arch import ceil_div

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
    async_read: bool = False  # combinational read: LUT RAM or logic, never block RAM
    single_port: bool = False  # read and write use one address (single-port LUT RAM fits)

    @property
    def bits(self) -> int:
        return self.width * self.depth

    @property
    def stored_bits(self) -> int:
        return self.bits if self.content_bits is None else self.content_bits


@dataclass(frozen=True)
class Geometry:
    prim: str  # "RAMB18", "RAMB36", "URAM288", "DP16KD", "RAM32M", "RAM64M", "LUTRAM_SP", ...
    kind: str  # "block", "uram", "lut"
    width: int  # data bits of one cell (the unit)
    depth: int
    cost: float
    scale: float = 0.0  # yosys widthscale: the part of the cost paid per used width
    luts: int = 0  # LUTs per cell (LUT RAM)
    byte: int = 0  # write-enable granularity (0: the whole unit)
    single_port: bool = False  # one address for read and write only
    count: int = 1  # primitives per cell (a cascaded RAMB36 pair: 2)


def _g(prim, kind, dims, cost, **kw) -> list[Geometry]:
    return [Geometry(prim, kind, w, d, cost, **kw) for w, d in dims]


_BRAM_XILINX = (
    _g("RAMB18", "block", ((1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024), (36, 512)),
       129, byte=9)
    + _g("RAMB36", "block", ((1, 32768), (2, 16384), (4, 8192), (9, 4096), (18, 2048),
                             (36, 1024), (72, 512)), 257, byte=9)
    + _g("RAMB36", "block", ((1, 65536), (2, 32768), (4, 16384), (9, 8192)), 513, byte=9,
         count=2))
_LUT_XILINX = (_g("RAM32M", "lut", ((6, 32),), 8, scale=7, luts=4)
               + _g("RAM64M", "lut", ((3, 64),), 8, scale=7, luts=4)
               + _g("LUTRAM_SP", "lut", ((8, 32), (4, 64), (2, 128), (1, 256)), 8, scale=8,
                    luts=4, single_port=True))
_URAM = Geometry("URAM288", "uram", 72, 4096, 0)
_BRAM_ECP5 = _g("DP16KD", "block", ((1, 16384), (2, 8192), (4, 4096), (9, 2048), (18, 1024),
                                    (36, 512)), 128, byte=9)
_LUT_ECP5 = _g("DPR16X4", "lut", ((4, 16),), 4, luts=1)
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


def _cost(g: Geometry, m: Memory) -> tuple[float, int]:
    """(yosys cost, cells) of memory ``m`` on geometry ``g`` (module docstring)."""
    unit, w = g.width, m.width
    eb = 1 if m.rom else (g.byte if 0 < g.byte <= unit else unit)
    banks = ceil_div(m.depth, g.depth)
    cells = ceil_div(banks * ceil_div(w, eb) * eb, unit)
    cost = (g.cost - g.scale) * cells + g.scale * banks * w / unit + 0.5 * (banks - 1) * w
    if banks > 1 and not m.rom:
        cost += 0.5 * banks
    if not (g.single_port or (m.single_port and g.kind == "block")):
        cost += 2  # the read port is not merged with a write port
    return cost, cells


def _best(cands: list[Geometry], m: Memory) -> tuple[float, Geometry, int]:
    best = None
    for g in cands:
        if g.single_port and not m.single_port:
            continue
        c, cells = _cost(g, m)
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
    brams = [] if m.async_read else (_BRAM_XILINX if family == "xilinx" else _BRAM_ECP5)
    luts = [] if m.rom else (_LUT_XILINX if family == "xilinx" else _LUT_ECP5)
    logic = m.bits * (_LOGIC_COST_ROM[family] if m.rom else 1.0)
    if m.style == "logic" or not (brams or luts):
        choice = None
    elif m.style == "block":
        choice = _best(brams or luts, m)
    elif m.style == "lut":
        choice = _best(luts or brams, m)
    else:
        choice = min([_best(c, m) for c in (brams, luts) if c], key=lambda t: t[0])
        if logic < choice[0]:
            choice = None
    if choice is None:
        out.logic_bits = m.stored_bits
        return out
    _, g, cells = choice
    n = cells * g.count
    out.prims = {g.prim: n}
    out.primitive_bits = cells * g.width * g.depth
    if g.kind == "lut":
        out.lutram_bits = m.stored_bits
        out.lutram_luts = cells * g.luts
    elif g.prim == "RAMB18":
        out.bram18 = n
    elif g.prim == "RAMB36":
        out.bram36 = n
    else:
        out.dp16kd = n
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
